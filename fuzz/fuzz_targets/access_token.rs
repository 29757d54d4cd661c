//! The checks that run on an access token before any key lookup, on arbitrary strings.

#![no_main]

use std::sync::OnceLock;

use auth0_runtime::__fuzz::TokenChecker;
use libfuzzer_sys::fuzz_target;

const NOW: i64 = 1_700_000_000;

fn checker() -> &'static TokenChecker {
    static CHECKER: OnceLock<TokenChecker> = OnceLock::new();
    CHECKER.get_or_init(|| TokenChecker::new("http://127.0.0.1:3000/", "https://api.example.com"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let _ = checker().check(token, NOW);
});
