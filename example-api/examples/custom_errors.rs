//! Replaces the default rejection body with the application's own JSON, the way Auth0's
//! FastAPI guide shows a custom exception handler, while keeping the status code and the
//! `WWW-Authenticate` challenges that clients rely on.
//!
//! Run with `cargo run -p example-api --example custom_errors` and a `.env` as for the
//! example API.

use auth0_runtime::{AuthRejection, Config, StandardClaims, Verifier};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

fn authentication_failed(rejection: &AuthRejection) -> Response {
    let body = json!({
        "error": "authentication_failed",
        "detail": rejection.description(),
    });
    let mut response = (rejection.status(), Json(body)).into_response();
    for challenge in rejection.challenges() {
        response
            .headers_mut()
            .append(header::WWW_AUTHENTICATE, challenge);
    }
    response
}

async fn private(claims: StandardClaims) -> Json<serde_json::Value> {
    Json(json!({ "user_id": claims.sub }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let verifier = Verifier::builder(Config::from_env()?)
        .rejection_handler(authentication_failed)
        .build()?;
    let app = Router::new()
        .route("/api/private", get(private))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
