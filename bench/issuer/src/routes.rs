//! The issuer's endpoints: OpenID discovery, the key set, and pool minting for the script.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::mint::{Minter, ProofKey};

/// The largest pool one request may ask for: about 700 MB of tokens of 700 bytes.
const MAX_POOL: usize = 1_000_000;

pub(crate) fn router(minter: Arc<Minter>) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/bench/tokens", get(tokens))
        .route("/bench/dpop", get(dpop))
        .with_state(minter)
}

async fn discovery(State(minter): State<Arc<Minter>>) -> Json<Value> {
    let issuer = minter.issuer();
    Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}.well-known/jwks.json"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "dpop_signing_alg_values_supported": ["ES256"],
    }))
}

async fn jwks(State(minter): State<Arc<Minter>>) -> Json<Value> {
    Json(json!({ "keys": [minter.key().public_jwk()] }))
}

#[derive(Debug, Deserialize)]
struct TokensQuery {
    count: usize,
}

/// Returns `count` access tokens with distinct subjects, one per line.
async fn tokens(State(minter): State<Arc<Minter>>, Query(query): Query<TokensQuery>) -> Response {
    if let Err(response) = check_count(query.count) {
        return response;
    }
    let minted = tokio::task::spawn_blocking(move || minter.access_tokens(query.count)).await;
    match minted {
        Ok(tokens) => lines(tokens),
        Err(error) => internal_error("minting tokens", &error),
    }
}

#[derive(Debug, Deserialize)]
struct DpopQuery {
    count: usize,
    /// The `htu` of every proof: the URL the benchmark requests.
    htu: String,
    /// The `htm` of every proof. Default: `GET`.
    htm: Option<String>,
}

/// Returns a DPoP-bound access token on the first line and `count` proofs for it, one per
/// line, all signed with one fresh P-256 key.
async fn dpop(State(minter): State<Arc<Minter>>, Query(query): Query<DpopQuery>) -> Response {
    if let Err(response) = check_count(query.count) {
        return response;
    }
    let minted = tokio::task::spawn_blocking(move || {
        let key = ProofKey::generate()?;
        let token = minter.access_token(0, Some(key.thumbprint()));
        let method = query.htm.as_deref().unwrap_or("GET");
        let proofs = key
            .proofs(query.count, &token, method, &query.htu)
            .map_err(|_| "signing a DPoP proof failed".to_owned())?;
        let mut all = Vec::with_capacity(proofs.len() + 1);
        all.push(token);
        all.extend(proofs);
        Ok::<_, String>(all)
    })
    .await;
    match minted {
        Ok(Ok(lines_out)) => lines(lines_out),
        Ok(Err(reason)) => {
            tracing::error!(reason, "minting DPoP proofs failed");
            (StatusCode::INTERNAL_SERVER_ERROR, reason).into_response()
        }
        Err(error) => internal_error("minting DPoP proofs", &error),
    }
}

#[allow(clippy::result_large_err, reason = "the error is the response itself")]
fn check_count(count: usize) -> Result<(), Response> {
    if (1..=MAX_POOL).contains(&count) {
        return Ok(());
    }
    let message = format!("count must be between 1 and {MAX_POOL}, got {count}");
    Err((StatusCode::BAD_REQUEST, message).into_response())
}

fn lines(mut items: Vec<String>) -> Response {
    let size = items.iter().map(|item| item.len() + 1).sum();
    let mut body = String::with_capacity(size);
    for item in items.drain(..) {
        body.push_str(&item);
        body.push('\n');
    }
    ([(header::CONTENT_TYPE, "text/plain")], body).into_response()
}

fn internal_error(task: &str, error: &tokio::task::JoinError) -> Response {
    tracing::error!(
        error = error as &dyn std::error::Error,
        task,
        "minting task failed"
    );
    (StatusCode::INTERNAL_SERVER_ERROR, format!("{task} failed")).into_response()
}
