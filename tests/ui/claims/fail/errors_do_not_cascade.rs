// After a derive error, handlers that take the type report nothing more.
use auth0_runtime::{Claims, Verifier, protected};
use axum::Router;
use axum::routing::get;

#[derive(Claims)]
enum Role {
    Admin,
}

#[protected]
async fn handler(_role: Role) -> &'static str {
    "admin"
}

fn main() {
    let _app: Router<Verifier> = Router::new().route("/", get(handler));
}
