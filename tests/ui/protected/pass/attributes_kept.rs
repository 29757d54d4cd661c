//! Doc comments, `#[deprecated]` and `#[cfg]` on a handler, in a crate that denies
//! missing docs and warnings.
#![deny(missing_docs, warnings)]

use auth0_runtime::{Verifier, protected};
use axum::Router;
use axum::routing::get;

/// Returns the secret.
#[protected]
#[deprecated = "use `/v2/secret`"]
pub async fn old_secret() -> &'static str {
    "secret"
}

/// Exists only when the crate is not compiled for tests.
#[cfg(not(test))]
#[protected]
pub async fn conditional() -> &'static str {
    "on"
}

/// Never compiled in this binary. Its requirement type carries the same `cfg`, so it does
/// not clash with the other `conditional`.
#[cfg(test)]
#[protected]
pub async fn conditional() -> &'static str {
    "off"
}

fn main() {
    #[allow(deprecated)]
    let _app: Router<Verifier> = Router::new()
        .route("/old", get(old_secret))
        .route("/conditional", get(conditional));
}
