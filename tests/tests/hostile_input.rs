//! Hostile access tokens and `Authorization` headers, each with the exact status,
//! `WWW-Authenticate` challenges and body the API must respond with.
//!
//! The cases come from faults that JWT libraries shipped and from RFC 8725 (JWT best
//! current practices). None may produce a 5xx, and no token may reach a log line.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use auth0_runtime::dev::DevKey;
use auth0_tests::{
    ExampleApi, Outcome, error_body, invalid_token_challenge, no_credentials_challenges, outcome,
    serve,
};
use aws_lc_rs::hmac;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use axum::Router;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde_json::{Value, json};

const MALFORMED: &str = "the access token is malformed";
const DISALLOWED_ALG: &str = "the access token is signed with a disallowed algorithm";
const UNKNOWN_KEY: &str = "the access token is signed with an unknown key";
const BAD_SIGNATURE: &str = "the access token signature is invalid";
const UNTRUSTED_ISSUER: &str = "the access token was issued by an untrusted issuer";
const OTHER_AUDIENCE: &str = "the access token was issued for another audience";
const NOT_YET_VALID: &str = "the access token is not valid yet";
const MISSING_CLAIM: &str = "the access token lacks a required claim";
const INVALID_CLAIM: &str = "the access token has an invalid claim";
const TOO_LARGE: &str = "the access token is too large";
const NOT_ACCESS_TOKEN: &str = "the token is not an access token";

/// The response a case expects.
#[derive(Debug, Clone)]
enum Expect {
    /// 200 with the handler's body.
    Ok,
    /// 401 with one challenge per scheme and no error code.
    NoCredentials,
    /// 400 `invalid_request` with this description.
    InvalidRequest(&'static str),
    /// 401 `invalid_token` with this description.
    InvalidToken(&'static str),
}

/// One request: its `Authorization` header lines (none, one or several) and the route.
#[derive(Debug, Clone)]
struct Case {
    id: String,
    authorization: Vec<Vec<u8>>,
    path: &'static str,
    expect: Expect,
}

impl Case {
    fn bearer(id: impl Into<String>, token: &str, expect: Expect) -> Self {
        Self::header(id, format!("Bearer {token}").into_bytes(), expect)
    }

    fn header(id: impl Into<String>, value: impl Into<Vec<u8>>, expect: Expect) -> Self {
        Self {
            id: id.into(),
            authorization: vec![value.into()],
            path: "/api/private",
            expect,
        }
    }

    fn on(mut self, path: &'static str) -> Self {
        self.path = path;
        self
    }
}

/// The example API with a key set that holds, besides the signing key `dev-key-1`, entries
/// that must never verify an RS256 access token.
struct HostileApi {
    app: ExampleApi,
    trap: Trap,
}

impl HostileApi {
    async fn start() -> Self {
        let mut settings = auth0_tests::test_jwks_settings();
        // A long cooldown, so the whole table may cause at most one unknown-kid refetch.
        settings.refresh_cooldown = Duration::from_secs(60);
        let app = ExampleApi::start_with(|builder| builder.jwks(settings)).await;
        let signing = app.issuer.signing_key().public_jwk();

        let encryption = DevKey::generate("e1").expect("generate e1");
        let mut e1 = encryption.public_jwk();
        e1["use"] = json!("enc");
        app.issuer.publish_jwk(e1);

        let (x, y) = p256_public_coordinates();
        let ec = |kid: &str| json!({ "kty": "EC", "crv": "P-256", "kid": kid, "x": x, "y": y });
        app.issuer.publish_jwk(ec("dev-key-1"));
        app.issuer.publish_jwk(ec("ec1"));

        let mut rs512 = signing.clone();
        rs512["kid"] = json!("k-rs512");
        rs512["alg"] = json!("RS512");
        app.issuer.publish_jwk(rs512);

        let mut encrypt_ops = signing.clone();
        encrypt_ops["kid"] = json!("k-encrypt-ops");
        encrypt_ops
            .as_object_mut()
            .expect("a JWK object")
            .remove("use");
        encrypt_ops["key_ops"] = json!(["encrypt"]);
        app.issuer.publish_jwk(encrypt_ops);

        app.issuer.publish_jwk(json!({
            "kty": "RSA",
            "kid": "k-1024",
            "use": "sig",
            "alg": "RS256",
            "n": rsa_1024_modulus(),
            "e": "AQAB",
        }));

        let trap = Trap::start().await;
        Self { app, trap }
    }

    fn valid(&self) -> String {
        self.app.issuer.token().scope("read:messages").sign()
    }
}

/// A server that counts every request it receives, standing for a URL an attacker put in
/// a token header.
struct Trap {
    url: String,
    requests: Arc<AtomicUsize>,
    _served: auth0_tests::Served,
}

impl Trap {
    async fn start() -> Self {
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let router = Router::new().fallback(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { "{\"keys\":[]}" }
        });
        let served = serve(router).await;
        Self {
            url: served.url("/attacker/jwks.json"),
            requests,
            _served: served,
        }
    }
}

fn p256_public_coordinates() -> (String, String) {
    let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("generate P-256");
    let point = pair.public_key().as_ref();
    (
        URL_SAFE_NO_PAD.encode(&point[1..33]),
        URL_SAFE_NO_PAD.encode(&point[33..65]),
    )
}

/// Generates a 1024-bit modulus (its top bit is set). It need not be a real key, because a key this
/// short must be refused before any signature check.
fn rsa_1024_modulus() -> String {
    let mut bytes = vec![0xc5u8; 128];
    aws_lc_rs::rand::fill(&mut bytes).expect("random bytes");
    bytes[0] |= 0x80;
    bytes[127] |= 1;
    URL_SAFE_NO_PAD.encode(bytes)
}

fn encode(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Replaces one part (0 header, 1 payload, 2 signature) of a compact token.
fn with_part(token: &str, index: usize, part: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[index] = part;
    parts.join(".")
}

/// Sets the lowest unused bit of a base64url part's last character, when the part has
/// unused bits (its length is not a multiple of 4).
fn flip_unused_bit(part: &str) -> Option<String> {
    if part.len().is_multiple_of(4) {
        return None;
    }
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = *part.as_bytes().last()?;
    let index = alphabet.iter().position(|c| *c == last)?;
    let flipped = alphabet[index ^ 1] as char;
    Some(format!("{}{flipped}", &part[..part.len() - 1]))
}

/// Builds every case of the table against one [`HostileApi`].
fn cases(api: &HostileApi) -> Vec<Case> {
    let issuer = &api.app.issuer;
    let iss = issuer.issuer().to_owned();
    let aud = issuer.audience().to_owned();
    let vt = api.valid();
    let claims = Value::Object(issuer.token().scope("read:messages").claims().clone());
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": "dev-key-1" });
    let stranger = Arc::new(DevKey::generate("attacker").expect("generate a key"));
    let mut cases = Vec::new();
    let tok = Expect::InvalidToken;

    // T1: `alg: none` in any spelling, with an empty or a present signature.
    for alg in ["none", "None", "nOnE", ""] {
        let unsigned = format!(
            "{}.{}",
            encode(&json!({ "alg": alg, "typ": "JWT" })),
            encode(&claims)
        );
        cases.push(Case::bearer(
            format!("T1 alg {alg:?}, empty signature"),
            &format!("{unsigned}."),
            tok(MALFORMED),
        ));
        cases.push(Case::bearer(
            format!("T1 alg {alg:?}, junk signature"),
            &format!("{unsigned}.c2ln"),
            tok(DISALLOWED_ALG),
        ));
    }

    // T2: HS256 keyed with the RSA public key in several encodings.
    let signing = issuer.signing_key();
    let spki = signing.public_key_spki_der();
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(&spki)
    );
    let secrets: [(&str, Vec<u8>); 5] = [
        ("PEM", pem.clone().into_bytes()),
        (
            "PEM with a leading newline",
            format!("\n{pem}").into_bytes(),
        ),
        ("SPKI DER", spki),
        ("PKCS#1 DER", signing.public_key_pkcs1_der()),
        ("JWK text", signing.public_jwk().to_string().into_bytes()),
    ];
    for (name, secret) in secrets {
        let input = format!(
            "{}.{}",
            encode(&json!({ "alg": "HS256", "typ": "JWT", "kid": "dev-key-1" })),
            encode(&claims)
        );
        let tag = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, &secret),
            input.as_bytes(),
        );
        let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()));
        cases.push(Case::bearer(
            format!("T2 HS256 keyed with {name}"),
            &token,
            tok(DISALLOWED_ALG),
        ));
    }

    // T3: time claims of the wrong type or out of range.
    let signed_with = |name: &str, value: Value| issuer.token().claim(name, value).sign();
    for (name, value) in [
        ("exp", json!("99999999999")),
        ("exp", json!("never")),
        ("exp", json!(-1)),
        ("exp", json!(1e300)),
        ("nbf", json!("99999999999")),
        ("nbf", json!("never")),
        ("iat", json!("0")),
    ] {
        cases.push(Case::bearer(
            format!("T3 {name} = {value}"),
            &signed_with(name, value.clone()),
            tok(INVALID_CLAIM),
        ));
    }

    // T4: required claims missing or of the wrong type.
    for name in ["aud", "iss", "exp"] {
        let token = issuer.token().without_claim(name).sign();
        cases.push(Case::bearer(
            format!("T4 {name} missing"),
            &token,
            tok(MISSING_CLAIM),
        ));
    }
    cases.push(Case::bearer(
        "T4 aud = 12345",
        &signed_with("aud", json!(12345)),
        tok(INVALID_CLAIM),
    ));
    cases.push(Case::bearer(
        "T4 aud array with a number",
        &signed_with("aud", json!(["https://other.example", 5])),
        tok(INVALID_CLAIM),
    ));
    cases.push(Case::bearer(
        "T4 iss = 42",
        &signed_with("iss", json!(42)),
        tok(UNTRUSTED_ISSUER),
    ));

    // T5: `iss` is one string compared exactly.
    for (name, value) in [
        (
            "without the trailing slash",
            json!(iss.trim_end_matches('/')),
        ),
        ("\"https\"", json!("https")),
        ("upper-cased", json!(iss.to_uppercase())),
        ("an array containing ISS", json!([iss.clone()])),
        ("ISS with a trailing NUL", json!(format!("{iss}\u{0}"))),
    ] {
        cases.push(Case::bearer(
            format!("T5 iss {name}"),
            &signed_with("iss", value),
            tok(UNTRUSTED_ISSUER),
        ));
    }

    // T6: `crit` in any form.
    for (name, value) in [
        (
            "naming an unknown extension",
            json!(["urn:example:unknown"]),
        ),
        ("empty", json!([])),
        ("a string", json!("exp")),
    ] {
        let token = issuer
            .token()
            .header("crit", value)
            .header("urn:example:unknown", true)
            .sign();
        cases.push(Case::bearer(
            format!("T6 crit {name}"),
            &token,
            tok(MALFORMED),
        ));
    }

    // T7: base64url variants.
    let parts: Vec<&str> = vt.split('.').collect();
    cases.push(Case::bearer(
        "T7 header with == padding",
        &with_part(&vt, 0, &format!("{}==", parts[0])),
        tok(MALFORMED),
    ));
    cases.push(Case::bearer(
        "T7 signature with == padding",
        &format!("{vt}=="),
        tok(MALFORMED),
    ));
    for junk in ["!", "*", "~", "$", "\"", "%41"] {
        let token = with_part(
            &vt,
            1,
            &format!("{}{junk}{}", &parts[1][..10], &parts[1][10..]),
        );
        cases.push(Case::bearer(
            format!("T7 junk {junk:?} in the payload"),
            &token,
            tok(MALFORMED),
        ));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(parts[2])
        .expect("a base64url signature");
    let standard = STANDARD_NO_PAD.encode(&signature);
    assert_ne!(
        standard, parts[2],
        "the signature has a + or / in standard base64"
    );
    cases.push(Case::bearer(
        "T7 signature in the +/ alphabet",
        &with_part(&vt, 2, &standard),
        tok(MALFORMED),
    ));
    let flipped = flip_unused_bit(parts[2]).expect("a 2048-bit signature has unused bits");
    cases.push(Case::bearer(
        "T7 unused bit set in the signature",
        &with_part(&vt, 2, &flipped),
        tok(BAD_SIGNATURE),
    ));
    let padded_claims = Value::Object(issuer.token().claim("pad", "x").claims().clone());
    for pad in ["", "x", "xx"] {
        let mut claims = padded_claims.clone();
        claims["pad"] = json!(pad);
        let payload = encode(&claims);
        if let Some(flipped) = flip_unused_bit(&payload) {
            let token = issuer.sign(&header, &claims);
            let token = with_part(&token, 1, &flipped);
            cases.push(Case::bearer(
                "T7 unused bit set in the payload",
                &token,
                tok(MALFORMED),
            ));
            break;
        }
    }

    // T8: an encryption key beside the signing key.
    cases.push(Case::bearer("T8 kid of the signing key", &vt, Expect::Ok));
    let e1 = Arc::new(DevKey::generate("e1").expect("generate a key"));
    let token = issuer.token().header("kid", "e1").signed_by(e1).sign();
    cases.push(Case::bearer(
        "T8 kid of an encryption key",
        &token,
        tok(UNKNOWN_KEY),
    ));
    let token = issuer.token().without_header("kid").sign();
    cases.push(Case::bearer(
        "T8 no kid with several keys",
        &token,
        tok(UNKNOWN_KEY),
    ));

    // T9: an RSA and an EC entry share the kid `dev-key-1`; VT above already uses it.
    cases.push(
        Case::bearer("T9 kid shared by RSA and EC entries", &vt, Expect::Ok)
            .on("/api/private-scoped"),
    );

    // T11: clock edges.
    let token = issuer.token().issued_in(5).sign();
    cases.push(Case::bearer("T11 iat 5 s ahead", &token, Expect::Ok));
    let token = issuer.token().not_before_in(3600).sign();
    cases.push(Case::bearer(
        "T11 nbf an hour ahead",
        &token,
        tok(NOT_YET_VALID),
    ));

    // T12: scope shapes on the scoped route.
    for scope in [
        "read:messages openid profile",
        "openid read:messages profile",
        "openid profile read:messages",
    ] {
        let token = issuer.token().scope(scope).sign();
        cases.push(
            Case::bearer(format!("T12 scope {scope:?}"), &token, Expect::Ok)
                .on("/api/private-scoped"),
        );
    }
    for (name, value) in [
        ("an array", json!(["read:messages"])),
        ("a number", json!(5)),
    ] {
        let token = issuer.token().claim("scope", value).sign();
        cases.push(
            Case::bearer(format!("T12 scope as {name}"), &token, tok(INVALID_CLAIM))
                .on("/api/private-scoped"),
        );
    }

    // T13: keys or key locations named by the token itself.
    let attacker_jwk = stranger.public_jwk();
    let forged = |name: &str, value: Value, kid: Option<&str>| {
        let mut builder = issuer
            .token()
            .header(name, value)
            .signed_by(stranger.clone());
        builder = match kid {
            Some(kid) => builder.header("kid", kid),
            None => builder.without_header("kid"),
        };
        builder.sign()
    };
    let trap = api.trap.url.clone();
    cases.push(Case::bearer(
        "T13 jku with the issuer's kid",
        &forged("jku", json!(trap), Some("dev-key-1")),
        tok(BAD_SIGNATURE),
    ));
    cases.push(Case::bearer(
        "T13 jku with the attacker's kid",
        &forged("jku", json!(trap), Some("attacker")),
        tok(UNKNOWN_KEY),
    ));
    cases.push(Case::bearer(
        "T13 x5u",
        &forged("x5u", json!(trap), Some("dev-key-1")),
        tok(BAD_SIGNATURE),
    ));
    cases.push(Case::bearer(
        "T13 embedded jwk without kid",
        &forged("jwk", attacker_jwk.clone(), None),
        tok(UNKNOWN_KEY),
    ));
    cases.push(Case::bearer(
        "T13 embedded jwk with the issuer's kid",
        &forged("jwk", attacker_jwk, Some("dev-key-1")),
        tok(BAD_SIGNATURE),
    ));
    let x5c = json!([STANDARD.encode(stranger.public_key_spki_der())]);
    cases.push(Case::bearer(
        "T13 embedded x5c",
        &forged("x5c", x5c, Some("dev-key-1")),
        tok(BAD_SIGNATURE),
    ));

    // T14: hostile `kid` values.
    for (name, kid, expect) in [
        ("a path", json!("../../dev/null"), tok(UNKNOWN_KEY)),
        (
            "full of quotes",
            json!("\"'\\\"; DROP TABLE keys; --\""),
            tok(UNKNOWN_KEY),
        ),
        (
            "with a line break",
            json!("x\nFORGED log line"),
            tok(UNKNOWN_KEY),
        ),
        ("10 KB long", json!("k".repeat(10 * 1024)), tok(MALFORMED)),
        ("a number", json!(42), tok(MALFORMED)),
        ("null", Value::Null, tok(MALFORMED)),
        ("empty", json!(""), tok(MALFORMED)),
    ] {
        let token = issuer.token().header("kid", kid).sign();
        cases.push(Case::bearer(format!("T14 kid {name}"), &token, expect));
    }

    // T15: keys that must not verify RS256, all signed by the real key.
    for kid in ["ec1", "k-rs512", "k-encrypt-ops", "k-1024"] {
        let token = issuer.token().header("kid", kid).sign();
        cases.push(Case::bearer(
            format!("T15 kid {kid}"),
            &token,
            tok(UNKNOWN_KEY),
        ));
    }

    // T16: an oversized Authorization value.
    let huge = format!("{}.{}.{}", parts[0], "A".repeat(100 * 1024), parts[2]);
    cases.push(Case::bearer("T16 100 KB token", &huge, tok(TOO_LARGE)));

    // H1-H6: the Authorization header itself.
    cases.push(Case {
        id: "H1 no header".into(),
        authorization: Vec::new(),
        path: "/api/private",
        expect: Expect::NoCredentials,
    });
    for scheme in ["bearer", "BEARER", "BeArEr"] {
        cases.push(Case::header(
            format!("H2 scheme {scheme}"),
            format!("{scheme} {vt}"),
            Expect::Ok,
        ));
    }
    cases.push(Case {
        id: "H3 two Authorization lines".into(),
        authorization: vec![
            format!("Bearer {vt}").into_bytes(),
            format!("Bearer {vt}").into_bytes(),
        ],
        path: "/api/private",
        expect: Expect::InvalidRequest("the request has more than one Authorization header"),
    });
    let header_malformed = Expect::InvalidRequest("the Authorization header is malformed");
    cases.push(Case::header(
        "H4 Bearer without a token",
        "Bearer",
        header_malformed.clone(),
    ));
    cases.push(Case::header(
        "H4 Bearer with only spaces",
        "Bearer   ",
        header_malformed.clone(),
    ));
    cases.push(Case::header(
        "H4 Bearer a b",
        "Bearer a b",
        header_malformed.clone(),
    ));
    cases.push(Case::header(
        "H4 token and a second word",
        format!("Bearer {vt} x"),
        header_malformed.clone(),
    ));
    cases.push(Case::header(
        "H4 comma-separated tokens",
        format!("Bearer {vt},{vt}"),
        header_malformed.clone(),
    ));
    let mut non_ascii = format!("Bearer {vt}").into_bytes();
    non_ascii.insert(30, 0xe9);
    cases.push(Case::header(
        "H4 non-ASCII byte in the token",
        non_ascii,
        header_malformed,
    ));
    cases.push(Case::header(
        "H5 Basic",
        "Basic dXNlcjpwYXNz",
        Expect::NoCredentials,
    ));
    cases.push(Case::header(
        "H5 unknown scheme",
        format!("Token {vt}"),
        Expect::NoCredentials,
    ));
    cases.push(Case::header(
        "H6 trailing tab",
        format!("Bearer {vt}\t"),
        Expect::Ok,
    ));
    cases.push(Case::header(
        "H6 tab between scheme and token",
        format!("Bearer\t{vt}"),
        Expect::Ok,
    ));

    // Header values with line breaks, which must not start a line of their own in a log.
    let token = issuer.token().header("typ", "JWT\nFORGED log line").sign();
    cases.push(Case::bearer(
        "typ with a line break",
        &token,
        tok(NOT_ACCESS_TOKEN),
    ));
    let token = issuer
        .token()
        .header("alg", "RS256\nFORGED log line")
        .sign();
    cases.push(Case::bearer(
        "alg with a line break",
        &token,
        tok(DISALLOWED_ALG),
    ));

    // RFC 8725 section 3.11 (explicit typing) and 2.1 (algorithm confusion) and more.
    for (name, typ) in [
        ("dpop+jwt", json!("dpop+jwt")),
        ("secevent+jwt", json!("secevent+jwt")),
        ("a number", json!(1)),
    ] {
        let token = issuer.token().header("typ", typ).sign();
        cases.push(Case::bearer(
            format!("RFC 8725 typ {name}"),
            &token,
            tok(NOT_ACCESS_TOKEN),
        ));
    }
    for token_type in ["at+jwt", "application/at+JWT", "jwt"] {
        let token = issuer.token().header("typ", token_type).sign();
        cases.push(Case::bearer(
            format!("RFC 9068 typ {token_type}"),
            &token,
            Expect::Ok,
        ));
    }
    for alg in [
        json!("rs256"),
        json!("RS256 "),
        json!("PS256"),
        json!("ES256"),
        json!(["RS256"]),
        Value::Null,
    ] {
        let token = issuer.token().header("alg", alg.clone()).sign();
        cases.push(Case::bearer(
            format!("RFC 8725 alg {alg}"),
            &token,
            tok(DISALLOWED_ALG),
        ));
    }
    cases.push(Case::bearer(
        "RFC 8725 JWE-shaped, five parts",
        &format!("{vt}.AAAA.BBBB"),
        tok(MALFORMED),
    ));
    cases.push(Case::bearer(
        "RFC 8725 signature stripped",
        &format!("{}.{}", parts[0], parts[1]),
        tok(MALFORMED),
    ));
    cases.push(Case::bearer(
        "RFC 8725 empty payload part",
        &format!("{}..{}", parts[0], parts[2]),
        tok(MALFORMED),
    ));
    for (name, payload) in [
        ("an array", json!([])),
        ("a string", json!("claims")),
        ("null", Value::Null),
    ] {
        let token = issuer.sign(&header, &payload);
        cases.push(Case::bearer(
            format!("RFC 8725 payload is {name}"),
            &token,
            tok(MALFORMED),
        ));
    }
    let raw = |header: &str, payload: &str| {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let signature = signing.sign_rs256(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    };
    let header_text = header.to_string();
    let exp = claims["exp"].clone();
    let duplicate_aud_last_other = format!(
        r#"{{"iss":"{iss}","sub":"u","aud":"{aud}","aud":"https://other.example","exp":{exp}}}"#
    );
    cases.push(Case::bearer(
        "RFC 7519 duplicate aud, last is another",
        &raw(&header_text, &duplicate_aud_last_other),
        tok(OTHER_AUDIENCE),
    ));
    let duplicate_aud_last_ours = format!(
        r#"{{"iss":"{iss}","sub":"u","aud":"https://other.example","aud":"{aud}","exp":{exp}}}"#
    );
    cases.push(Case::bearer(
        "RFC 7519 duplicate aud, last is ours",
        &raw(&header_text, &duplicate_aud_last_ours),
        Expect::Ok,
    ));
    let duplicate_alg = r#"{"alg":"none","alg":"RS256","kid":"dev-key-1"}"#;
    let payload = claims.to_string();
    cases.push(Case::bearer(
        "RFC 7515 duplicate alg, last is RS256",
        &raw(duplicate_alg, &payload),
        Expect::Ok,
    ));
    let escaped = format!(
        r#"{{"iss":"{}","sub":"u","aud":"{aud}","exp":{exp}}}"#,
        iss.replace('/', "\\/")
    );
    cases.push(Case::bearer(
        "RFC 8259 escaped slashes in iss",
        &raw(&header_text, &escaped),
        Expect::Ok,
    ));
    let with_bom = format!("\u{feff}{header_text}");
    cases.push(Case::bearer(
        "RFC 8259 byte order mark before the header",
        &raw(&with_bom, &payload),
        tok(MALFORMED),
    ));
    let token = issuer
        .token()
        .audience("my-spa-client-id")
        .claim("nonce", "n-0S6_WzA2Mj")
        .sign();
    cases.push(Case::bearer(
        "RFC 8725 ID token sent as an access token",
        &token,
        tok(OTHER_AUDIENCE),
    ));
    let token = issuer.token().claim("sub", json!({ "id": 1 })).sign();
    cases.push(Case::bearer(
        "RFC 8725 sub of the wrong type",
        &token,
        tok(INVALID_CLAIM),
    ));
    let token = issuer
        .token()
        .claim("permissions", json!(["read:messages", 7]))
        .sign();
    cases.push(Case::bearer(
        "permissions with a number",
        &token,
        tok(INVALID_CLAIM),
    ));
    let token = issuer.token().claim("cnf", json!({})).sign();
    cases.push(Case::bearer("cnf without jkt", &token, tok(INVALID_CLAIM)));

    cases
}

/// Sends one case and reduces the response.
async fn send(client: &reqwest::Client, base: &ExampleApi, case: &Case) -> Outcome {
    let mut request = client.get(base.url(case.path));
    for value in &case.authorization {
        let value = HeaderValue::from_bytes(value).expect("a header value reqwest can send");
        request = request.header(AUTHORIZATION, value);
    }
    outcome(request.send().await.expect("send the request")).await
}

/// Returns how the outcome of a case differs from the expected status, challenges and
/// body; empty when it matches.
fn mismatches(case: &Case, outcome: &Outcome) -> Vec<String> {
    let (status, challenges, body) = match &case.expect {
        Expect::Ok => (200, Vec::new(), None),
        Expect::NoCredentials => (
            401,
            no_credentials_challenges(),
            Some(error_body("unauthorized", "an access token is required")),
        ),
        Expect::InvalidRequest(description) => (
            400,
            vec![format!(
                "Bearer realm=\"api\", error=\"invalid_request\", error_description=\"{description}\""
            )],
            Some(error_body("invalid_request", description)),
        ),
        Expect::InvalidToken(description) => (
            401,
            invalid_token_challenge(description),
            Some(error_body("invalid_token", description)),
        ),
    };

    let mut problems = Vec::new();
    if outcome.status != status {
        problems.push(format!("status {} instead of {status}", outcome.status));
    }
    if outcome.challenges != challenges {
        problems.push(format!(
            "challenges {:?} instead of {challenges:?}",
            outcome.challenges
        ));
    }
    if let Some(body) = body
        && outcome.body != body
    {
        problems.push(format!("body {} instead of {body}", outcome.body));
    }
    problems
}

/// Asserts the exact status, challenges and body of a case.
fn check(case: &Case, outcome: &Outcome) {
    let problems = mismatches(case, outcome);
    assert!(problems.is_empty(), "{}: {}", case.id, problems.join("; "));
}

async fn run_table() -> (HostileApi, Vec<Case>) {
    let api = HostileApi::start().await;
    let cases = cases(&api);
    let client = reqwest::Client::new();
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = send(&client, &api.app, case).await;
        assert!(
            outcome.status < 500,
            "{}: status {}",
            case.id,
            outcome.status
        );
        let problems = mismatches(case, &outcome);
        if !problems.is_empty() {
            failures.push(format!("{}: {}", case.id, problems.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    (api, cases)
}

#[tokio::test]
async fn hostile_table_gets_exact_answers() {
    let (api, cases) = run_table().await;
    assert!(cases.len() > 100, "the table has {} cases", cases.len());
    assert_eq!(
        api.trap.requests.load(Ordering::SeqCst),
        0,
        "no request to a URL taken from a token"
    );
    assert!(
        api.app.issuer.jwks_requests() <= 2,
        "one fetch, plus at most one unknown-kid refetch per cooldown; got {}",
        api.app.issuer.jwks_requests()
    );
    assert_eq!(api.app.issuer.discovery_requests(), 1);
}

#[tokio::test]
async fn alg_none_decided_before_key_lookup() {
    let api = HostileApi::start().await;
    let client = reqwest::Client::new();
    let table = cases(&api);
    for case in table.iter().filter(|case| case.id.starts_with("T1 ")) {
        let outcome = send(&client, &api.app, case).await;
        check(case, &outcome);
    }
    assert_eq!(api.app.issuer.jwks_requests(), 0);
    assert_eq!(api.app.issuer.discovery_requests(), 0);
}

#[tokio::test]
async fn random_kids_refetch_once_per_cooldown() {
    let mut settings = auth0_tests::test_jwks_settings();
    settings.refresh_cooldown = Duration::from_secs(60);
    let app = ExampleApi::start_with(|builder| builder.jwks(settings)).await;
    let client = reqwest::Client::new();
    let valid = app.issuer.token().sign();
    let base = HostileBase { app: &app };

    assert_eq!(base.get(&client, &valid).await.status, 200);
    for round in 0..200u32 {
        let kid = format!("random-{round}-{}", round.wrapping_mul(2_654_435_761));
        let token = app.issuer.token().header("kid", kid).sign();
        let outcome = base.get(&client, &token).await;
        assert_eq!(outcome.status, 401, "round {round}");
        assert_eq!(outcome.body, error_body("invalid_token", UNKNOWN_KEY));
        if round % 50 == 0 {
            assert_eq!(base.get(&client, &valid).await.status, 200, "round {round}");
        }
    }
    assert_eq!(
        app.issuer.jwks_requests(),
        2,
        "the first fetch and one refetch within the cooldown"
    );
}

struct HostileBase<'a> {
    app: &'a ExampleApi,
}

impl HostileBase<'_> {
    async fn get(&self, client: &reqwest::Client, token: &str) -> Outcome {
        let response = client
            .get(self.app.url("/api/private"))
            .bearer_auth(token)
            .send()
            .await
            .expect("send the request");
        outcome(response).await
    }
}

#[tokio::test]
async fn deeply_nested_payload_rejected() {
    let app = ExampleApi::start_with(|builder| builder.max_token_bytes(128 * 1024)).await;
    let depth = 10_000;
    let payload = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": "dev-key-1" });
    let input = format!("{}.{}", encode(&header), URL_SAFE_NO_PAD.encode(&payload));
    let signature = app.issuer.signing_key().sign_rs256(input.as_bytes());
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature));
    let case = Case::bearer(
        "T16 payload nested 10,000 arrays deep",
        &token,
        Expect::InvalidToken(MALFORMED),
    );
    let outcome = send(&reqwest::Client::new(), &app, &case).await;
    check(&case, &outcome);

    let object = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    let input = format!("{}.{}", encode(&header), URL_SAFE_NO_PAD.encode(&object));
    let signature = app.issuer.signing_key().sign_rs256(input.as_bytes());
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature));
    let case = Case::bearer(
        "T16 payload nested 10,000 objects deep",
        &token,
        Expect::InvalidToken(MALFORMED),
    );
    let outcome = send(&reqwest::Client::new(), &app, &case).await;
    check(&case, &outcome);
}

#[tokio::test]
async fn dpop_scheme_recognised_case_insensitively() {
    let app = ExampleApi::start().await;
    let token = app.issuer.token().sign();
    for scheme in ["DPoP", "dpop", "DPOP"] {
        let outcome =
            auth0_tests::get(&app.url("/api/private"), Some(&format!("{scheme} {token}"))).await;
        assert_eq!(outcome.status, 401, "{scheme}");
        assert_eq!(outcome.challenges.len(), 1, "{scheme}");
        assert!(
            outcome.challenges[0].starts_with("DPoP algs=\"ES256\", error="),
            "{scheme}: {:?}",
            outcome.challenges
        );
    }
}

/// A `MakeWriter` that keeps every log line in memory.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

// The subscriber is the process-wide default: a thread-local one misses events whenever
// another test thread caches a callsite's interest first. The other tests of this file
// log into the same buffer from then on, which only widens the check.
#[tokio::test]
async fn no_token_reaches_trace_logs() {
    let logs = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");

    let (_api, cases) = run_table().await;

    let text = String::from_utf8_lossy(&logs.0.lock().unwrap_or_else(PoisonError::into_inner))
        .into_owned();
    assert!(
        text.lines().count() > 100,
        "the capture saw {} lines",
        text.lines().count()
    );
    assert!(
        text.contains("request rejected"),
        "the rejections were logged"
    );
    let forged = text.lines().find(|line| line.starts_with("FORGED"));
    assert!(
        forged.is_none(),
        "a header value started a log line: {forged:?}"
    );
    for case in &cases {
        for value in &case.authorization {
            let value = String::from_utf8_lossy(value);
            let credential = value
                .split_once([' ', '\t'])
                .map_or(value.as_ref(), |(_, rest)| rest);
            for piece in credential
                .split(['.', ',', ' ', '\t'])
                .filter(|piece| piece.len() >= 16)
            {
                let line = text.lines().find(|line| line.contains(piece));
                assert!(
                    line.is_none(),
                    "{}: a token part is in the log line {line:?}",
                    case.id
                );
            }
        }
    }
}
