//! Handlers and claims types expanded inside a crate that denies warnings and strict lints,
//! so `cargo test` (rustc lints) and `cargo clippy` (clippy lints, pedantic included) fail
//! if the generated code trips one. The expansion must need no `allow` from the user.
#![deny(
    warnings,
    missing_docs,
    missing_debug_implementations,
    unreachable_pub,
    unused_qualifications,
    unused_results,
    rust_2018_idioms,
    clippy::pedantic
)]
#![forbid(unsafe_code)]

use auth0_runtime::{
    Claims, StandardClaims, Verifier, protected, requires_any_permission, requires_any_scope,
    requires_permission, requires_scope,
};
use axum::Router;
use axum::routing::get;

/// Claims with every field attribute.
#[derive(Debug, Claims)]
#[claims(namespace = "https://myapp.example.com/")]
pub struct Profile {
    /// The subject.
    pub sub: String,
    /// The namespaced roles.
    #[claims(namespaced, default)]
    pub roles: Vec<String>,
    /// The full name.
    #[claims(rename = "full-name")]
    pub full_name: Option<String>,
}

/// A generic claims type.
#[derive(Debug, Claims)]
pub struct Extra<T> {
    /// The extra claim.
    pub extra: Option<T>,
}

/// Reads nothing.
#[protected]
pub async fn empty(_claims: StandardClaims) {}

/// Requires scopes, stacked.
#[requires_scope("read:messages")]
#[requires_scope("write:messages")]
pub async fn scoped(profile: Profile) -> String {
    profile.sub
}

/// Requires any scope.
#[requires_any_scope("read:messages", "admin")]
pub async fn any_scope() -> &'static str {
    "any"
}

/// Requires permissions. `requires_any_permission` is imported for the lower attribute
/// only, which the upper one collects, and the import must still count as used.
#[requires_permission("read:reports")]
#[requires_any_permission("export:reports", "admin:reports")]
pub async fn reports(extra: Extra<u64>) -> String {
    format!("{:?}", extra.extra)
}

mod private {
    use auth0_runtime::protected;

    /// A crate-visible handler in a private module.
    #[protected]
    pub(crate) async fn hidden() -> &'static str {
        "hidden"
    }
}

#[test]
fn strict_lints_routes() {
    let app: Router<Verifier> = Router::new()
        .route("/empty", get(empty))
        .route("/scoped", get(scoped))
        .route("/any", get(any_scope))
        .route("/reports", get(reports))
        .route("/hidden", get(private::hidden));
    drop(app);
}
