//! Key fetching against an issuer that fails in every way a network service can: down,
//! slow, hanging, returning errors, junk or huge bodies, and redirecting. Each test checks
//! the API's responses and how many key-set requests the issuer received.

use std::sync::Arc;
use std::time::{Duration, Instant};

use auth0_runtime::dev::DevKey;
use auth0_runtime::{Config, JwksSettings};
use auth0_tests::fault_issuer::{FaultIssuer, JwksBehavior};
use auth0_tests::{
    Outcome, Served, error_body, get_bearer, invalid_token_challenge, serve_example_api,
    test_jwks_settings,
};
use axum::body::Body;
use axum::http::{Request, header};
use serde_json::json;
use tower::ServiceExt as _;

const AUDIENCE: &str = "https://faults.api.example.com";
const UNKNOWN_KEY: &str = "the access token is signed with an unknown key";
const UNAVAILABLE: &str = "the token signing keys are temporarily unavailable";

fn config(issuer: &FaultIssuer, settings: JwksSettings) -> Config {
    Config::builder()
        .issuer_base_url(issuer.issuer())
        .audience(AUDIENCE)
        .jwks(settings)
        .build()
        .expect("valid configuration")
}

async fn start_api(issuer: &FaultIssuer, settings: JwksSettings) -> Served {
    serve_example_api(config(issuer, settings)).await.1
}

async fn private(api: &Served, token: &str) -> Outcome {
    get_bearer(&api.url("/api/private"), token).await
}

fn assert_unknown_key(outcome: &Outcome, context: &str) {
    assert_eq!(outcome.status, 401, "{context}");
    assert_eq!(
        outcome.challenges,
        invalid_token_challenge(UNKNOWN_KEY),
        "{context}"
    );
    assert_eq!(
        outcome.body,
        error_body("invalid_token", UNKNOWN_KEY),
        "{context}"
    );
}

fn assert_unavailable(outcome: &Outcome, context: &str) {
    assert_eq!(outcome.status, 503, "{context}");
    assert_eq!(outcome.challenges, Vec::<String>::new(), "{context}");
    assert_eq!(
        outcome.body,
        error_body("temporarily_unavailable", UNAVAILABLE),
        "{context}"
    );
}

/// Waits out the test cooldown (300 ms) so the next unknown `kid` may refetch.
async fn after_cooldown() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

#[tokio::test]
async fn failed_answers_never_replace_good_keys() {
    let issuer = FaultIssuer::start().await;
    let api = start_api(&issuer, test_jwks_settings()).await;
    let valid = issuer.token(AUDIENCE).sign();
    assert_eq!(private(&api, &valid).await.status, 200);
    assert_eq!(issuer.jwks_requests(), 1);

    let k2 = Arc::new(DevKey::generate("k2").expect("generate k2"));
    let k2_token = issuer
        .token(AUDIENCE)
        .header("kid", "k2")
        .signed_by(k2.clone())
        .sign();
    let faults = [
        JwksBehavior::Status {
            status: 500,
            content_type: "application/json",
            body: r#"{"error":"internal"}"#.into(),
        },
        JwksBehavior::Status {
            status: 403,
            content_type: "text/html",
            body: "<html><body>Forbidden</body></html>".into(),
        },
        JwksBehavior::Body(br#"{"keys":[]}"#.to_vec()),
        JwksBehavior::Body(br#"{"keys":{}}"#.to_vec()),
        JwksBehavior::Body(b"{\"keys\":[".to_vec()),
        JwksBehavior::Body(b"not json at all".to_vec()),
    ];
    for (round, fault) in faults.into_iter().enumerate() {
        after_cooldown().await;
        issuer.set_behavior(fault.clone());
        assert_unknown_key(&private(&api, &k2_token).await, &format!("{fault:?}"));
        assert_eq!(issuer.jwks_requests(), round + 2, "{fault:?} was fetched");
        let outcome = private(&api, &valid).await;
        assert_eq!(outcome.status, 200, "k1 after {fault:?}");
    }

    after_cooldown().await;
    issuer.publish(vec![issuer.key.public_jwk(), k2.public_jwk()]);
    issuer.set_behavior(JwksBehavior::Keys {
        cache_control: None,
    });
    assert_eq!(private(&api, &k2_token).await.status, 200);
    assert_eq!(issuer.jwks_requests(), 8);
    assert_eq!(private(&api, &valid).await.status, 200);
}

#[tokio::test]
async fn oversized_key_sets_refused() {
    let issuer = FaultIssuer::start().await;
    let api = start_api(&issuer, test_jwks_settings()).await;
    let valid = issuer.token(AUDIENCE).sign();
    assert_eq!(private(&api, &valid).await.status, 200);

    let entry = issuer.key.public_jwk();
    let many: Vec<_> = (0..10_000)
        .map(|index| {
            let mut key = entry.clone();
            key["kid"] = json!(format!("bulk-{index}"));
            key
        })
        .collect();
    let huge_body = format!(
        "{{\"keys\":[{}],\"padding\":\"{}\"}}",
        entry,
        "x".repeat(5 * 1024 * 1024)
    );
    let unknown = issuer.token(AUDIENCE).header("kid", "bulk-7").sign();
    for (name, body) in [
        ("5 MB body", huge_body.into_bytes()),
        (
            "10,000 keys",
            serde_json::to_vec(&json!({ "keys": many })).expect("serialize"),
        ),
    ] {
        after_cooldown().await;
        issuer.set_behavior(JwksBehavior::Body(body));
        assert_unknown_key(&private(&api, &unknown).await, name);
        assert_eq!(private(&api, &valid).await.status, 200, "k1 after {name}");
    }
    assert_eq!(issuer.jwks_requests(), 3);
}

#[tokio::test]
async fn redirects_followed_only_within_origin() {
    let issuer = FaultIssuer::start().await;
    let api = start_api(&issuer, test_jwks_settings()).await;
    let valid = issuer.token(AUDIENCE).sign();
    assert_eq!(private(&api, &valid).await.status, 200);

    // Another origin (a different host name and port) that serves the attacker's key.
    let attacker = FaultIssuer::start().await;
    let forged = attacker
        .token(AUDIENCE)
        .header("kid", "forged")
        .signed_by(attacker.key.clone());
    let forged = forged.claim("iss", issuer.issuer()).sign();
    let mut attacker_jwk = attacker.key.public_jwk();
    attacker_jwk["kid"] = json!("forged");
    attacker.publish(vec![attacker_jwk]);
    let other_host = format!(
        "http://localhost:{}/.well-known/jwks.json",
        attacker.addr().port()
    );
    after_cooldown().await;
    issuer.set_behavior(JwksBehavior::Redirect(other_host));
    assert_unknown_key(&private(&api, &forged).await, "redirect to another host");
    assert_eq!(
        attacker.jwks_requests(),
        0,
        "the other host was never asked"
    );
    assert_eq!(private(&api, &valid).await.status, 200);

    // Too many redirects within the origin.
    after_cooldown().await;
    issuer.set_behavior(JwksBehavior::Redirect(issuer.jwks_uri()));
    assert_unknown_key(&private(&api, &forged).await, "redirect loop");
    assert_eq!(private(&api, &valid).await.status, 200);

    // The same origin, another path with a query: followed.
    let k2 = Arc::new(DevKey::generate("k2").expect("generate k2"));
    issuer.publish(vec![issuer.key.public_jwk(), k2.public_jwk()]);
    after_cooldown().await;
    let same_origin = format!("{}elsewhere/jwks.json?version=2", issuer.issuer());
    issuer.set_behavior(JwksBehavior::Redirect(same_origin));
    let k2_token = issuer
        .token(AUDIENCE)
        .header("kid", "k2")
        .signed_by(k2)
        .sign();
    assert_eq!(private(&api, &k2_token).await.status, 200);
}

#[tokio::test]
async fn hanging_issuer_cold_cache_503() {
    let issuer = FaultIssuer::start().await;
    issuer.set_behavior(JwksBehavior::Hang);
    let config = config(&issuer, test_jwks_settings());
    let verifier = auth0_runtime::Verifier::new(config).expect("build the verifier");
    let app = example_api::app(verifier, &[]);
    let token = issuer.token(AUDIENCE).sign();

    let started = Instant::now();
    let outcomes = concurrent_requests(&app, vec![token; 100]).await;
    let elapsed = started.elapsed();
    for (index, outcome) in outcomes.iter().enumerate() {
        assert_eq!(outcome.0, 503, "request {index}");
    }
    // The fetch timeout is 2 s; a hang must not add to it per request.
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    assert_eq!(issuer.jwks_requests(), 1, "one fetch in flight");
}

#[tokio::test]
async fn hanging_issuer_on_warm_cache_keeps_known_keys() {
    let issuer = FaultIssuer::start().await;
    let mut settings = test_jwks_settings();
    settings.refresh_cooldown = Duration::from_secs(60);
    let config = config(&issuer, settings);
    let verifier = auth0_runtime::Verifier::new(config).expect("build the verifier");
    verifier.prefetch_keys().await.expect("keys load");
    let app = example_api::app(verifier, &[]);
    issuer.set_behavior(JwksBehavior::Hang);

    let known: Vec<String> = (0..50)
        .map(|index| {
            issuer
                .token(AUDIENCE)
                .claim("sub", format!("known-{index}"))
                .sign()
        })
        .collect();
    let unknown: Vec<String> = (0..50)
        .map(|index| {
            issuer
                .token(AUDIENCE)
                .header("kid", format!("unknown-{index}"))
                .sign()
        })
        .collect();

    let started = Instant::now();
    let outcomes = concurrent_requests(&app, known).await;
    let known_elapsed = started.elapsed();
    for (index, (status, _)) in outcomes.iter().enumerate() {
        assert_eq!(*status, 200, "known kid, request {index}");
    }
    assert!(
        known_elapsed < Duration::from_secs(2),
        "took {known_elapsed:?}"
    );

    let started = Instant::now();
    let outcomes = concurrent_requests(&app, unknown).await;
    let unknown_elapsed = started.elapsed();
    for (index, (status, body)) in outcomes.iter().enumerate() {
        assert_eq!(*status, 401, "unknown kid, request {index}");
        assert_eq!(body, &error_body("invalid_token", UNKNOWN_KEY));
    }
    assert!(
        unknown_elapsed < Duration::from_secs(5),
        "took {unknown_elapsed:?}"
    );
    assert_eq!(issuer.jwks_requests(), 2, "the prefetch and one refetch");
}

#[tokio::test]
async fn slow_issuer_within_timeout_serves_keys() {
    let issuer = FaultIssuer::start().await;
    issuer.set_behavior(JwksBehavior::Slow(Duration::from_millis(800)));
    let api = start_api(&issuer, test_jwks_settings()).await;
    let valid = issuer.token(AUDIENCE).sign();
    assert_eq!(private(&api, &valid).await.status, 200);

    let slower = FaultIssuer::start().await;
    slower.set_behavior(JwksBehavior::Slow(Duration::from_secs(4)));
    let api = start_api(&slower, test_jwks_settings()).await;
    let token = slower.token(AUDIENCE).sign();
    let started = Instant::now();
    assert_unavailable(&private(&api, &token).await, "past the 2 s timeout");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn issuer_down_at_start_then_back() {
    let mut issuer = FaultIssuer::start().await;
    issuer.stop().await;
    let config = config(&issuer, test_jwks_settings());
    let verifier = auth0_runtime::Verifier::new(config).expect("build the verifier");
    assert!(verifier.prefetch_keys().await.is_err());
    let api = auth0_tests::serve(example_api::app(verifier, &[])).await;
    let valid = issuer.token(AUDIENCE).sign();

    let response = reqwest::Client::new()
        .get(api.url("/api/private"))
        .bearer_auth(&valid)
        .send()
        .await
        .expect("send the request");
    assert_eq!(response.headers()[header::RETRY_AFTER], "5");
    assert_unavailable(&auth0_tests::outcome(response).await, "issuer down");

    issuer.restart().await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(private(&api, &valid).await.status, 200);
    assert_eq!(issuer.jwks_requests(), 1);
}

#[tokio::test]
async fn issuer_down_after_caching_bounded_by_max_stale() {
    let mut issuer = FaultIssuer::start().await;
    let mut settings = test_jwks_settings();
    settings.min_ttl = Duration::from_secs(1);
    settings.default_ttl = Duration::from_secs(1);
    settings.max_stale = Duration::from_secs(3);
    let api = start_api(&issuer, settings).await;
    let valid = issuer.token(AUDIENCE).sign();
    assert_eq!(private(&api, &valid).await.status, 200);
    assert_eq!(issuer.jwks_requests(), 1);
    issuer.stop().await;

    // Past the 1 s lifetime but within the 3 s stale limit: the last good keys serve.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let fresh_token = issuer.token(AUDIENCE).claim("sub", "second").sign();
    assert_eq!(private(&api, &valid).await.status, 200, "cached token");
    assert_eq!(private(&api, &fresh_token).await.status, 200, "new token");

    // Past lifetime plus stale limit: no key is trusted any more.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_unavailable(&private(&api, &valid).await, "past max_stale");

    // Back, publishing only k2: k1 is no longer trusted.
    let k2 = Arc::new(DevKey::generate("k2").expect("generate k2"));
    issuer.publish(vec![k2.public_jwk()]);
    issuer.restart().await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_unknown_key(&private(&api, &valid).await, "k1 after it was removed");
    let k2_token = issuer
        .token(AUDIENCE)
        .header("kid", "k2")
        .signed_by(k2)
        .sign();
    assert_eq!(private(&api, &k2_token).await.status, 200);
}

#[tokio::test]
async fn concurrent_cold_requests_fetch_once() {
    let issuer = FaultIssuer::start().await;
    // Distinct tokens, so none of them is served from the token cache.
    let tokens: Vec<String> = (0..1000)
        .map(|index| {
            issuer
                .token(AUDIENCE)
                .claim("sub", format!("user-{index}"))
                .sign()
        })
        .collect();

    for cache_control in [
        None,
        Some("no-cache"),
        Some("max-age=0"),
        Some("max-age=10"),
        Some("max-age=2592000"),
    ] {
        issuer.set_behavior(JwksBehavior::Keys {
            cache_control: cache_control.map(str::to_owned),
        });
        let before = issuer.jwks_requests();
        let verifier =
            auth0_runtime::Verifier::new(config(&issuer, JwksSettings::default())).expect("build");
        let app = example_api::app(verifier, &[]);
        let outcomes = concurrent_requests(&app, tokens.clone()).await;
        for (index, (status, _)) in outcomes.iter().enumerate() {
            assert_eq!(*status, 200, "{cache_control:?}, request {index}");
        }
        assert_eq!(
            issuer.jwks_requests() - before,
            1,
            "{cache_control:?}: one fetch for 1,000 cold requests"
        );
    }
}

#[tokio::test]
async fn random_kid_flood_fetches_within_cooldown_budget() {
    let issuer = FaultIssuer::start().await;
    let settings = test_jwks_settings();
    let cooldown = settings.refresh_cooldown;
    let verifier = auth0_runtime::Verifier::new(config(&issuer, settings)).expect("build");
    verifier.prefetch_keys().await.expect("keys load");
    let app = example_api::app(verifier, &[]);
    let valid = issuer.token(AUDIENCE).sign();

    let started = Instant::now();
    let mut round = 0;
    while started.elapsed() < Duration::from_millis(1500) {
        let tokens: Vec<String> = (0..50)
            .map(|index| {
                issuer
                    .token(AUDIENCE)
                    .header("kid", format!("flood-{round}-{index}"))
                    .sign()
            })
            .collect();
        for (status, _) in concurrent_requests(&app, tokens).await {
            assert_eq!(status, 401);
        }
        let (status, _) = concurrent_requests(&app, vec![valid.clone()]).await[0].clone();
        assert_eq!(status, 200, "round {round}");
        round += 1;
    }
    let elapsed = started.elapsed();
    let budget = 1 + (elapsed.as_millis() / cooldown.as_millis()) as usize + 1;
    assert!(
        issuer.jwks_requests() <= budget,
        "{} fetches in {elapsed:?} with a {cooldown:?} cooldown",
        issuer.jwks_requests()
    );
}

#[tokio::test]
async fn shared_kid_with_ec_entry_first() {
    let issuer = FaultIssuer::start().await;
    let (x, y) = (
        "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    );
    let ec = json!({ "kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig", "x": x, "y": y });
    issuer.publish(vec![ec, issuer.key.public_jwk()]);
    let api = start_api(&issuer, test_jwks_settings()).await;
    let valid = issuer.token(AUDIENCE).sign();
    assert_eq!(private(&api, &valid).await.status, 200);
}

/// Sends `GET /api/private` with each token at once, through the router without sockets,
/// and returns each status and JSON body in order.
async fn concurrent_requests(
    app: &axum::Router,
    tokens: Vec<String>,
) -> Vec<(u16, serde_json::Value)> {
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let app = app.clone();
            tokio::spawn(async move {
                let request = Request::get("/api/private")
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::empty())
                    .expect("a valid request");
                let response = app
                    .oneshot(request)
                    .await
                    .expect("the router is infallible");
                let status = response.status().as_u16();
                let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
                    .await
                    .expect("read the body");
                let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
                (status, body)
            })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        outcomes.push(task.await.expect("the request task"));
    }
    outcomes
}

#[tokio::test]
async fn unbounded_cache_settings_do_not_panic() {
    let issuer = FaultIssuer::start().await;
    issuer.set_behavior(JwksBehavior::Keys {
        cache_control: Some("max-age=99999999999999999999".into()),
    });
    let mut settings = test_jwks_settings();
    settings.default_ttl = Duration::MAX;
    settings.max_ttl = Duration::MAX;
    settings.max_stale = Duration::MAX;
    settings.refresh_cooldown = Duration::MAX;
    let api = start_api(&issuer, settings).await;
    let valid = issuer.token(AUDIENCE).sign();
    assert_eq!(private(&api, &valid).await.status, 200);
    let unknown = issuer.token(AUDIENCE).header("kid", "unknown").sign();
    assert_unknown_key(&private(&api, &unknown).await, "unknown kid");
    assert_eq!(private(&api, &valid).await.status, 200);
}

#[tokio::test]
async fn replaced_key_material_revokes_cached_tokens() {
    let issuer = FaultIssuer::start().await;
    let api = start_api(&issuer, test_jwks_settings()).await;
    let old = issuer.token(AUDIENCE).sign();
    assert_eq!(
        private(&api, &old).await.status,
        200,
        "verified and remembered"
    );

    // The issuer replaces the key behind `k1`, as after a leak of the old private key.
    let replacement = Arc::new(DevKey::generate("k1").expect("generate a key"));
    issuer.publish(vec![replacement.public_jwk()]);
    after_cooldown().await;
    let unknown = issuer.token(AUDIENCE).header("kid", "other").sign();
    assert_unknown_key(&private(&api, &unknown).await, "the refetch");
    assert_eq!(issuer.jwks_requests(), 2);

    let outcome = private(&api, &old).await;
    let description = "the access token signature is invalid";
    assert_eq!(outcome.status, 401, "a token of the replaced key");
    assert_eq!(outcome.challenges, invalid_token_challenge(description));
    let new = issuer.token(AUDIENCE).signed_by(replacement).sign();
    assert_eq!(private(&api, &new).await.status, 200);
}
