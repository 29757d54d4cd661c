// A claims type without fields reads no claims, so it accepts any valid token.
use auth0_runtime::{Claims, Verifier};
use axum::Router;
use axum::routing::get;

#[derive(Claims)]
struct Authenticated {}

async fn handler(_: Authenticated) -> &'static str {
    "ok"
}

fn main() {
    let _app: Router<Verifier> = Router::new().route("/", get(handler));
}
