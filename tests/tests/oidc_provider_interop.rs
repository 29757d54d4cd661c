//! Interoperability with node-oidc-provider, an independent OpenID provider: the example
//! API, configured only through `AUTH0_ISSUER_BASE_URL` and `AUTH0_AUDIENCE`, must accept
//! exactly the tokens it should from an issuer that this workspace did not write.

use auth0_runtime::Config;
use auth0_runtime::dev::DpopKey;
use auth0_tests::oidc_provider::{OidcProvider, clients};
use auth0_tests::{
    Outcome, Served, error_body, get_bearer, invalid_token_challenge, outcome, serve_example_api,
    test_jwks_settings,
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

/// Builds an ES256 DPoP proof (RFC 9449 section 4.2) for `htm` and `htu` with a fresh
/// P-256 key, and returns it with the key's RFC 7638 thumbprint.
fn dpop_proof(htm: &str, htu: &str) -> (String, String) {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use sha2::Digest as _;

    let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("a P-256 key");
    let point = pair.public_key().as_ref();
    let x = URL_SAFE_NO_PAD.encode(&point[1..33]);
    let y = URL_SAFE_NO_PAD.encode(&point[33..65]);
    // RFC 7638: the required members in lexicographic order, without whitespace.
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    let thumbprint = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(canonical.as_bytes()));

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs();
    let header = json!({
        "typ": "dpop+jwt",
        "alg": "ES256",
        "jwk": { "kty": "EC", "crv": "P-256", "x": x, "y": y },
    });
    let claims = json!({ "jti": format!("proof-{now}-{x}"), "htm": htm, "htu": htu, "iat": now });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = pair
        .sign(&SystemRandom::new(), input.as_bytes())
        .expect("sign the proof");
    let proof = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()));
    (proof, thumbprint)
}

#[tokio::test]
async fn dpop_bound_token_rejected_as_bearer() {
    let (provider, api) = start().await;
    let (proof, thumbprint) = dpop_proof("POST", provider.token_endpoint());
    let token = provider
        .dpop_bound_token(clients::READER, Some("read:messages"), &proof)
        .await;
    let payload = token.split('.').nth(1).expect("a payload part");
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .expect("a base64url payload"),
    )
    .expect("JSON claims");
    assert_eq!(claims["cnf"]["jkt"], thumbprint, "bound to the proof's key");

    let outcome = get_bearer(&api.url("/api/private"), &token).await;
    let description = "the access token is DPoP-bound and must be sent with the DPoP scheme";
    assert_eq!(outcome.status, 401);
    assert_eq!(outcome.challenges, invalid_token_challenge(description));
    assert_eq!(outcome.body, error_body("invalid_token", description));
}

/// Gets a token from node-oidc-provider bound to `key`, with the `read:messages` scope.
async fn token_bound_to(provider: &OidcProvider, key: &DpopKey) -> String {
    let proof = key.proof("POST", provider.token_endpoint()).sign();
    let token = provider
        .dpop_bound_token(clients::READER, Some("read:messages"), &proof)
        .await;
    let payload = token.split('.').nth(1).expect("a payload part");
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
            .expect("a base64url payload"),
    )
    .expect("JSON claims");
    assert_eq!(
        claims["cnf"]["jkt"],
        key.thumbprint(),
        "bound to the proof's key"
    );
    token
}

/// Sends `GET url` with `Authorization: DPoP <token>` and a proof for it signed by `key`.
async fn get_dpop(url: &str, token: &str, key: &DpopKey) -> Outcome {
    let proof = key.proof("GET", url).access_token(token).sign();
    let response = reqwest::Client::new()
        .get(url)
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", proof)
        .send()
        .await
        .expect("send the request");
    outcome(response).await
}

// One test for both cases: each provider start loads oidc-provider in a new Node.js process,
// and many parallel starts on a busy machine can exceed the 30 s start-up timeout.
#[tokio::test]
async fn dpop_bound_token_accepted_only_with_its_key() {
    let (provider, api) = start().await;
    let key = DpopKey::generate().expect("a P-256 key");
    let token = token_bound_to(&provider, &key).await;
    let url = api.url("/api/private");

    let outcome = get_dpop(&url, &token, &key).await;
    assert_eq!(outcome.status, 200, "{:?}", outcome.body);
    assert_eq!(outcome.challenges, Vec::<String>::new());
    assert_eq!(
        outcome.body,
        json!({ "message": PRIVATE_MESSAGE, "user_id": "m2m-reader@clients" })
    );

    let other = DpopKey::generate().expect("a P-256 key");
    let outcome = get_dpop(&url, &token, &other).await;
    let description = "the DPoP proof key does not match the access token binding";
    assert_eq!(outcome.status, 401);
    assert_eq!(
        outcome.challenges,
        vec![format!(
            "DPoP algs=\"ES256\", error=\"invalid_token\", error_description=\"{description}\""
        )]
    );
    assert_eq!(outcome.body, error_body("invalid_token", description));
}
