use auth0_runtime::{Verifier, requires_any_scope, requires_scope};
use axum::Router;
use axum::routing::get;

#[requires_scope("read:messages", "write:messages",)]
async fn all() -> &'static str {
    "all"
}

#[requires_any_scope("read:messages", "admin")]
async fn any() -> &'static str {
    "any"
}

// Every character RFC 6749 section 3.3 allows in a scope token.
#[requires_scope("!#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}~")]
async fn unusual() -> &'static str {
    "unusual"
}

fn main() {
    let _app: Router<Verifier> = Router::new()
        .route("/all", get(all))
        .route("/any", get(any))
        .route("/unusual", get(unusual));
}
