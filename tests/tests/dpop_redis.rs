//! The Redis replay store with a real redis-server that the tests start on a free
//! 127.0.0.1 port: replays across instances, an outage, and a restart that loses the data.

mod support;

use std::time::{Duration, Instant};

use auth0_runtime::dev::{DevIssuer, DpopKey};
use auth0_runtime::dpop::{DpopConfig, ReplayBackend};
use auth0_runtime::request_url::UrlPolicy;
use reqwest::StatusCode;
use support::*;

fn redis_dpop(server: &RedisServer) -> DpopConfig {
    DpopConfig::default()
        .replay(ReplayBackend::Redis { url: server.url() })
        .replay_timeout(Duration::from_millis(500))
}

/// Sends a fresh proof for `api` and returns it with the response.
async fn call(api: &Api, key: &DpopKey, token: &str) -> (String, reqwest::Response) {
    let url = api.url("/api/private");
    let proof = key.proof("GET", &url).access_token(token).sign();
    let response = dpop_get(&url, token, &[&proof]).await;
    (proof, response)
}

/// Connects `api` to its replay store, retrying while the server comes back.
async fn connect(api: &Api) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match api.verifier.connect_replay_store().await {
            Ok(()) => return,
            Err(error) if Instant::now() > deadline => panic!("Redis unreachable: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[tokio::test]
async fn replay_across_instances_rejected() {
    let redis = RedisServer::start().await;
    let issuer = DevIssuer::start().await.unwrap();
    let first = start_api(&issuer, redis_dpop(&redis), UrlPolicy::Direct).await;
    let second = start_api(&issuer, redis_dpop(&redis), UrlPolicy::Direct).await;
    connect(&first).await;
    connect(&second).await;
    let key = DpopKey::generate().unwrap();
    let token = bound_token(&issuer, &key);

    // One public URL in front of both instances: the proof names the same htu for both.
    let shared = UrlPolicy::public_base_url("https://api.example.com").unwrap();
    let first_public = start_api(&issuer, redis_dpop(&redis), shared.clone()).await;
    let second_public = start_api(&issuer, redis_dpop(&redis), shared).await;
    connect(&first_public).await;
    let proof = key
        .proof("GET", "https://api.example.com/api/private")
        .access_token(&token)
        .sign();
    let response = dpop_get(&first_public.url("/api/private"), &token, &[&proof]).await;
    assert_eq!(response.status(), StatusCode::OK, "first use");
    let replay = dpop_get(&second_public.url("/api/private"), &token, &[&proof]).await;
    assert_rejection(
        &replay,
        StatusCode::UNAUTHORIZED,
        &[&proof_challenge("the DPoP proof was already used")],
    );

    let (proof, response) = call(&first, &key, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let replay = dpop_get(&first.url("/api/private"), &token, &[&proof]).await;
    assert_rejection(
        &replay,
        StatusCode::UNAUTHORIZED,
        &[&proof_challenge("the DPoP proof was already used")],
    );
    let (_, response) = call(&second, &key, &token).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "a new proof on the other instance"
    );
}

#[tokio::test]
async fn outage_fails_closed_then_recovers() {
    let mut redis = RedisServer::start().await;
    let issuer = DevIssuer::start().await.unwrap();
    let api = start_api(&issuer, redis_dpop(&redis), UrlPolicy::Direct).await;
    let open = start_api(
        &issuer,
        redis_dpop(&redis).replay_fail_open(true),
        UrlPolicy::Direct,
    )
    .await;
    connect(&api).await;
    connect(&open).await;
    let key = DpopKey::generate().unwrap();
    let token = bound_token(&issuer, &key);

    let (used, response) = call(&api, &key, &token).await;
    assert_eq!(response.status(), StatusCode::OK, "before the outage");

    redis.stop();
    let (_, response) = call(&api, &key, &token).await;
    assert_rejection(&response, StatusCode::SERVICE_UNAVAILABLE, &[]);
    assert_eq!(response.headers()["retry-after"], "5");
    let (_, response) = call(&api, &key, &token).await;
    assert_eq!(
        response.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "still down"
    );
    let (_, response) = call(&open, &key, &token).await;
    assert_eq!(response.status(), StatusCode::OK, "fail-open accepts");

    // The restarted server has lost every key, including the one of `used`. The history
    // rule compares whole seconds and lets through a proof dated in the second the history
    // began, so the restart must fall in a later second than the `iat` of `used`.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    redis.restart().await;
    connect(&api).await;
    let replay = dpop_get(&api.url("/api/private"), &token, &[&used]).await;
    assert_rejection(
        &replay,
        StatusCode::UNAUTHORIZED,
        &[&proof_challenge(
            "the DPoP proof is too old, send a new proof",
        )],
    );

    // Proofs made after the restart work, and replays of them are caught again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (fresh, response) = call(&api, &key, &token).await;
    assert_eq!(response.status(), StatusCode::OK, "after the restart");
    let replay = dpop_get(&api.url("/api/private"), &token, &[&fresh]).await;
    assert_rejection(
        &replay,
        StatusCode::UNAUTHORIZED,
        &[&proof_challenge("the DPoP proof was already used")],
    );
}
