// A router whose state only needs to provide the verifier through `FromRef`.
use auth0_runtime::{Verifier, protected};
use axum::extract::FromRef;
use axum::routing::get;
use axum::Router;

#[protected]
async fn handler() -> &'static str {
    "secret"
}

fn router<S>() -> Router<S>
where
    Verifier: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    Router::new().route("/", get(handler))
}

fn main() {
    let _app: Router<Verifier> = router();
}
