// `#[axum::debug_handler]` above our attribute checks a copy of the handler that it calls
// with the parameters it saw before the guard was added, so the build fails. Put
// `debug_handler` below our attributes instead.
use auth0_runtime::{StandardClaims, Verifier, protected};

#[axum::debug_handler(state = Verifier)]
#[protected]
async fn handler(claims: StandardClaims) -> String {
    claims.sub
}

fn main() {}
