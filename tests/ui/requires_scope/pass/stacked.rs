// Stacked attributes become one requirement whose clauses must all hold, in any order and
// written with any path.
use auth0_runtime::{Verifier, protected, requires_any_permission, requires_scope};
use axum::Router;
use axum::routing::get;

#[requires_scope("read:messages")]
#[requires_scope("write:messages")]
async fn two_scopes() -> &'static str {
    "both"
}

#[protected]
#[auth0_runtime::requires_scope("read:messages")]
#[requires_any_permission("a", "b")]
async fn mixed() -> &'static str {
    "mixed"
}

#[doc = "Inert attributes between ours stay on the handler."]
#[requires_any_permission("a")]
#[allow(clippy::unused_async)]
#[auth0_runtime::protected]
async fn interleaved() -> &'static str {
    "interleaved"
}

fn main() {
    let _app: Router<Verifier> = Router::new()
        .route("/two", get(two_scopes))
        .route("/mixed", get(mixed))
        .route("/interleaved", get(interleaved));
}
