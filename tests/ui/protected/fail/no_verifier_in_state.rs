// A router whose state cannot provide the verifier does not compile.
use auth0_runtime::protected;
use axum::Router;
use axum::routing::get;

#[protected]
async fn handler() -> &'static str {
    "secret"
}

fn main() {
    let _app: Router = Router::new().route("/", get(handler));
}
