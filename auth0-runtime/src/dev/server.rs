//! HTTP endpoints of the development issuer.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::IssuerState;
use super::token::TokenBuilder;

/// Lifetime of tokens from the token endpoint, in seconds (Auth0's default is 86,400).
const TOKEN_LIFETIME: i64 = 86_400;

pub(crate) fn router(state: Arc<IssuerState>) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/oauth/token", post(token))
        .with_state(state)
}

async fn discovery(State(state): State<Arc<IssuerState>>) -> Json<serde_json::Value> {
    state.discovery_requests.fetch_add(1, Ordering::SeqCst);
    let issuer = &state.issuer;
    Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}.well-known/jwks.json"),
        "token_endpoint": format!("{issuer}oauth/token"),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "none"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "dpop_signing_alg_values_supported": ["ES256"],
    }))
}

async fn jwks(State(state): State<Arc<IssuerState>>) -> Response {
    state.jwks_requests.fetch_add(1, Ordering::SeqCst);
    let mut response = Json(state.jwks()).into_response();
    if let Some(value) = state
        .jwks_cache_control()
        .and_then(|value| value.parse().ok())
    {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    response
}

/// The token request, as a form (what Auth0 documents) or a JSON body (what Auth0 also
/// accepts).
#[derive(Debug, Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    client_id: Option<String>,
    audience: Option<String>,
    scope: Option<String>,
}

async fn token(
    State(state): State<Arc<IssuerState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    let parsed: Result<TokenRequest, String> = if is_json {
        serde_json::from_slice(&body).map_err(|error| error.to_string())
    } else {
        parse_form(&body)
    };
    let request = match parsed {
        Ok(request) => request,
        Err(reason) => {
            return oauth_error(
                "invalid_request",
                &format!("the request body is invalid: {reason}"),
            );
        }
    };
    if request.grant_type.as_deref() != Some("client_credentials") {
        return oauth_error(
            "unsupported_grant_type",
            "only grant_type=client_credentials is supported",
        );
    }

    let client_id = request.client_id.unwrap_or_else(|| "dev-client".to_owned());
    let audience = request.audience.unwrap_or_else(|| state.audience.clone());
    let scope = request.scope.unwrap_or_default();
    let scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();

    let mut builder = TokenBuilder::new(&state)
        .subject(&format!("{client_id}@clients"))
        .audience(&audience)
        .expires_in(TOKEN_LIFETIME)
        .claim("azp", client_id.as_str())
        .claim("gty", "client-credentials")
        .permissions(scopes.iter().copied());
    if !scopes.is_empty() {
        builder = builder.scope(&scopes.join(" "));
    }
    let token_type = "Bearer";
    Json(json!({
        "access_token": builder.sign(),
        "token_type": token_type,
        "expires_in": TOKEN_LIFETIME,
        "scope": scopes.join(" "),
    }))
    .into_response()
}

fn parse_form(body: &[u8]) -> Result<TokenRequest, String> {
    let mut request = TokenRequest {
        grant_type: None,
        client_id: None,
        audience: None,
        scope: None,
    };
    for (name, value) in url::form_urlencoded::parse(body) {
        let slot = match name.as_ref() {
            "grant_type" => &mut request.grant_type,
            "client_id" => &mut request.client_id,
            "audience" => &mut request.audience,
            "scope" => &mut request.scope,
            _ => continue,
        };
        *slot = Some(value.into_owned());
    }
    Ok(request)
}

fn oauth_error(code: &str, description: &str) -> Response {
    let body = json!({ "error": code, "error_description": description });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}
