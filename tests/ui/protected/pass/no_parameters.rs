use auth0_runtime::{Verifier, protected};
use axum::Router;
use axum::routing::get;

#[protected]
async fn handler() -> &'static str {
    "secret"
}

fn main() {
    let _app: Router<Verifier> = Router::new().route("/", get(handler));
}
