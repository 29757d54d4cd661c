//! DPoP (RFC 9449) against the example API over real HTTP on 127.0.0.1: every proof check,
//! the key binding, replays, nonces, the proxy rules and the three modes.

mod support;

use std::sync::Arc;
use std::time::Duration;

use auth0_runtime::Algorithm;
use auth0_runtime::dev::{DevIssuer, DpopKey};
use auth0_runtime::dpop::{DpopConfig, DpopMode, NonceConfig, ReplayBackend};
use auth0_runtime::request_url::UrlPolicy;
use reqwest::StatusCode;
use serde_json::json;
use support::*;

const MALFORMED: &str = "the DPoP proof is malformed";
const REPLAYED: &str = "the DPoP proof was already used";
const OTHER_URL: &str = "the DPoP proof is for another URL";
const OTHER_METHOD: &str = "the DPoP proof is for another HTTP method";
const OTHER_TOKEN: &str = "the DPoP proof is for another access token";
const BAD_KEY: &str = "the DPoP proof key is invalid";
const BAD_ALG: &str = "the DPoP proof is signed with a disallowed algorithm";
const BAD_SIGNATURE: &str = "the DPoP proof signature is invalid";
const BAD_TIME: &str = "the DPoP proof is too old or from the future";
const ONE_PROOF: &str = "exactly one DPoP proof is required";

/// A dev issuer, the example API with default DPoP settings, and a client key with a
/// token bound to it.
struct Setup {
    issuer: DevIssuer,
    api: Api,
    key: DpopKey,
    token: String,
}

async fn setup() -> Setup {
    setup_with(DpopConfig::default(), UrlPolicy::Direct).await
}

async fn setup_with(dpop: DpopConfig, url_policy: UrlPolicy) -> Setup {
    let issuer = DevIssuer::start().await.unwrap();
    let api = start_api(&issuer, dpop, url_policy).await;
    let key = DpopKey::generate().unwrap();
    let token = bound_token(&issuer, &key);
    Setup {
        issuer,
        api,
        key,
        token,
    }
}

impl Setup {
    fn private(&self) -> String {
        self.api.url("/api/private")
    }

    /// Returns a valid proof for `GET /api/private` with the bound token.
    fn proof(&self) -> String {
        self.key
            .proof("GET", &self.private())
            .access_token(&self.token)
            .sign()
    }

    async fn send(&self, proof: &str) -> reqwest::Response {
        dpop_get(&self.private(), &self.token, &[proof]).await
    }

    /// Sends `proof` and asserts the 401 `invalid_dpop_proof` with `description`.
    async fn assert_proof_rejected(&self, proof: &str, description: &str) {
        let response = self.send(proof).await;
        assert_rejection(
            &response,
            StatusCode::UNAUTHORIZED,
            &[&proof_challenge(description)],
        );
    }
}

#[tokio::test]
async fn valid_proof_accepted() {
    let setup = setup().await;
    let response = setup.send(&setup.proof()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["user_id"], "dev-user");

    // The scheme name is case-insensitive.
    let response = support::client()
        .get(setup.private())
        .header("authorization", format!("dpop {}", setup.token))
        .header("dpop", setup.proof())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let scoped = setup.api.url("/api/private-scoped");
    let proof = setup
        .key
        .proof("GET", &scoped)
        .access_token(&setup.token)
        .sign();
    let response = dpop_get(&scoped, &setup.token, &[&proof]).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn bound_token_as_bearer_rejected() {
    let setup = setup().await;
    let response = support::client()
        .get(setup.private())
        .header("authorization", format!("Bearer {}", setup.token))
        .send()
        .await
        .unwrap();
    assert_rejection(
        &response,
        StatusCode::UNAUTHORIZED,
        &[
            "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"the access token is DPoP-bound and must be sent with the DPoP scheme\"",
        ],
    );
}

#[tokio::test]
async fn proof_by_other_key_rejected() {
    let setup = setup().await;
    let other = DpopKey::generate().unwrap();
    let proof = other
        .proof("GET", &setup.private())
        .access_token(&setup.token)
        .sign();
    let response = setup.send(&proof).await;
    assert_rejection(
        &response,
        StatusCode::UNAUTHORIZED,
        &[&dpop_token_challenge(
            "the DPoP proof key does not match the access token binding",
        )],
    );
}

#[tokio::test]
async fn unbound_token_with_dpop_rejected() {
    let setup = setup().await;
    let unbound = setup.issuer.token().sign();
    let proof = setup
        .key
        .proof("GET", &setup.private())
        .access_token(&unbound)
        .sign();
    let response = dpop_get(&setup.private(), &unbound, &[&proof]).await;
    assert_rejection(
        &response,
        StatusCode::UNAUTHORIZED,
        &[&dpop_token_challenge(
            "the access token is not DPoP-bound and must be sent with the Bearer scheme",
        )],
    );
}

#[tokio::test]
async fn ath_must_hash_the_token() {
    let setup = setup().await;
    let url = setup.private();
    let other_token = setup.issuer.token().subject("other").sign();
    let valid_ath = setup
        .key
        .proof("GET", &url)
        .access_token(&setup.token)
        .claims()["ath"]
        .as_str()
        .unwrap()
        .to_owned();
    let fresh = || setup.key.proof("GET", &url);

    let missing = fresh().sign();
    setup.assert_proof_rejected(&missing, MALFORMED).await;

    let other = fresh().access_token(&other_token).sign();
    setup.assert_proof_rejected(&other, OTHER_TOKEN).await;

    let padded = fresh().claim("ath", format!("{valid_ath}=")).sign();
    setup.assert_proof_rejected(&padded, OTHER_TOKEN).await;

    let with_scheme = fresh()
        .access_token(&format!("DPoP {}", setup.token))
        .sign();
    setup.assert_proof_rejected(&with_scheme, OTHER_TOKEN).await;
}

#[tokio::test]
async fn query_and_fragment_ignored() {
    let setup = setup().await;
    let url = setup.api.url("/api/private?a=1&b=2");
    let send = |htu: String| {
        let proof = setup
            .key
            .proof("GET", &htu)
            .access_token(&setup.token)
            .sign();
        let url = url.clone();
        let token = setup.token.clone();
        async move { dpop_get(&url, &token, &[&proof]).await }
    };

    let without_query = send(setup.private()).await;
    assert_eq!(without_query.status(), StatusCode::OK, "htu without query");

    let with_query = send(format!("{}?a=1&b=2", setup.private())).await;
    assert_eq!(with_query.status(), StatusCode::OK, "htu with the query");

    let other_query = send(format!("{}?z=9", setup.private())).await;
    assert_eq!(
        other_query.status(),
        StatusCode::OK,
        "htu with another query"
    );

    let with_fragment = send(format!("{}#section", setup.private())).await;
    assert_eq!(
        with_fragment.status(),
        StatusCode::OK,
        "htu with a fragment"
    );
}

#[tokio::test]
async fn replays_rejected() {
    let setup = setup().await;
    let proof = setup
        .key
        .proof("GET", &setup.private())
        .access_token(&setup.token);
    let signed = proof.sign();
    assert_eq!(setup.send(&signed).await.status(), StatusCode::OK);
    setup.assert_proof_rejected(&signed, REPLAYED).await;

    let jti = proof.claims()["jti"].clone();
    let lower_case = proof.clone().claim("htm", "get").sign();
    setup.assert_proof_rejected(&lower_case, OTHER_METHOD).await;

    let with_query = proof
        .clone()
        .claim("htu", format!("{}?x=1", setup.private()))
        .sign();
    setup.assert_proof_rejected(&with_query, REPLAYED).await;

    let new_iat = proof.clone().claim("jti", jti).issued_in(-2).sign();
    setup.assert_proof_rejected(&new_iat, REPLAYED).await;
}

#[tokio::test]
async fn future_proof_replay_rejected_later() {
    // The replay entry must outlive `iat + max_age`, not `now + max_age`: this proof is still
    // inside its window 20 s after first use.
    let dpop = DpopConfig::default()
        .max_age(Duration::from_secs(15))
        .max_future(Duration::from_secs(15));
    let setup = setup_with(dpop, UrlPolicy::Direct).await;
    let proof = setup
        .key
        .proof("GET", &setup.private())
        .access_token(&setup.token)
        .issued_in(10)
        .sign();
    assert_eq!(setup.send(&proof).await.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_secs(20)).await;
    setup.assert_proof_rejected(&proof, REPLAYED).await;
}

#[tokio::test]
async fn private_or_symmetric_jwk_rejected() {
    let setup = setup().await;
    let mut with_d = setup.key.public_jwk();
    with_d["d"] = setup.key.private_jwk()["d"].clone();
    let rsa_private = json!({
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "d": "X4cTteJY_gn4FYPsXB8rdXix5vwsg1FLN5E3EaG6RJoVH-HLLKD9M7dx5oo7GURknchnrRweUkC7hT5fJLM0WbFAKNLWY2vv7B6NqXSzUvxT0_YSfqijwp3RTzlBaCxWp4doFk5N2o8Gy_nHNKroADIkJ46pRUohsXywbReAdYaMwFs9tv8d_cPVY3i07a3t8MN6TNwm0dSawm9v47UiCl3Sk5ZiG7xojPLu4sbg1U2jx4IBTNBznbJSzFHK66jT8bgkuqsk0GjskDJk19Z4qwjwbsnn4j2WBii3RL-Us2lGVkY8fkFzme1z0HbIkfz0Y6mqnOYtqc0X4jfcKoAC8Q",
        "p": "83i-7IvMGXoMXCskv73TKr8637FiO7Z27zv8oj6pbWUQyLPQBQxtPVnwD20R-60eTDmD2ujnMt5PoqMrm8RfmNhVWDtjjMmCMjOpSXicFHj7XOuVIYQyqVWlWEh6dN36GVZYk93N8Bc9vY41xy8B9RzzOGVQzXvNEvn7O0nVbfs",
        "q": "3dfOR9cuYq-0S-mkFLzgItgMEfFzB2q3hWehMuG0oCuqnb3vobLyumqjVZQO1dIrdwgTnCdpYzBcOfW5r370AFXjiWft_NGEiovonizhKpo9VVS78TzFgxkIdrecRezsZ-1kYd_s1qDbxtkDEgfAITAG9LUnADun4vIcb6yelxk",
    });
    let oct = json!({ "kty": "oct", "k": "c2VjcmV0LWtleS1tYXRlcmlhbA" });
    for jwk in [with_d, rsa_private, oct] {
        let proof = setup
            .key
            .proof("GET", &setup.private())
            .access_token(&setup.token)
            .header("jwk", jwk.clone())
            .sign();
        setup.assert_proof_rejected(&proof, BAD_KEY).await;
    }
}

#[tokio::test]
async fn disallowed_algorithms_rejected() {
    let setup = setup().await;
    let base = || {
        setup
            .key
            .proof("GET", &setup.private())
            .access_token(&setup.token)
    };

    // `alg: none` with an empty signature part, as such proofs are sent.
    let signed = base().header("alg", "none").sign();
    let unsigned = format!("{}.", signed.rsplit_once('.').unwrap().0);
    setup.assert_proof_rejected(&unsigned, MALFORMED).await;
    let none_signed = base().header("alg", "none").sign();
    setup.assert_proof_rejected(&none_signed, BAD_ALG).await;

    let hmac = base()
        .header("alg", "HS256")
        .header("jwk", json!({ "kty": "oct", "k": "c2VjcmV0" }))
        .sign();
    setup.assert_proof_rejected(&hmac, BAD_ALG).await;

    let rs256 = base().header("alg", "RS256").sign();
    setup.assert_proof_rejected(&rs256, BAD_ALG).await;
}

#[tokio::test]
async fn wrong_typ_rejected() {
    let setup = setup().await;
    let base = || {
        setup
            .key
            .proof("GET", &setup.private())
            .access_token(&setup.token)
    };
    for proof in [
        base().header("typ", "JWT").sign(),
        base().header("typ", "DPOP+JWT").sign(),
        base().without_header("typ").sign(),
        setup.token.clone(),
    ] {
        setup.assert_proof_rejected(&proof, MALFORMED).await;
    }
}

#[tokio::test]
async fn dpop_header_count_checked() {
    let setup = setup().await;
    let first = setup.proof();
    let second = setup.proof();

    let two_lines = dpop_get(&setup.private(), &setup.token, &[&first, &second]).await;
    assert_rejection(
        &two_lines,
        StatusCode::UNAUTHORIZED,
        &[&proof_challenge(ONE_PROOF)],
    );
    setup
        .assert_proof_rejected(&format!("{first},{second}"), ONE_PROOF)
        .await;
    setup.assert_proof_rejected("", MALFORMED).await;

    let none = dpop_get(&setup.private(), &setup.token, &[]).await;
    assert_rejection(
        &none,
        StatusCode::UNAUTHORIZED,
        &[&proof_challenge("the DPoP proof is missing")],
    );

    // A proof on a Bearer request with an unbound token is a malformed request.
    let unbound = setup.issuer.token().sign();
    let response = support::client()
        .get(setup.private())
        .header("authorization", format!("Bearer {unbound}"))
        .header("dpop", first)
        .send()
        .await
        .unwrap();
    assert_rejection(
        &response,
        StatusCode::BAD_REQUEST,
        &[
            "Bearer realm=\"api\", error=\"invalid_request\", error_description=\"a DPoP proof was sent with a Bearer token\"",
        ],
    );
}

#[tokio::test]
async fn method_compared_case_sensitively() {
    let setup = setup().await;
    let proof = |htm: &str| {
        setup
            .key
            .proof(htm, &setup.private())
            .access_token(&setup.token)
            .sign()
    };
    setup
        .assert_proof_rejected(&proof("get"), OTHER_METHOD)
        .await;
    setup
        .assert_proof_rejected(&proof("POST"), OTHER_METHOD)
        .await;

    let head = support::client()
        .head(setup.private())
        .header("authorization", format!("DPoP {}", setup.token))
        .header("dpop", proof("GET"))
        .send()
        .await
        .unwrap();
    assert_rejection(
        &head,
        StatusCode::UNAUTHORIZED,
        &[&proof_challenge(OTHER_METHOD)],
    );
}

#[tokio::test]
async fn claim_types_and_bounds_checked() {
    let setup = setup().await;
    let base = || {
        setup
            .key
            .proof("GET", &setup.private())
            .access_token(&setup.token)
    };
    let now = base().claims()["iat"].as_i64().unwrap();
    let cases = [
        (base().claim("iat", now.to_string()).sign(), MALFORMED),
        (base().claim("iat", true).sign(), MALFORMED),
        (base().issued_in(-3600).sign(), BAD_TIME),
        (base().issued_in(3600).sign(), BAD_TIME),
        (base().without_claim("jti").sign(), MALFORMED),
        (base().claim("jti", "").sign(), MALFORMED),
        (base().claim("jti", "j".repeat(257)).sign(), MALFORMED),
        (base().claim("jti", "j".repeat(10_000)).sign(), MALFORMED),
        (base().claim("jti", 5).sign(), MALFORMED),
        (base().without_claim("htu").sign(), MALFORMED),
        (base().without_claim("htm").sign(), MALFORMED),
    ];
    for (proof, description) in cases {
        setup.assert_proof_rejected(&proof, description).await;
    }

    // Inside the 30 s allowance for clocks that run ahead.
    let ahead = base().issued_in(25).sign();
    assert_eq!(setup.send(&ahead).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn forged_signatures_rejected() {
    use base64::Engine as _;
    let encode = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);

    let setup = setup().await;
    let proof = setup.proof();
    let signing_input = proof.rsplit_once('.').unwrap().0;
    for signature in [
        encode(&[0u8; 64]),
        "MAYCAQACAQA".to_owned(),
        encode(&[7u8; 63]),
        encode(&[7u8; 65]),
    ] {
        let forged = format!("{signing_input}.{signature}");
        setup.assert_proof_rejected(&forged, BAD_SIGNATURE).await;
    }

    // A changed payload under the original signature.
    let other_payload = setup.proof();
    let (header, _) = proof.split_once('.').unwrap();
    let payload = other_payload.split('.').nth(1).unwrap();
    let signature = proof.rsplit_once('.').unwrap().1;
    let spliced = format!("{header}.{payload}.{signature}");
    setup.assert_proof_rejected(&spliced, BAD_SIGNATURE).await;
}

#[tokio::test]
async fn required_mode_rejects_bearer() {
    let setup = setup_with(
        DpopConfig::default().mode(DpopMode::Required),
        UrlPolicy::Direct,
    )
    .await;
    let unbound = setup.issuer.token().sign();
    let response = support::client()
        .get(setup.private())
        .header("authorization", format!("Bearer {unbound}"))
        .send()
        .await
        .unwrap();
    assert_rejection(&response, StatusCode::UNAUTHORIZED, &[DPOP_CHALLENGE]);

    let none = support::client().get(setup.private()).send().await.unwrap();
    assert_rejection(&none, StatusCode::UNAUTHORIZED, &[DPOP_CHALLENGE]);

    assert_eq!(setup.send(&setup.proof()).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn disabled_mode_ignores_dpop() {
    let setup = setup_with(
        DpopConfig::default().mode(DpopMode::Disabled),
        UrlPolicy::Direct,
    )
    .await;
    let response = setup.send(&setup.proof()).await;
    assert_rejection(&response, StatusCode::UNAUTHORIZED, &[BEARER_CHALLENGE]);

    let unbound = setup.issuer.token().sign();
    let response = support::client()
        .get(setup.private())
        .header("authorization", format!("Bearer {unbound}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn allowed_mode_challenges_both() {
    let setup = setup().await;
    let none = support::client().get(setup.private()).send().await.unwrap();
    assert_rejection(
        &none,
        StatusCode::UNAUTHORIZED,
        &[BEARER_CHALLENGE, DPOP_CHALLENGE],
    );
}

/// Sends a proof for `htu` to `/api/private` with the given forwarding headers.
async fn send_forwarded(setup: &Setup, htu: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let proof = setup
        .key
        .proof("GET", htu)
        .access_token(&setup.token)
        .sign();
    let mut request = support::client()
        .get(setup.private())
        .header("authorization", format!("DPoP {}", setup.token))
        .header("dpop", proof);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn trusted_proxy_describes_url() {
    let setup = setup_with(DpopConfig::default(), UrlPolicy::TrustProxy).await;
    let forwarded = [
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "api.example.com"),
    ];
    let accepted = [
        "https://api.example.com/api/private",
        "https://api.example.com:443/api/private",
        "HTTPS://API.EXAMPLE.COM/api/private",
        "https://api.example.com/api/%70rivate",
    ];
    for htu in accepted {
        let response = send_forwarded(&setup, htu, &forwarded).await;
        assert_eq!(response.status(), StatusCode::OK, "{htu}");
    }
    let rejected = [
        "https://api.example.com/api/private/",
        "http://api.example.com/api/private",
        "https://api.example.com:8443/api/private",
        &setup.private(),
    ];
    for htu in rejected {
        let response = send_forwarded(&setup, htu, &forwarded).await;
        assert_rejection(
            &response,
            StatusCode::UNAUTHORIZED,
            &[&proof_challenge(OTHER_URL)],
        );
    }

    let standard = [(
        "forwarded",
        "for=192.0.2.1;proto=https;host=api.example.com",
    )];
    let response = send_forwarded(&setup, "https://api.example.com/api/private", &standard).await;
    assert_eq!(response.status(), StatusCode::OK, "Forwarded header");

    let prefixed = [
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "example.com"),
        ("x-forwarded-prefix", "/orders"),
    ];
    let response =
        send_forwarded(&setup, "https://example.com/orders/api/private", &prefixed).await;
    assert_eq!(response.status(), StatusCode::OK, "X-Forwarded-Prefix");
}

#[tokio::test]
async fn proxy_uses_right_most_value() {
    let setup = setup_with(DpopConfig::default(), UrlPolicy::TrustProxy).await;
    let headers = [
        ("x-forwarded-proto", "https, http"),
        ("x-forwarded-host", "api.example.com"),
    ];
    let response = send_forwarded(&setup, "http://api.example.com/api/private", &headers).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = send_forwarded(&setup, "https://api.example.com/api/private", &headers).await;
    assert_rejection(
        &response,
        StatusCode::UNAUTHORIZED,
        &[&proof_challenge(OTHER_URL)],
    );
}

#[tokio::test]
async fn untrusted_proxy_headers_ignored() {
    let setup = setup().await;
    let forwarded = [
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "api.example.com"),
        ("forwarded", "proto=https;host=api.example.com"),
    ];
    let response = send_forwarded(&setup, "https://api.example.com/api/private", &forwarded).await;
    assert_rejection(
        &response,
        StatusCode::UNAUTHORIZED,
        &[&proof_challenge(OTHER_URL)],
    );
    let response = send_forwarded(&setup, &setup.private(), &forwarded).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn public_base_url_replaces_origin() {
    let policy = UrlPolicy::public_base_url("https://api.example.com/v1").unwrap();
    let setup = setup_with(DpopConfig::default(), policy).await;
    let response = send_forwarded(&setup, "https://api.example.com/v1/api/private", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = send_forwarded(&setup, &setup.private(), &[]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn nonce_challenge_and_retry() {
    let secret = [42u8; 32];
    let dpop = || DpopConfig::default().nonce(NonceConfig::new(secret).unwrap());
    let setup = setup_with(dpop(), UrlPolicy::Direct).await;

    let response = setup.send(&setup.proof()).await;
    assert_rejection(
        &response,
        StatusCode::UNAUTHORIZED,
        &[
            "DPoP algs=\"ES256\", error=\"use_dpop_nonce\", error_description=\"the DPoP proof must carry the server nonce\"",
        ],
    );
    let nonce = response.headers()["dpop-nonce"]
        .to_str()
        .unwrap()
        .to_owned();

    let with_nonce = |nonce: &str| {
        setup
            .key
            .proof("GET", &setup.private())
            .access_token(&setup.token)
            .nonce(nonce)
            .sign()
    };
    assert_eq!(
        setup.send(&with_nonce(&nonce)).await.status(),
        StatusCode::OK
    );

    let wrong = setup.send(&with_nonce("AAAA")).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.headers()["dpop-nonce"], nonce.as_str());

    // A second instance with the same secret accepts the first one's nonce.
    let second = start_api(&setup.issuer, dpop(), UrlPolicy::Direct).await;
    let url = second.url("/api/private");
    let proof = setup
        .key
        .proof("GET", &url)
        .access_token(&setup.token)
        .nonce(&nonce)
        .sign();
    assert_eq!(
        dpop_get(&url, &setup.token, &[&proof]).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn full_memory_store_fails_closed() {
    let dpop = DpopConfig::default().replay(ReplayBackend::Memory { capacity: 1 });
    let setup = setup_with(dpop, UrlPolicy::Direct).await;
    let mut unavailable = None;
    // 16 shards of one entry each: the 17th proof at the latest finds its shard full.
    for _ in 0..17 {
        let response = setup.send(&setup.proof()).await;
        if response.status() != StatusCode::OK {
            unavailable = Some(response);
            break;
        }
    }
    let response = unavailable.expect("a full store rejects a proof");
    assert_rejection(&response, StatusCode::SERVICE_UNAVAILABLE, &[]);
    assert_eq!(response.headers()["retry-after"], "5");
}

#[tokio::test]
async fn full_memory_store_fail_open() {
    let dpop = DpopConfig::default()
        .replay(ReplayBackend::Memory { capacity: 1 })
        .replay_fail_open(true);
    let setup = setup_with(dpop, UrlPolicy::Direct).await;
    for _ in 0..20 {
        assert_eq!(setup.send(&setup.proof()).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn other_algorithms_when_allowed() {
    let dpop = DpopConfig::default().algorithms([Algorithm::ES256, Algorithm::EdDSA]);
    let setup = setup_with(dpop, UrlPolicy::Direct).await;
    let none = support::client().get(setup.private()).send().await.unwrap();
    assert_rejection(
        &none,
        StatusCode::UNAUTHORIZED,
        &[BEARER_CHALLENGE, "DPoP algs=\"ES256 EdDSA\""],
    );
    let response = setup.send(&setup.proof()).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn custom_store_receives_entries() {
    let store = Arc::new(auth0_runtime::dpop::MemoryReplayStore::new(100));
    let dpop = DpopConfig::default().replay(ReplayBackend::Custom(store.clone()));
    let setup = setup_with(dpop, UrlPolicy::Direct).await;
    let proof = setup.proof();
    assert_eq!(setup.send(&proof).await.status(), StatusCode::OK);

    // The same store behind a second instance detects the replay.
    let dpop = DpopConfig::default().replay(ReplayBackend::Custom(store));
    let second = start_api(&setup.issuer, dpop, UrlPolicy::Direct).await;
    let proof_for_second = setup
        .key
        .proof("GET", &second.url("/api/private"))
        .access_token(&setup.token);
    let signed = proof_for_second.sign();
    let url = second.url("/api/private");
    assert_eq!(
        dpop_get(&url, &setup.token, &[&signed]).await.status(),
        StatusCode::OK
    );
    let response = dpop_get(&url, &setup.token, &[&signed]).await;
    assert_rejection(
        &response,
        StatusCode::UNAUTHORIZED,
        &[&proof_challenge(REPLAYED)],
    );
}

#[tokio::test]
async fn dev_issuer_binds_token_to_proof() {
    let issuer = DevIssuer::start().await.unwrap();
    let key = DpopKey::generate().unwrap();
    let endpoint = issuer.token_endpoint();
    let request = |proof: Option<String>| {
        let mut request = support::client()
            .post(&endpoint)
            .json(&json!({ "grant_type": "client_credentials" }));
        if let Some(proof) = proof {
            request = request.header("dpop", proof);
        }
        request.send()
    };

    let proof = key.proof("POST", &endpoint).sign();
    let response = request(Some(proof.clone())).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "DPoP");
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(payload(token)["cnf"]["jkt"], key.thumbprint());

    let replay = request(Some(proof)).await.unwrap();
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = replay.json().await.unwrap();
    assert_eq!(body["error"], "invalid_dpop_proof");

    let wrong_url = key.proof("POST", issuer.issuer()).sign();
    let response = request(Some(wrong_url)).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let wrong_method = key.proof("GET", &endpoint).sign();
    let response = request(Some(wrong_method)).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let plain = request(None).await.unwrap();
    let body: serde_json::Value = plain.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert!(payload(body["access_token"].as_str().unwrap())["cnf"].is_null());
}
