use auth0_runtime::{StandardClaims, Verifier, protected};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

#[derive(Deserialize)]
struct NewMessage {
    text: String,
}

#[protected]
async fn create(claims: StandardClaims, Json(message): Json<NewMessage>) -> String {
    format!("{}: {}", claims.sub, message.text)
}

#[protected]
async fn create_without_claims(Json(message): Json<NewMessage>) -> String {
    message.text
}

fn main() {
    let _app: Router<Verifier> = Router::new()
        .route("/a", post(create))
        .route("/b", post(create_without_claims));
}
