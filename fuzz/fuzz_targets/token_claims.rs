//! The header and claim checks on arbitrary JSON. The input is split into a header and a
//! payload, which are base64url-encoded into a token with a junk signature. The fuzzer
//! thus spends its time in the JSON and claim logic rather than in base64.

#![no_main]

use std::sync::OnceLock;

use auth0_runtime::__fuzz::TokenChecker;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;

const NOW: i64 = 1_700_000_000;
const ISSUER: &str = "http://127.0.0.1:3000/";
const AUDIENCE: &str = "https://api.example.com";

fn checker() -> &'static TokenChecker {
    static CHECKER: OnceLock<TokenChecker> = OnceLock::new();
    CHECKER.get_or_init(|| TokenChecker::new(ISSUER, AUDIENCE))
}

fuzz_target!(|data: &[u8]| {
    // A 0xff byte, which UTF-8 JSON never contains, separates the header from the payload.
    let (header, payload) = match data.iter().position(|byte| *byte == 0xff) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&br#"{"alg":"RS256","typ":"JWT","kid":"k1"}"#[..], data),
    };
    let token = format!(
        "{}.{}.c2lnbmF0dXJl",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    if let Ok((_, scopes)) = checker().check(&token, NOW) {
        // Whatever passed must name this issuer and audience in the payload text.
        let text = String::from_utf8_lossy(payload);
        assert!(text.contains("iss"), "{text}");
        assert!(text.contains("aud"), "{text}");
        assert!(
            scopes
                .iter()
                .all(|scope| !scope.is_empty() && !scope.contains(' '))
        );
    }
});
