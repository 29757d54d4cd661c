use auth0_runtime::{StandardClaims, Verifier, protected};
use axum::Router;
use axum::extract::State;
use axum::routing::get;

#[protected]
async fn handler(claims: StandardClaims, State(_verifier): State<Verifier>) -> String {
    claims.sub
}

fn main() {
    let _app: Router<Verifier> = Router::new().route("/", get(handler));
}
