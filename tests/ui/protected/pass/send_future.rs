// A handler that awaits after reading the claims gives a `Send + 'static` future, as
// `Router::route` requires.
use std::time::Duration;

use auth0_runtime::{StandardClaims, Verifier, protected};
use axum::Router;
use axum::routing::get;

#[protected]
async fn slow(claims: StandardClaims) -> String {
    tokio::time::sleep(Duration::from_millis(1)).await;
    claims.sub
}

fn main() {
    let _app: Router<Verifier> = Router::new().route("/slow", get(slow));
}
