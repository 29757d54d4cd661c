// `#[axum::debug_handler]` written below our attribute checks the guarded handler.
use auth0_runtime::{StandardClaims, Verifier, protected, requires_scope};
use axum::Router;
use axum::extract::State;
use axum::routing::get;

#[protected]
#[axum::debug_handler(state = Verifier)]
async fn with_state_given(claims: StandardClaims) -> String {
    claims.sub
}

#[requires_scope("read:messages")]
#[axum::debug_handler]
async fn with_state_inferred(State(_verifier): State<Verifier>, claims: StandardClaims) -> String {
    claims.sub
}

// The attribute below `debug_handler` is marked as applied by the one above it, so
// `debug_handler`'s copy of the handler keeps the same parameters.
#[requires_scope("read:messages")]
#[axum::debug_handler(state = Verifier)]
#[requires_scope("write:messages")]
async fn between(claims: StandardClaims) -> String {
    claims.sub
}

fn main() {
    let _app: Router<Verifier> = Router::new()
        .route("/a", get(with_state_given))
        .route("/b", get(with_state_inferred))
        .route("/c", get(between));
}
