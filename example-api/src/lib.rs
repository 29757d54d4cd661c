//! Auth0's quickstart API, protected with `auth0-runtime`.
//!
//! The routes and messages follow Auth0's API quickstarts: `/api/public` is open,
//! `/api/private` needs any valid token, `/api/private-scoped` needs `read:messages`.

use auth0_runtime::{Clause, Require, Requirement, StandardClaims, VerifiedToken, Verifier};
use axum::Json;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::routing::get;
use serde_json::{Value, json};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The namespaced custom claim that `/api/profile` reads roles from.
pub const ROLES_CLAIM: &str = "https://myapp.example.com/roles";

/// Builds the API's router.
pub fn app(verifier: Verifier, cors_origins: &[HeaderValue]) -> Router {
    Router::new()
        .route("/api/public", get(public))
        .route("/api/private", get(private))
        .route("/api/private-scoped", get(private_scoped))
        .route("/api/protected", get(protected))
        .route("/api/profile", get(profile))
        .layer(cors(cors_origins))
        .with_state(verifier)
}

/// Answers browser preflights for the listed origins, and exposes the authentication
/// headers so a browser client can read why a request was rejected.
fn cors(origins: &[HeaderValue]) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins.iter().cloned()))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("dpop"),
        ])
        .expose_headers([
            header::WWW_AUTHENTICATE,
            HeaderName::from_static("dpop-nonce"),
        ])
}

async fn public() -> Json<Value> {
    Json(json!({
        "message": "Hello from a public endpoint! You don't need to be authenticated to see this."
    }))
}

async fn private(claims: StandardClaims) -> Json<Value> {
    Json(json!({
        "message": "Hello from a private endpoint! You need to be authenticated to see this.",
        "user_id": claims.sub,
    }))
}

struct ReadMessages;

impl Requirement for ReadMessages {
    const CLAUSES: &'static [Clause] = &[Clause::all_scopes(&["read:messages"])];
}

async fn private_scoped(_: Require<ReadMessages>, claims: StandardClaims) -> Json<Value> {
    Json(json!({
        "message": "Hello from a private endpoint! You need to be authenticated and have a scope of read:messages to see this.",
        "user_id": claims.sub,
    }))
}

struct Authenticated;

impl Requirement for Authenticated {
    const CLAUSES: &'static [Clause] = &[];
}

async fn protected(_: Require<Authenticated>) -> Json<Value> {
    Json(json!({
        "message": "Hello from a protected endpoint! The handler runs only for a valid token."
    }))
}

async fn profile(token: VerifiedToken) -> Json<Value> {
    let roles = token
        .optional_claim::<Vec<String>>(ROLES_CLAIM)
        .ok()
        .flatten()
        .unwrap_or_default();
    Json(json!({
        "sub": token.subject(),
        "permissions": token.permissions(),
        "roles": roles,
    }))
}
