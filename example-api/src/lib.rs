//! Auth0's quickstart API, protected with `auth0-runtime`.
//!
//! The routes and messages follow Auth0's API quickstarts: `/api/public` is open,
//! `/api/private` needs any valid token, `/api/private-scoped` needs `read:messages`.

use auth0_runtime::{Claims, StandardClaims, Verifier, protected, requires_scope};
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
        .route("/api/protected", get(guarded))
        .route("/api/profile", get(profile))
        .layer(cors(cors_origins))
        .with_state(verifier)
}

/// Handles browser preflights for the listed origins, and exposes the authentication
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

#[protected]
async fn private(claims: StandardClaims) -> Json<Value> {
    Json(json!({
        "message": "Hello from a private endpoint! You need to be authenticated to see this.",
        "user_id": claims.sub,
    }))
}

#[requires_scope("read:messages")]
async fn private_scoped(claims: StandardClaims) -> Json<Value> {
    Json(json!({
        "message": "Hello from a private endpoint! You need to be authenticated and have a scope of read:messages to see this.",
        "user_id": claims.sub,
    }))
}

#[protected]
async fn guarded() -> Json<Value> {
    Json(json!({
        "message": "Hello from a protected endpoint! The handler runs only for a valid token."
    }))
}

/// The claims `/api/profile` returns. Machine-to-machine tokens have no roles and may
/// have no permissions, so both default to empty.
#[derive(Claims, Debug)]
#[claims(namespace = "https://myapp.example.com/")]
struct Profile {
    sub: String,
    #[claims(default)]
    permissions: Vec<String>,
    /// Read from `https://myapp.example.com/roles`.
    #[claims(namespaced, default)]
    roles: Vec<String>,
}

#[protected]
async fn profile(profile: Profile) -> Json<Value> {
    Json(json!({
        "sub": profile.sub,
        "permissions": profile.permissions,
        "roles": profile.roles,
    }))
}
