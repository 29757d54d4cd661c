//! Micro-benchmarks of access-token verification, next to the raw signature checks of the
//! crypto backend that bound it from below.
//!
//! Run with `cargo bench -p auth0-runtime --features dev-issuer --bench verify`. The
//! development issuer serves the key set on 127.0.0.1 once, at set-up, and the measured
//! loops make no network requests.
//!
//! Every routine is timed in the CPU time of the benchmark thread rather than in wall time,
//! so time that other processes take from a shared machine is not counted. Contention for
//! caches and memory bandwidth still is.

mod support;

use std::hint::black_box;

use auth0_runtime::Verifier;
use auth0_runtime::dev::DevIssuer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _, ParsedPublicKey,
    RsaPublicKeyComponents, UnparsedPublicKey,
};
use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use support::{cpu_time, ready};

/// A running issuer, one of its tokens, and verifiers whose keys are already fetched.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    // Kept alive for the verifiers, which fetch its keys at set-up and never contact it again.
    _issuer: DevIssuer,
    token: String,
    /// `header.payload` of `token`: the bytes its signature covers.
    signing_input: String,
    signature: Vec<u8>,
    modulus: Vec<u8>,
    exponent: Vec<u8>,
    cache_off: Verifier,
    cache_on: Verifier,
}

impl Fixture {
    fn new() -> Self {
        let (runtime, issuer) = support::start_issuer();
        let token = support::m2m_token(&issuer);
        let cache_off = support::verifier(&runtime, &issuer, 0);
        let cache_on = support::verifier(&runtime, &issuer, 1024);

        let (signing_input, signature) = token.rsplit_once('.').expect("a compact JWS");
        let jwk = issuer.signing_key().public_jwk();
        let component = |name: &str| {
            URL_SAFE_NO_PAD
                .decode(jwk[name].as_str().expect("a string member"))
                .expect("base64url")
        };
        Self {
            signing_input: signing_input.to_owned(),
            signature: URL_SAFE_NO_PAD.decode(signature).expect("base64url"),
            modulus: component("n"),
            exponent: component("e"),
            token,
            cache_off,
            cache_on,
            _issuer: issuer,
            runtime,
        }
    }
}

fn rs256(c: &mut Criterion) {
    let fixture = Fixture::new();
    // A background key refresh would need the runtime; the keys stay fresh for 10 minutes.
    let _context = fixture.runtime.enter();
    let message = fixture.signing_input.as_bytes();
    let mut group = c.benchmark_group("rs256");

    // The floor: aws-lc-rs with the key parsed once.
    let components = RsaPublicKeyComponents {
        n: fixture.modulus.as_slice(),
        e: fixture.exponent.as_slice(),
    };
    let parsed = components
        .to_parsed_public_key(&signature::RSA_PKCS1_2048_8192_SHA256)
        .expect("a valid RSA key");
    group.bench_function("raw_aws_lc_parsed_key", |b| {
        b.iter_custom(|iterations| {
            cpu_time(iterations, || {
                parsed.verify_sig(black_box(message), black_box(&fixture.signature))
            })
        })
    });
    // What jsonwebtoken 12 does on each call: build the key from its components.
    group.bench_function("raw_aws_lc_key_per_call", |b| {
        b.iter_custom(|iterations| {
            cpu_time(iterations, || {
                components.verify(
                    &signature::RSA_PKCS1_2048_8192_SHA256,
                    black_box(message),
                    black_box(&fixture.signature),
                )
            })
        })
    });

    group.bench_function("verify_token_cache_off", |b| {
        b.iter_custom(|iterations| {
            cpu_time(iterations, || {
                ready(fixture.cache_off.verify_token(black_box(&fixture.token)))
            })
        })
    });
    assert!(ready(fixture.cache_on.verify_token(&fixture.token)).is_ok());
    group.bench_function("verify_token_cache_hit", |b| {
        b.iter_custom(|iterations| {
            cpu_time(iterations, || {
                ready(fixture.cache_on.verify_token(black_box(&fixture.token)))
            })
        })
    });
    group.finish();
}

fn authorization(c: &mut Criterion) {
    let fixture = Fixture::new();
    let mut headers = HeaderMap::new();
    let value = format!("Bearer {}", fixture.token);
    headers.insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&value).expect("a valid header value"),
    );
    assert!(auth0_runtime::__bench::parse_authorization(&headers).is_some());
    c.bench_function("authorization/parse_bearer", |b| {
        b.iter_custom(|iterations| {
            cpu_time(iterations, || {
                auth0_runtime::__bench::parse_authorization(black_box(&headers)).is_some()
            })
        })
    });
}

/// The example access token of RFC 9449, which the proof's `ath` hashes.
const PROOF_ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const PROOF_URL: &str = "https://api.example.com/api/private";
const PROOF_IAT: i64 = 1_700_000_000;

/// A DPoP proof (RFC 9449) signed with a fresh P-256 key, whole and split for the raw ES256
/// checks.
struct Proof {
    /// The `DPoP` request header carrying the proof.
    headers: HeaderMap,
    signing_input: String,
    signature: Vec<u8>,
    /// The uncompressed point of the proof's `jwk`.
    public_key: Vec<u8>,
    /// The base64url coordinates of the proof's `jwk`.
    x: String,
    y: String,
}

impl Proof {
    fn new() -> Self {
        let pair =
            EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("generate a P-256 key");
        let point = pair.public_key().as_ref().to_vec();
        let x = URL_SAFE_NO_PAD.encode(&point[1..33]);
        let y = URL_SAFE_NO_PAD.encode(&point[33..65]);

        let jwk = serde_json::json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y });
        let header = serde_json::json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": jwk });
        let claims = serde_json::json!({
            "jti": "bench-proof-1",
            "htm": "GET",
            "htu": PROOF_URL,
            "iat": PROOF_IAT,
            "ath": "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo",
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );

        let signature = pair
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .expect("sign the proof");
        let proof = format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        );

        let mut headers = HeaderMap::new();
        headers.insert(
            "dpop",
            HeaderValue::from_str(&proof).expect("a valid header value"),
        );
        Self {
            headers,
            signing_input,
            signature: signature.as_ref().to_vec(),
            public_key: point,
            x,
            y,
        }
    }
}

fn dpop(c: &mut Criterion) {
    let proof = Proof::new();
    let message = proof.signing_input.as_bytes();
    let mut group = c.benchmark_group("dpop");

    // The floor of a proof check: ES256 with the key parsed once, as for a client that
    // sends many proofs with one key.
    let parsed = ParsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &proof.public_key)
        .expect("a valid P-256 key");
    group.bench_function("es256_raw_parsed_key", |b| {
        b.iter_custom(|iterations| {
            cpu_time(iterations, || {
                parsed.verify_sig(black_box(message), black_box(&proof.signature))
            })
        })
    });
    // Each proof carries its key, so a validator without a key cache parses it every time.
    let unparsed = UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &proof.public_key);
    group.bench_function("es256_raw_key_per_call", |b| {
        b.iter_custom(|iterations| {
            cpu_time(iterations, || {
                unparsed.verify(black_box(message), black_box(&proof.signature))
            })
        })
    });

    // Every check of a proof but the replay store: the header, the key, the claims against
    // the request, `ath`, and the signature. A client that keeps its key sends the same
    // header each time, which the header cache recognizes.
    for (name, header_cache) in [
        ("check_proof_known_key", true),
        ("check_proof_new_key", false),
    ] {
        let check = auth0_runtime::__bench::DpopProofCheck::new(PROOF_URL, header_cache)
            .expect("a valid URL");
        assert!(check.check(&proof.headers, PROOF_ACCESS_TOKEN, PROOF_IAT));
        group.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                cpu_time(iterations, || {
                    check.check(
                        black_box(&proof.headers),
                        black_box(PROOF_ACCESS_TOKEN),
                        PROOF_IAT,
                    )
                })
            })
        });
    }

    group.bench_function("thumbprint", |b| {
        b.iter_custom(|iterations| {
            cpu_time(iterations, || {
                auth0_runtime::__bench::ec_thumbprint(black_box(&proof.x), black_box(&proof.y))
            })
        })
    });
    group.finish();
}

criterion_group!(benches, rs256, authorization, dpop);
criterion_main!(benches);
