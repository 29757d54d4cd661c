//! A crate that denies warnings and pedantic lints and forbids unsafe code. `cargo clippy`
//! checks the same handlers in `tests/macro_lints.rs`.
#![deny(warnings, missing_docs, clippy::pedantic)]
#![forbid(unsafe_code)]

use auth0_runtime::{StandardClaims, Verifier, protected, requires_scope};
use axum::Router;
use axum::routing::get;

/// Reads nothing from the claims.
#[protected]
pub async fn empty(_claims: StandardClaims) {}

/// Requires two scopes.
#[requires_scope("read:messages", "write:messages")]
pub async fn scoped(claims: StandardClaims) -> String {
    claims.sub
}

fn main() {
    let _app: Router<Verifier> = Router::new()
        .route("/empty", get(empty))
        .route("/scoped", get(scoped));
}
