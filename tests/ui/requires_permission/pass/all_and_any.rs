use auth0_runtime::{Verifier, requires_any_permission, requires_permission};
use axum::Router;
use axum::routing::get;

#[requires_permission("read:reports", "export:reports")]
async fn export() -> &'static str {
    "export"
}

#[requires_any_permission("read:reports", "admin:reports")]
async fn read() -> &'static str {
    "read"
}

fn main() {
    let _app: Router<Verifier> = Router::new()
        .route("/export", get(export))
        .route("/read", get(read));
}
