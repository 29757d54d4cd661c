//! Serves `/api/public` and `/api/private` on 127.0.0.1:PORT, with `/api/private` behind
//! jwt-authorizer's layer, which discovers the issuer's keys through OpenID discovery.
//!
//! Environment: AUTH0_ISSUER_BASE_URL (the issuer, with its trailing slash),
//! AUTH0_AUDIENCE, PORT, and SSL_CERT_FILE naming the PEM CA that the issuer's certificate
//! chains to. jwt-authorizer 0.15.0 fetches the key set with a default `reqwest::Client`
//! even when it is given one, so the CA is trusted through the native root store, which
//! reads SSL_CERT_FILE, rather than through `http_client`.

use std::process::ExitCode;

use axum::routing::get;
use axum::{Json, Router};
use jwt_authorizer::{Authorizer, IntoLayer, JwtAuthorizer, JwtClaims, Validation};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Clone, Deserialize)]
struct Claims {
    sub: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let issuer = var("AUTH0_ISSUER_BASE_URL")?;
    let audience = var("AUTH0_AUDIENCE")?;
    let port: u16 = var("PORT")?
        .parse()
        .map_err(|_| "PORT is not a port number".to_owned())?;

    let validation = Validation::new().iss(&[&issuer]).aud(&[&audience]);
    let authorizer: Authorizer<Claims> = JwtAuthorizer::from_oidc(&issuer)
        .validation(validation)
        .build()
        .await
        .map_err(|error| format!("cannot set up jwt-authorizer for {issuer}: {error}"))?;

    let app = Router::new()
        .route(
            "/api/private",
            get(private).layer(authorizer.into_layer()),
        )
        .route("/api/public", get(public));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|error| format!("cannot listen on 127.0.0.1:{port}: {error}"))?;
    axum::serve(listener, app)
        .await
        .map_err(|error| format!("serving failed: {error}"))
}

async fn public() -> Json<Value> {
    Json(json!({
        "message": "Hello from a public endpoint! You don't need to be authenticated to see this."
    }))
}

async fn private(JwtClaims(claims): JwtClaims<Claims>) -> Json<Value> {
    Json(json!({
        "message": "Hello from a private endpoint! You need to be authenticated to see this.",
        "user_id": claims.sub,
    }))
}
