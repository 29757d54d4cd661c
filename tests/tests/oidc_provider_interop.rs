//! Interoperability with node-oidc-provider, an independent OpenID provider: the example
//! API, configured only through `AUTH0_ISSUER_BASE_URL` and `AUTH0_AUDIENCE`, must accept
//! exactly the tokens it should from an issuer that this workspace did not write.

use auth0_runtime::Config;
use auth0_tests::oidc_provider::{OidcProvider, clients};
use auth0_tests::{
    Served, error_body, get_bearer, invalid_token_challenge, serve_example_api, test_jwks_settings,
};
use serde_json::json;

const AUDIENCE: &str = "https://interop.api.example.com";
const PRIVATE_MESSAGE: &str =
    "Hello from a private endpoint! You need to be authenticated to see this.";
const SCOPED_MESSAGE: &str = "Hello from a private endpoint! You need to be authenticated and have a scope of read:messages to see this.";

/// Starts node-oidc-provider and the example API configured as a deployment would be,
/// from the two environment variables.
async fn start() -> (OidcProvider, Served) {
    let provider = OidcProvider::start(AUDIENCE).await;
    let issuer = provider.issuer.clone();
    let config = Config::from_lookup(|name| match name {
        "AUTH0_ISSUER_BASE_URL" => Some(issuer.clone()),
        "AUTH0_AUDIENCE" => Some(AUDIENCE.to_owned()),
        _ => None,
    })
    .expect("valid configuration");
    let config = rebuild_with_test_jwks(&config);
    let (_, api) = serve_example_api(config).await;
    (provider, api)
}

/// Keeps the configuration read from the variables but shortens the key-fetch cooldown,
/// so the rotation test does not wait 30 s.
fn rebuild_with_test_jwks(config: &Config) -> Config {
    Config::builder()
        .issuer_base_url(config.issuer())
        .audience(config.audience())
        .jwks(test_jwks_settings())
        .build()
        .expect("valid configuration")
}

#[tokio::test]
async fn scoped_token_accepted_on_every_route() {
    let (provider, api) = start().await;
    let token = provider
        .client_credentials(clients::READER, Some("read:messages"))
        .await;

    let outcome = get_bearer(&api.url("/api/private"), &token).await;
    assert_eq!(outcome.status, 200);
    assert_eq!(outcome.challenges, Vec::<String>::new());
    assert_eq!(
        outcome.body,
        json!({ "message": PRIVATE_MESSAGE, "user_id": "m2m-reader@clients" })
    );

    let outcome = get_bearer(&api.url("/api/private-scoped"), &token).await;
    assert_eq!(outcome.status, 200);
    assert_eq!(
        outcome.body,
        json!({ "message": SCOPED_MESSAGE, "user_id": "m2m-reader@clients" })
    );

    let outcome = get_bearer(&api.url("/api/profile"), &token).await;
    assert_eq!(outcome.status, 200);
    assert_eq!(
        outcome.body,
        json!({ "sub": "m2m-reader@clients", "permissions": ["read:messages"], "roles": [] })
    );
}

#[tokio::test]
async fn token_without_scope_gets_403_on_scoped_route() {
    let (provider, api) = start().await;
    let token = provider.client_credentials(clients::READER, None).await;

    let outcome = get_bearer(&api.url("/api/private"), &token).await;
    assert_eq!(outcome.status, 200);

    let outcome = get_bearer(&api.url("/api/private-scoped"), &token).await;
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

    let outcome = get_bearer(&api.url("/api/profile"), &token).await;
    assert_eq!(
        outcome.body,
        json!({ "sub": "m2m-reader@clients", "permissions": [], "roles": [] })
    );
}

#[tokio::test]
async fn other_scope_only_gets_403() {
    let (provider, api) = start().await;
    let token = provider
        .client_credentials(clients::READER, Some("write:messages"))
        .await;
    let outcome = get_bearer(&api.url("/api/private-scoped"), &token).await;
    assert_eq!(outcome.status, 403);
    assert_eq!(outcome.body["error"], "insufficient_scope");
}

#[tokio::test]
async fn namespaced_roles_claim_reaches_handler() {
    let (provider, api) = start().await;
    let token = provider
        .client_credentials(clients::ADMIN, Some("read:messages write:messages"))
        .await;
    let outcome = get_bearer(&api.url("/api/profile"), &token).await;
    assert_eq!(outcome.status, 200);
    assert_eq!(
        outcome.body,
        json!({
            "sub": "m2m-admin@clients",
            "permissions": ["read:messages", "write:messages"],
            "roles": ["admin"],
        })
    );
}

#[tokio::test]
async fn rfc9068_at_jwt_tokens_accepted() {
    let (provider, api) = start().await;
    let token = provider
        .client_credentials(clients::RFC9068, Some("read:messages"))
        .await;
    let outcome = get_bearer(&api.url("/api/private-scoped"), &token).await;
    assert_eq!(outcome.status, 200, "{:?}", outcome.body);
    assert_eq!(
        outcome.body,
        json!({ "message": SCOPED_MESSAGE, "user_id": clients::RFC9068 })
    );
}

#[tokio::test]
async fn token_of_another_provider_rejected() {
    let (_provider, api) = start().await;
    let stranger = OidcProvider::start(AUDIENCE).await;
    let token = stranger
        .client_credentials(clients::READER, Some("read:messages"))
        .await;
    let outcome = get_bearer(&api.url("/api/private"), &token).await;
    let description = "the access token was issued by an untrusted issuer";
    assert_eq!(outcome.status, 401);
    assert_eq!(outcome.challenges, invalid_token_challenge(description));
    assert_eq!(outcome.body, error_body("invalid_token", description));
}

#[tokio::test]
async fn rotated_key_accepted_after_one_fetch() {
    let (provider, api) = start().await;
    let old = provider
        .client_credentials(clients::READER, Some("read:messages"))
        .await;
    assert_eq!(get_bearer(&api.url("/api/private"), &old).await.status, 200);
    assert_eq!(provider.jwks_requests().await, 1);

    let new_kid = provider.rotate_key().await;
    let new = provider
        .client_credentials(clients::READER, Some("read:messages"))
        .await;
    assert!(
        kid_of(&new) == new_kid,
        "the new token is signed with the new key"
    );

    assert_eq!(get_bearer(&api.url("/api/private"), &new).await.status, 200);
    assert_eq!(
        provider.jwks_requests().await,
        2,
        "one fetch picks up the new key"
    );
    assert_eq!(
        get_bearer(&api.url("/api/private"), &old).await.status,
        200,
        "the old key is still published"
    );
    assert_eq!(provider.jwks_requests().await, 2);
}

fn kid_of(token: &str) -> String {
    use base64::Engine as _;
    let header = token.split('.').next().expect("a header part");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .expect("a base64url header");
    let header: serde_json::Value = serde_json::from_slice(&bytes).expect("a JSON header");
    header["kid"].as_str().expect("a kid").to_owned()
}
