// `crate = "..."` names the runtime crate when Cargo.toml renames it. A module that
// re-exports the runtime replaces the renamed dependency here.
mod a0 {
    pub use auth0_runtime::*;
}

use axum::Router;
use axum::routing::get;

#[a0::protected(crate = "a0")]
async fn private(claims: a0::StandardClaims) -> String {
    claims.sub
}

#[a0::requires_scope("read:messages", crate = "a0")]
#[a0::requires_permission("read:reports")]
async fn scoped() -> &'static str {
    "scoped"
}

#[derive(a0::Claims)]
#[claims(crate = "a0")]
struct Subject {
    sub: String,
}

#[a0::protected(crate = "a0")]
async fn subject(subject: Subject) -> String {
    subject.sub
}

fn main() {
    let _app: Router<a0::Verifier> = Router::new()
        .route("/private", get(private))
        .route("/scoped", get(scoped))
        .route("/subject", get(subject));
}
