//! Property tests: arbitrary `Authorization` bytes and arbitrary token strings never get a
//! 5xx, and every 401, 403 or 400 carries a challenge.

use std::sync::OnceLock;

use auth0_runtime::Verifier;
use auth0_runtime::dev::DevIssuer;
use auth0_tests::config_for;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proptest::prelude::*;
use tokio::runtime::Runtime;
use tower::ServiceExt as _;

/// The runtime, issuer and router shared by every case, with the keys already loaded.
struct Harness {
    runtime: Runtime,
    issuer: DevIssuer,
    app: Router,
    valid: String,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = Runtime::new().expect("a tokio runtime");
        let (issuer, app) = runtime.block_on(async {
            let issuer = DevIssuer::start().await.expect("start the dev issuer");
            let config = config_for(&issuer).build().expect("valid configuration");
            let verifier = Verifier::new(config).expect("build the verifier");
            verifier.prefetch_keys().await.expect("keys load");
            (issuer, example_api::app(verifier, &[]))
        });
        let valid = issuer.token().scope("read:messages").sign();
        Harness {
            runtime,
            issuer,
            app,
            valid,
        }
    })
}

/// Sends `GET path` with the given `Authorization` value and returns the status and
/// whether the response has a `WWW-Authenticate` header.
fn send(path: &str, authorization: HeaderValue) -> (u16, bool) {
    let harness = harness();
    let request = Request::get(path)
        .header(header::AUTHORIZATION, authorization)
        .body(Body::empty())
        .expect("a valid request");
    let response = harness
        .runtime
        .block_on(harness.app.clone().oneshot(request))
        .expect("the router is infallible");
    let challenged = response.headers().contains_key(header::WWW_AUTHENTICATE);
    (response.status().as_u16(), challenged)
}

fn assert_handled(path: &str, authorization: &HeaderValue) -> Result<(), TestCaseError> {
    let (status, challenged) = send(path, authorization.clone());
    prop_assert!(status < 500, "status {status} for {authorization:?}");
    if matches!(status, 400 | 401 | 403) {
        prop_assert!(challenged, "status {status} without a challenge");
    }
    Ok(())
}

fn token_part() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9_-]{0,80}",
        any::<Vec<u8>>().prop_map(|bytes| URL_SAFE_NO_PAD.encode(bytes)),
        "\\PC{0,60}".prop_map(|text| URL_SAFE_NO_PAD.encode(text)),
        prop::collection::vec(
            prop_oneof![
                Just("{".to_owned()),
                Just("}".to_owned()),
                Just("\"alg\":\"RS256\",".to_owned()),
                Just("\"kid\":\"dev-key-1\",".to_owned()),
                Just("\"exp\":".to_owned()),
                Just("\"aud\":[".to_owned()),
                Just("]".to_owned()),
                Just("1e999".to_owned()),
                Just("null".to_owned()),
                "[a-z0-9:\"]{0,8}",
            ],
            0..16,
        )
        .prop_map(|pieces| URL_SAFE_NO_PAD.encode(pieces.concat())),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_authorization_bytes_never_5xx(bytes in any::<Vec<u8>>(), prefix in prop_oneof![
        Just(&b""[..]),
        Just(&b"Bearer "[..]),
        Just(&b"DPoP "[..]),
        Just(&b"bearer\t"[..]),
    ]) {
        let value = [prefix, &bytes[..]].concat();
        if let Ok(value) = HeaderValue::from_bytes(&value) {
            assert_handled("/api/private", &value)?;
            assert_handled("/api/private-scoped", &value)?;
        }
    }

    #[test]
    fn arbitrary_token_strings_never_5xx(token in "[ -~]{0,300}") {
        if let Ok(value) = HeaderValue::from_str(&format!("Bearer {token}")) {
            assert_handled("/api/private-scoped", &value)?;
        }
    }

    #[test]
    fn arbitrary_jws_shapes_never_5xx(
        header in token_part(),
        payload in token_part(),
        signature in token_part(),
    ) {
        let value = HeaderValue::from_str(&format!("Bearer {header}.{payload}.{signature}"))
            .expect("base64url is a valid header value");
        assert_handled("/api/profile", &value)?;
    }

    #[test]
    fn mutated_valid_tokens_never_5xx(
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<u8>()), 1..4),
    ) {
        let mut token = harness().valid.clone().into_bytes();
        for (index, kind, byte) in edits {
            if token.is_empty() {
                break;
            }
            let at = index.index(token.len());
            match kind {
                0 => token[at] = byte,
                1 => { token.remove(at); }
                2 => token.insert(at, byte),
                _ => token.truncate(at),
            }
        }
        let mut value = b"Bearer ".to_vec();
        value.extend_from_slice(&token);
        if let Ok(value) = HeaderValue::from_bytes(&value) {
            assert_handled("/api/private-scoped", &value)?;
        }
    }
}

#[test]
fn valid_token_is_200_in_harness() {
    let harness = harness();
    let value = HeaderValue::from_str(&format!("Bearer {}", harness.valid)).expect("a header");
    assert_eq!(send("/api/private-scoped", value), (200, false));
    assert!(harness.issuer.jwks_requests() >= 1);
}
