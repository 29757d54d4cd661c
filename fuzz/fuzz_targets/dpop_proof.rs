//! The DPoP proof validator, on arbitrary proofs for a fixed request and access token.
//!
//! The first input byte selects the mode. With an even byte, the rest is up to three
//! `DPoP` header lines split at `0x00`, so the fuzzer works on the raw header: its count,
//! size, base64url and JSON. With an odd byte, the rest is a JOSE header and a claims set
//! in JSON split at `0xff`. The target signs them with the ES256 key in
//! `dpop_proof_key.pem`, so the fuzzer reaches the claim and key checks behind a valid
//! signature. `make_dpop_proof_seeds.mjs` writes seeds for both modes.
//!
//! A proof that passes must fit the request when decoded independently here, carry the
//! right `ath`, and be recorded once by the replay store and rejected there the second time.

#![no_main]

use std::sync::OnceLock;

use auth0_runtime::__fuzz::{AcceptedProof, ProofChecks};
use auth0_runtime::dpop::Insertion;
use auth0_runtime::request_url::normalize_url;
use auth0_runtime::{Algorithm, AuthError, DpopError};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http::HeaderValue;
use jsonwebtoken::EncodingKey;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const NOW: i64 = 1_700_000_000;
const MAX_AGE: i64 = 300;
const MAX_FUTURE: i64 = 30;
const METHOD: &str = "GET";
const URL: &str = "https://api.example.com/api/private";
const ACCESS_TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJl";
/// base64url(SHA-256(ACCESS_TOKEN)).
const ATH: &str = "YKqCSENAtaJg5qYh5FAgaSnW-XIwFQdxaGnaF_5t_TA";
/// The RFC 7638 thumbprint of the public key of `dpop_proof_key.pem`.
const SIGNING_KEY_JKT: &str = "aLKLAsParlEeLaoV8h8BVWlDiwpZ8BCdBPDEQROmixw";

fn checks() -> &'static ProofChecks {
    static CHECKS: OnceLock<ProofChecks> = OnceLock::new();
    CHECKS.get_or_init(|| {
        let algorithms = [
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::RS256,
            Algorithm::PS256,
            Algorithm::EdDSA,
        ];
        ProofChecks::new(&algorithms, METHOD, URL, ACCESS_TOKEN)
    })
}

fn signing_key() -> &'static EncodingKey {
    static KEY: OnceLock<EncodingKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let pem = include_str!("../dpop_proof_key.pem");
        let body: String = pem
            .lines()
            .filter(|line| !line.starts_with("-----"))
            .collect();
        let der = STANDARD.decode(body).expect("a PKCS#8 PEM body");
        EncodingKey::from_ec_der(&der)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let lines: Vec<&[u8]> = rest.split(|byte| *byte == 0).take(3).collect();
        if let Ok(accepted) = checks().check(&lines, NOW) {
            let delivered: Vec<&[u8]> = lines
                .iter()
                .copied()
                .filter(|line| HeaderValue::from_bytes(line).is_ok())
                .collect();
            assert_eq!(delivered.len(), 1, "a proof accepted from several lines");
            check_accepted(delivered[0], &accepted);
        }
        return;
    }

    let (header, claims) = match rest.iter().position(|byte| *byte == 0xff) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (&br#"{"typ":"dpop+jwt","alg":"ES256"}"#[..], rest),
    };
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    // The signature is checked after every other check, so a placeholder signature finds
    // out whether signing is worth its cost.
    let placeholder = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode([7u8; 64]));
    match checks().check(&[placeholder.as_bytes()], NOW) {
        Err(AuthError::InvalidDpopProof(DpopError::InvalidSignature)) => {}
        Err(_) => return,
        Ok(_) => panic!("a proof with a placeholder signature was accepted"),
    }
    let signature =
        jsonwebtoken::crypto::sign(signing_input.as_bytes(), signing_key(), Algorithm::ES256)
            .expect("ES256 signing with the fixed key");
    let proof = format!("{signing_input}.{signature}");
    if let Ok(accepted) = checks().check(&[proof.as_bytes()], NOW) {
        assert_eq!(
            accepted.jkt, SIGNING_KEY_JKT,
            "a signature verified with another key"
        );
        check_accepted(proof.as_bytes(), &accepted);
    }
});

/// Decodes an accepted proof without the validator and checks that it fits the request.
fn check_accepted(line: &[u8], accepted: &AcceptedProof) {
    let text = std::str::from_utf8(line).expect("an accepted proof is ASCII");
    let mut parts = text.trim_matches([' ', '\t']).split('.');
    let header = decode_object(parts.next().expect("a header"));
    let claims = decode_object(parts.next().expect("a payload"));

    assert_eq!(header["typ"], "dpop+jwt");
    assert_eq!(claims["htm"], METHOD);
    let htu = claims["htu"].as_str().expect("htu is a string");
    assert_eq!(normalize_url(htu), normalize_url(URL), "htu {htu:?}");
    assert_eq!(claims["ath"], ATH);
    let iat = claims["iat"].as_f64().expect("iat is a number").floor() as i64;
    assert!(
        (NOW - MAX_AGE..=NOW + MAX_FUTURE).contains(&iat),
        "iat {iat} is outside the window"
    );
    let jti = claims["jti"].as_str().expect("jti is a string");
    assert!(!jti.is_empty(), "an empty jti");
    assert!(jti.len() <= 256, "jti {jti:?} is longer than 256 bytes");

    assert_eq!(accepted.jkt.len(), 43, "a SHA-256 thumbprint in base64url");
    assert!(
        matches!(accepted.first_use, Ok(Insertion::Inserted)),
        "first use: {:?}",
        accepted.first_use
    );
    assert!(
        matches!(accepted.second_use, Ok(Insertion::AlreadyPresent)),
        "second use: {:?}",
        accepted.second_use
    );
}

fn decode_object(part: &str) -> serde_json::Map<String, Value> {
    let bytes = URL_SAFE_NO_PAD.decode(part).expect("base64url");
    match serde_json::from_slice(&bytes).expect("JSON") {
        Value::Object(object) => object,
        other => panic!("an accepted proof part is not an object: {other}"),
    }
}
