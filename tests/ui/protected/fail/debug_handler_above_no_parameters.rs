// On a handler without parameters the guard must be added as a new parameter, which
// `#[axum::debug_handler]` above our attribute does not see. Put it below instead.
use auth0_runtime::{Verifier, protected};

#[axum::debug_handler(state = Verifier)]
#[protected]
async fn handler() -> &'static str {
    "secret"
}

fn main() {}
