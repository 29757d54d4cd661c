//! The quickstart checklist and the core verification cases, over real HTTP on loopback.

use std::time::Duration;

use auth0_runtime::dev::{DevIssuer, DevKey};
use auth0_runtime::{Config, Verifier};
use auth0_tests::{
    ExampleApi, config_for, error_body, get, get_bearer, invalid_token_challenge,
    no_credentials_challenges, serve,
};
use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

const PRIVATE_MESSAGE: &str =
    "Hello from a private endpoint! You need to be authenticated to see this.";

#[tokio::test]
async fn public_route_needs_no_token() {
    let app = ExampleApi::start().await;
    let outcome = get(&app.url("/api/public"), None).await;
    assert_eq!(outcome.status, 200);
    assert_eq!(
        outcome.body["message"],
        "Hello from a public endpoint! You don't need to be authenticated to see this."
    );
}

#[tokio::test]
async fn private_route_without_token_is_401() {
    let app = ExampleApi::start().await;
    let outcome = get(&app.url("/api/private"), None).await;
    assert_eq!(outcome.status, 401);
    assert_eq!(outcome.challenges, no_credentials_challenges());
    assert_eq!(
        outcome.body,
        error_body("unauthorized", "an access token is required")
    );
}

#[tokio::test]
async fn private_route_with_valid_token_is_200() {
    let app = ExampleApi::start().await;
    let token = app.issuer.token().subject("auth0|alice").sign();
    let outcome = get_bearer(&app.url("/api/private"), &token).await;
    assert_eq!(outcome.status, 200);
    assert_eq!(outcome.challenges, Vec::<String>::new());
    assert_eq!(
        outcome.body,
        json!({ "message": PRIVATE_MESSAGE, "user_id": "auth0|alice" })
    );
}

#[tokio::test]
async fn scoped_route_without_scope_is_403() {
    let app = ExampleApi::start().await;
    let token = app.issuer.token().scope("openid write:messages").sign();
    let outcome = get_bearer(&app.url("/api/private-scoped"), &token).await;
    assert_eq!(outcome.status, 403);
    assert_eq!(
        outcome.challenges,
        vec![
            "Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"the access token lacks a required scope\", scope=\"read:messages\""
        ]
    );
    assert_eq!(
        outcome.body,
        error_body(
            "insufficient_scope",
            "the access token lacks a required scope"
        )
    );
}

#[tokio::test]
async fn scoped_route_with_scope_is_200() {
    let app = ExampleApi::start().await;
    for scope in ["read:messages", "openid read:messages", "a read:messages b"] {
        let token = app.issuer.token().scope(scope).sign();
        let outcome = get_bearer(&app.url("/api/private-scoped"), &token).await;
        assert_eq!(outcome.status, 200, "scope {scope:?}");
    }
}

#[tokio::test]
async fn token_endpoint_tokens_work_end_to_end() {
    let app = ExampleApi::start().await;
    let client = reqwest::Client::new();
    let response = client
        .post(app.issuer.token_endpoint())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "cli"),
            ("audience", app.issuer.audience()),
            ("scope", "read:messages"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "read:messages");
    assert_eq!(body["expires_in"], 86_400);
    let token = body["access_token"].as_str().unwrap();

    let outcome = get_bearer(&app.url("/api/private-scoped"), token).await;
    assert_eq!(outcome.status, 200);
    assert_eq!(outcome.body["user_id"], "cli@clients");
}

#[tokio::test]
async fn token_endpoint_rejects_other_grants() {
    let issuer = DevIssuer::start().await.unwrap();
    let response = reqwest::Client::new()
        .post(issuer.token_endpoint())
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unsupported_grant_type");
}

/// Asserts a 401 `invalid_token` with `description` for `token` on `/api/private`.
async fn assert_invalid_token(app: &ExampleApi, token: &str, description: &str) {
    let outcome = get_bearer(&app.url("/api/private"), token).await;
    assert_eq!(outcome.status, 401, "{description}");
    assert_eq!(outcome.challenges, invalid_token_challenge(description));
    assert_eq!(outcome.body, error_body("invalid_token", description));
}

#[tokio::test]
async fn wrong_audience_rejected() {
    let app = ExampleApi::start().await;
    let token = app
        .issuer
        .token()
        .audience("https://other.example.com")
        .sign();
    assert_invalid_token(
        &app,
        &token,
        "the access token was issued for another audience",
    )
    .await;
    let token = app
        .issuer
        .token()
        .claim("aud", json!(["https://other.example.com"]))
        .sign();
    assert_invalid_token(
        &app,
        &token,
        "the access token was issued for another audience",
    )
    .await;
}

#[tokio::test]
async fn audience_array_accepted() {
    let app = ExampleApi::start().await;
    let audiences = json!(["https://tenant.example.com/userinfo", app.issuer.audience()]);
    let token = app.issuer.token().claim("aud", audiences).sign();
    assert_eq!(
        get_bearer(&app.url("/api/private"), &token).await.status,
        200
    );
}

#[tokio::test]
async fn wrong_issuer_rejected() {
    let app = ExampleApi::start().await;
    let issuer = app.issuer.issuer().to_owned();
    for iss in [
        "https://other.example.com/",
        issuer.trim_end_matches('/'),
        &issuer.to_uppercase(),
    ] {
        let token = app.issuer.token().issuer(iss).sign();
        assert_invalid_token(
            &app,
            &token,
            "the access token was issued by an untrusted issuer",
        )
        .await;
    }
}

#[tokio::test]
async fn expired_token_rejected() {
    let app = ExampleApi::start().await;
    let token = app.issuer.token().issued_in(-3600).expires_in(-120).sign();
    assert_invalid_token(&app, &token, "the access token expired").await;
}

#[tokio::test]
async fn expiry_within_leeway_accepted() {
    let app = ExampleApi::start().await;
    let token = app.issuer.token().expires_in(-5).sign();
    assert_eq!(
        get_bearer(&app.url("/api/private"), &token).await.status,
        200
    );
}

#[tokio::test]
async fn not_yet_valid_token_rejected() {
    let app = ExampleApi::start().await;
    let token = app.issuer.token().not_before_in(3600).sign();
    assert_invalid_token(&app, &token, "the access token is not valid yet").await;
    let token = app.issuer.token().issued_in(3600).sign();
    assert_invalid_token(&app, &token, "the access token is not valid yet").await;
}

#[tokio::test]
async fn bad_signature_rejected() {
    let app = ExampleApi::start().await;
    let token = app.issuer.token().sign();
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
    bytes[10] ^= 0x01;
    let forged = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(bytes));
    assert_invalid_token(&app, &forged, "the access token signature is invalid").await;

    let stranger = std::sync::Arc::new(DevKey::generate("dev-key-1").unwrap());
    let token = app.issuer.token().signed_by(stranger).sign();
    assert_invalid_token(&app, &token, "the access token signature is invalid").await;
}

#[tokio::test]
async fn alg_none_rejected_before_key_lookup() {
    let app = ExampleApi::start_with(|builder| builder).await;
    let requests_before = app.issuer.jwks_requests();
    let claims = app.issuer.token().claims().clone();
    for alg in ["none", "None", "nOnE", ""] {
        let header = URL_SAFE_NO_PAD.encode(json!({ "alg": alg, "typ": "JWT" }).to_string());
        let payload = URL_SAFE_NO_PAD.encode(Value::Object(claims.clone()).to_string());
        for token in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}.c2ln"),
        ] {
            assert_invalid_token(
                &app,
                &token,
                if token.ends_with('.') {
                    "the access token is malformed"
                } else {
                    "the access token is signed with a disallowed algorithm"
                },
            )
            .await;
        }
    }
    assert_eq!(
        app.issuer.jwks_requests(),
        requests_before,
        "no key lookup for alg none"
    );
}

#[tokio::test]
async fn hs256_signed_with_public_key_rejected() {
    let app = ExampleApi::start().await;
    let key = app.issuer.signing_key();
    let spki = key.public_key_spki_der();
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(&spki)
    );
    let secrets: Vec<Vec<u8>> = vec![
        pem.clone().into_bytes(),
        format!("\n{pem}").into_bytes(),
        spki.clone(),
        key.public_key_pkcs1_der(),
        key.public_jwk().to_string().into_bytes(),
    ];
    let claims = Value::Object(app.issuer.token().claims().clone());
    for secret in secrets {
        let header = json!({ "alg": "HS256", "typ": "JWT", "kid": key.kid() });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let tag = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, &secret),
            signing_input.as_bytes(),
        );
        let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()));
        assert_invalid_token(
            &app,
            &token,
            "the access token is signed with a disallowed algorithm",
        )
        .await;
    }
}

#[tokio::test]
async fn unknown_kid_refetches_once_then_401() {
    let mut settings = auth0_tests::test_jwks_settings();
    settings.refresh_cooldown = Duration::from_secs(60);
    let app = ExampleApi::start_with(|builder| builder.jwks(settings)).await;
    let valid = app.issuer.token().sign();
    assert_eq!(
        get_bearer(&app.url("/api/private"), &valid).await.status,
        200
    );
    let after_first = app.issuer.jwks_requests();
    assert_eq!(after_first, 1);

    let unknown = app.issuer.token().header("kid", "not-published").sign();
    assert_invalid_token(
        &app,
        &unknown,
        "the access token is signed with an unknown key",
    )
    .await;
    assert_eq!(
        app.issuer.jwks_requests(),
        2,
        "one refetch for the unknown kid"
    );

    for _ in 0..5 {
        assert_invalid_token(
            &app,
            &unknown,
            "the access token is signed with an unknown key",
        )
        .await;
    }
    assert_eq!(
        app.issuer.jwks_requests(),
        2,
        "no refetch within the cooldown"
    );
    assert_eq!(
        get_bearer(&app.url("/api/private"), &valid).await.status,
        200
    );
}

#[tokio::test]
async fn rotated_key_accepted_after_one_fetch() {
    let app = ExampleApi::start().await;
    let old = app.issuer.token().sign();
    assert_eq!(get_bearer(&app.url("/api/private"), &old).await.status, 200);
    assert_eq!(app.issuer.jwks_requests(), 1);

    let new_kid = app.issuer.rotate_key().unwrap();
    let new = app.issuer.token().sign();
    assert!(new.len() > 10 && new_kid == "dev-key-2");
    assert_eq!(get_bearer(&app.url("/api/private"), &new).await.status, 200);
    assert_eq!(
        app.issuer.jwks_requests(),
        2,
        "one fetch picks up the new key"
    );
    assert_eq!(
        get_bearer(&app.url("/api/private"), &old).await.status,
        200,
        "old key still published"
    );
    assert_eq!(app.issuer.jwks_requests(), 2);
}

#[tokio::test]
async fn issuer_down_at_startup_gives_503_until_back() {
    // Reserve a port, then free it so nothing listens there yet.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);

    let config = Config::builder()
        .issuer_base_url(format!("http://{addr}/"))
        .audience(auth0_runtime::dev::DEFAULT_AUDIENCE)
        .jwks(auth0_tests::test_jwks_settings())
        .build()
        .unwrap();
    let verifier = Verifier::new(config).unwrap();
    assert!(verifier.prefetch_keys().await.is_err());
    let api = serve(example_api::app(verifier, &[])).await;

    let key = std::sync::Arc::new(DevKey::generate("dev-key-1").unwrap());
    let issuer = DevIssuer::builder()
        .addr(addr)
        .keys(vec![key.clone()])
        .start()
        .await
        .unwrap();
    let token = issuer.token().sign();
    issuer.shutdown().await;

    let outcome = get_bearer(&api.url("/api/private"), &token).await;
    assert_eq!(outcome.status, 503);
    assert_eq!(outcome.challenges, Vec::<String>::new());
    assert_eq!(
        outcome.body,
        error_body(
            "temporarily_unavailable",
            "the token signing keys are temporarily unavailable"
        )
    );

    let issuer = DevIssuer::builder()
        .addr(addr)
        .keys(vec![key])
        .start()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let outcome = get_bearer(&api.url("/api/private"), &token).await;
    assert_eq!(outcome.status, 200);
    assert_eq!(issuer.jwks_requests(), 1);
}

#[tokio::test]
async fn malformed_authorization_is_400() {
    let app = ExampleApi::start().await;
    let url = app.url("/api/private");
    for value in ["Bearer", "Bearer a b", "Bearer ,abc"] {
        let outcome = get(&url, Some(value)).await;
        assert_eq!(outcome.status, 400, "{value:?}");
        assert_eq!(
            outcome.challenges,
            vec![
                "Bearer realm=\"api\", error=\"invalid_request\", error_description=\"the Authorization header is malformed\""
            ],
            "{value:?}"
        );
        assert_eq!(outcome.body["error"], "invalid_request");
    }
}

#[tokio::test]
async fn unsupported_scheme_is_unauthenticated() {
    let app = ExampleApi::start().await;
    let outcome = get(&app.url("/api/private"), Some("Basic dXNlcjpwYXNz")).await;
    assert_eq!(outcome.status, 401);
    assert_eq!(outcome.challenges, no_credentials_challenges());
}

#[tokio::test]
async fn scheme_name_is_case_insensitive() {
    let app = ExampleApi::start().await;
    let token = app.issuer.token().sign();
    for scheme in ["bearer", "BEARER", "BeArEr"] {
        let outcome = get(&app.url("/api/private"), Some(&format!("{scheme} {token}"))).await;
        assert_eq!(outcome.status, 200, "{scheme}");
    }
}

#[tokio::test]
async fn unknown_routes_are_not_401() {
    let app = ExampleApi::start().await;
    let client = reqwest::Client::new();
    assert_eq!(get(&app.url("/api/nope"), None).await.status, 404);
    assert_eq!(get(&app.url("/api/private/"), None).await.status, 404);
    let response = client.post(app.url("/api/private")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET,HEAD");
}

#[tokio::test]
async fn missing_verifier_is_compile_error_not_500() {
    // A router whose state lacks a `Verifier` cannot register a guarded handler; the ui
    // tests prove the compile error. Here, a router with the verifier works.
    let issuer = DevIssuer::start().await.unwrap();
    let verifier = Verifier::new(config_for(&issuer).build().unwrap()).unwrap();
    let api = serve(example_api::app(verifier, &[])).await;
    let token = issuer.token().sign();
    assert_eq!(
        get_bearer(&api.url("/api/private"), &token).await.status,
        200
    );
}

#[tokio::test]
async fn second_issuer_trusted_only_when_configured() {
    let custom_domain = DevIssuer::start().await.unwrap();
    let canonical = DevIssuer::start().await.unwrap();
    let canonical_token = canonical.token().sign();

    let only_custom = Verifier::new(config_for(&custom_domain).build().unwrap()).unwrap();
    let api = serve(example_api::app(only_custom, &[])).await;
    assert_eq!(
        get_bearer(&api.url("/api/private"), &custom_domain.token().sign())
            .await
            .status,
        200
    );
    let outcome = get_bearer(&api.url("/api/private"), &canonical_token).await;
    assert_eq!(outcome.status, 401);
    assert_eq!(
        outcome.challenges,
        invalid_token_challenge("the access token was issued by an untrusted issuer")
    );
    assert_eq!(
        canonical.jwks_requests(),
        0,
        "keys of an untrusted issuer are never fetched"
    );

    let config = config_for(&custom_domain)
        .additional_issuer_base_url(canonical.issuer())
        .build()
        .unwrap();
    let both = Verifier::new(config).unwrap();
    let api = serve(example_api::app(both, &[])).await;
    assert_eq!(
        get_bearer(&api.url("/api/private"), &canonical_token)
            .await
            .status,
        200
    );
    assert_eq!(
        get_bearer(&api.url("/api/private"), &custom_domain.token().sign())
            .await
            .status,
        200
    );
    assert_eq!(
        canonical.jwks_requests(),
        1,
        "each issuer's keys come from its own URL"
    );
    assert_eq!(custom_domain.jwks_requests(), 2);

    // A token naming one issuer but signed with the other's key is refused.
    let crossed = custom_domain.token().issuer(canonical.issuer()).sign();
    let outcome = get_bearer(&api.url("/api/private"), &crossed).await;
    assert_eq!(outcome.status, 401);
}

#[tokio::test]
async fn profile_reads_namespaced_roles_only() {
    let app = ExampleApi::start().await;
    let url = app.url("/api/profile");
    let admin = json!(["admin"]);
    let cases = [
        (
            "namespaced",
            app.issuer
                .token()
                .claim(example_api::ROLES_CLAIM, admin.clone()),
            json!(["admin"]),
        ),
        (
            "bare",
            app.issuer.token().claim("roles", admin.clone()),
            json!([]),
        ),
        (
            "other namespace",
            app.issuer
                .token()
                .claim("https://other.example.com/roles", admin.clone()),
            json!([]),
        ),
        ("absent", app.issuer.token(), json!([])),
    ];
    for (case, token, roles) in cases {
        let token = token
            .subject("auth0|bob")
            .permissions(["read:messages"])
            .sign();
        let outcome = get_bearer(&url, &token).await;
        assert_eq!(outcome.status, 200, "{case}");
        assert_eq!(
            outcome.body,
            json!({ "sub": "auth0|bob", "permissions": ["read:messages"], "roles": roles }),
            "{case}"
        );
    }
}
