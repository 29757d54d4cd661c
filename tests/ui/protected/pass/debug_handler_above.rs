// `#[axum::debug_handler]` above our attribute checks the handler as the user wrote it; the
// guard joins the first parameter, so the arity it checks still holds.
use auth0_runtime::{StandardClaims, Verifier, protected, requires_scope};
use axum::Router;
use axum::extract::Path;
use axum::routing::get;

#[axum::debug_handler(state = Verifier)]
#[protected]
async fn handler(claims: StandardClaims) -> String {
    claims.sub
}

#[axum::debug_handler(state = Verifier)]
#[requires_scope("read:messages")]
async fn scoped(Path(id): Path<u32>, claims: StandardClaims) -> String {
    format!("{id} {}", claims.sub)
}

fn main() {
    let _app: Router<Verifier> = Router::new()
        .route("/", get(handler))
        .route("/{id}", get(scoped));
}
