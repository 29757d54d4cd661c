// The requirement type takes the handler's visibility, and a raw identifier as the
// handler's name works.
mod api {
    use auth0_runtime::requires_scope;

    #[requires_scope("read:messages")]
    pub async fn r#type() -> &'static str {
        "type"
    }

    #[requires_scope("read:messages")]
    pub(crate) async fn crate_visible() -> &'static str {
        "crate"
    }
}

use auth0_runtime::Verifier;
use axum::Router;
use axum::routing::get;

fn main() {
    let _app: Router<Verifier> = Router::new()
        .route("/type", get(api::r#type))
        .route("/crate", get(api::crate_visible));
}
