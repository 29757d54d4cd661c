//! Routing and browsers (unknown routes, CORS preflight) and the token shapes Auth0
//! issues (custom domains, machine-to-machine tokens).

use auth0_runtime::Verifier;
use auth0_runtime::dev::DevIssuer;
use auth0_tests::{
    ExampleApi, config_for, error_body, get, get_bearer, invalid_token_challenge,
    no_credentials_challenges, serve,
};
use axum::http::HeaderValue;
use serde_json::json;

const ORIGIN: &str = "https://app.example.com";

#[tokio::test]
async fn unknown_routes_never_401() {
    let app = ExampleApi::start().await;
    let expired = app.issuer.token().issued_in(-3600).expires_in(-600).sign();
    for authorization in [None, Some(format!("Bearer {expired}"))] {
        let authorization = authorization.as_deref();
        assert_eq!(get(&app.url("/api/nope"), authorization).await.status, 404);
        assert_eq!(
            get(&app.url("/api/private/"), authorization).await.status,
            404
        );

        let mut request = reqwest::Client::new().post(app.url("/api/private"));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.expect("send the request");
        assert_eq!(response.status(), 405);
        assert_eq!(response.headers()["allow"], "GET,HEAD");
    }
}

/// Serves the example API with `ORIGIN` allowed for browsers.
async fn start_with_cors() -> (DevIssuer, auth0_tests::Served) {
    let issuer = DevIssuer::start().await.expect("start the dev issuer");
    let config = config_for(&issuer).build().expect("valid configuration");
    let verifier = Verifier::new(config).expect("build the verifier");
    let origins = [HeaderValue::from_static(ORIGIN)];
    let api = serve(example_api::app(verifier, &origins)).await;
    (issuer, api)
}

#[tokio::test]
async fn cors_preflight_skips_authentication() {
    let (issuer, api) = start_with_cors().await;
    let response = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, api.url("/api/private"))
        .header("origin", ORIGIN)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization, dpop")
        .send()
        .await
        .expect("send the preflight");
    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    assert_eq!(
        headers["access-control-allow-headers"],
        "authorization,content-type,dpop"
    );
    assert_eq!(headers["access-control-allow-methods"], "GET,POST");
    assert!(headers.get("www-authenticate").is_none());
    assert_eq!(response.text().await.expect("read the body"), "");
    assert_eq!(issuer.jwks_requests(), 0, "no token was verified");
}

#[tokio::test]
async fn cors_rejection_readable_by_browser() {
    let (issuer, api) = start_with_cors().await;
    let expired = issuer.token().issued_in(-3600).expires_in(-600).sign();
    let response = reqwest::Client::new()
        .get(api.url("/api/private"))
        .header("origin", ORIGIN)
        .bearer_auth(&expired)
        .send()
        .await
        .expect("send the request");
    assert_eq!(response.status(), 401);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    assert_eq!(
        headers["access-control-expose-headers"],
        "www-authenticate,dpop-nonce"
    );
    let outcome = auth0_tests::outcome(response).await;
    assert_eq!(
        outcome.challenges,
        invalid_token_challenge("the access token expired")
    );
}

#[tokio::test]
async fn cors_other_origin_not_allowed() {
    let (_issuer, api) = start_with_cors().await;
    let response = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, api.url("/api/private"))
        .header("origin", "https://evil.example.com")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .expect("send the preflight");
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let outcome = get(&api.url("/api/private"), None).await;
    assert_eq!(outcome.status, 401);
    assert_eq!(outcome.challenges, no_credentials_challenges());
}

#[tokio::test]
async fn other_issuer_never_trusted_or_fetched() {
    // The API trusts one issuer, which stands for a custom domain. A second issuer, standing
    // for the tenant's canonical domain, signs a token with its own key and the same kid.
    let app = ExampleApi::start().await;
    let canonical = DevIssuer::start().await.expect("start the second issuer");
    let token = canonical
        .token()
        .audience(app.issuer.audience())
        .scope("read:messages")
        .sign();
    let outcome = get_bearer(&app.url("/api/private"), &token).await;
    let description = "the access token was issued by an untrusted issuer";
    assert_eq!(outcome.status, 401);
    assert_eq!(outcome.challenges, invalid_token_challenge(description));
    assert_eq!(outcome.body, error_body("invalid_token", description));
    assert_eq!(
        canonical.jwks_requests(),
        0,
        "keys never fetched from the token's iss"
    );
    assert_eq!(canonical.discovery_requests(), 0);
    assert_eq!(
        app.issuer.jwks_requests(),
        0,
        "rejected before any key lookup"
    );

    let own = app.issuer.token().sign();
    assert_eq!(get_bearer(&app.url("/api/private"), &own).await.status, 200);
}

#[tokio::test]
async fn machine_token_reaches_every_route() {
    let app = ExampleApi::start().await;
    let token = app
        .issuer
        .token()
        .subject("AbC123@clients")
        .claim("gty", "client-credentials")
        .claim("azp", "AbC123")
        .scope("read:messages")
        .sign();

    let outcome = get_bearer(&app.url("/api/private-scoped"), &token).await;
    assert_eq!(outcome.status, 200);
    assert_eq!(outcome.body["user_id"], "AbC123@clients");

    let outcome = get_bearer(&app.url("/api/profile"), &token).await;
    assert_eq!(outcome.status, 200);
    assert_eq!(
        outcome.body,
        json!({ "sub": "AbC123@clients", "permissions": [], "roles": [] })
    );

    let outcome = get_bearer(&app.url("/api/private"), &token).await;
    assert_eq!(outcome.status, 200);
    assert_eq!(outcome.body["user_id"], "AbC123@clients");
}

#[tokio::test]
async fn profile_rejects_malformed_roles() {
    // `/api/profile` reads roles into a typed `Vec<String>`: a roles claim of another type
    // makes the token invalid for that route, never a 500.
    let app = ExampleApi::start().await;
    for roles in [json!("admin"), json!([1, 2]), json!({ "admin": true })] {
        let token = app
            .issuer
            .token()
            .claim(example_api::ROLES_CLAIM, roles.clone())
            .sign();
        let outcome = get_bearer(&app.url("/api/profile"), &token).await;
        assert_eq!(outcome.status, 401, "roles {roles}");
        assert_eq!(
            outcome.challenges,
            vec![
                "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"the access token has an invalid claim\""
            ],
            "roles {roles}"
        );
        assert_eq!(outcome.body["error"], "invalid_token", "roles {roles}");

        let outcome = get_bearer(&app.url("/api/private"), &token).await;
        assert_eq!(
            outcome.status, 200,
            "roles {roles} on a route that ignores them"
        );
    }
}
