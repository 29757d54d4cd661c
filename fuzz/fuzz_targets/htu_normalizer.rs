//! The DPoP `htu` normaliser and the request-URL reconstruction it is compared with.
//!
//! The input is split at `0x00` into an `htu`, a request path and the values of `Host`,
//! `X-Forwarded-Proto`, `X-Forwarded-Host`, `X-Forwarded-Prefix` and `Forwarded`. A missing
//! part leaves that header out. Nothing may panic, normalization must be idempotent, and a
//! normalized URL must be an absolute http or https URL without a query or fragment. A URL
//! that the fast normal-form check accepts must come out of the URL parser unchanged.

#![no_main]

use auth0_runtime::request_url::{UrlPolicy, normalize_url};
use http::Request;
use libfuzzer_sys::fuzz_target;

const HEADERS: [&str; 5] = [
    "host",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-forwarded-prefix",
    "forwarded",
];

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|byte| *byte == 0);
    let htu = String::from_utf8_lossy(parts.next().unwrap_or_default());
    check_normalized(&htu);

    let Some(path) = parts.next() else {
        return;
    };
    let mut request = Request::builder().uri(path);
    for (name, value) in HEADERS.iter().zip(parts) {
        request = request.header(*name, value);
    }
    let Ok(request) = request.body(()) else {
        return;
    };
    let (request, ()) = request.into_parts();

    let public =
        UrlPolicy::public_base_url("https://api.example.com/orders").expect("a valid base URL");
    for policy in [UrlPolicy::Direct, UrlPolicy::TrustProxy, public] {
        if let Ok(url) = policy.request_url(&request) {
            check_normal_form(&url);
            assert_eq!(
                normalize_url(&url).as_deref(),
                Some(url.as_str()),
                "{policy:?} returned a URL that is not in normal form"
            );
        }
    }
});

/// Normalizes `text` and checks the properties of the result.
fn check_normalized(text: &str) {
    let (normal_form, parsed) = auth0_runtime::__fuzz::normal_form_and_parsed(text);
    if normal_form {
        assert_eq!(
            parsed.as_deref(),
            Some(text),
            "{text:?} passed the normal-form check but parsing changed it"
        );
    }
    let Some(normalized) = normalize_url(text) else {
        return;
    };
    check_normal_form(&normalized);
    assert_eq!(
        normalize_url(&normalized).as_deref(),
        Some(normalized.as_str()),
        "normalizing {text:?} twice changed it"
    );
}

fn check_normal_form(url: &str) {
    assert!(
        url.starts_with("http://") || url.starts_with("https://"),
        "{url:?} is not an http or https URL"
    );
    assert!(!url.contains(['?', '#']), "{url:?} has a query or fragment");
    assert!(
        url.bytes().all(|byte| byte.is_ascii_graphic()),
        "{url:?} has bytes that are not visible ASCII"
    );
}
