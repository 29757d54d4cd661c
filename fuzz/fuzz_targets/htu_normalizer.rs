//! The DPoP `htu` normaliser, which compares a proof's `htu` with the request URL.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // TODO: call the `htu` normaliser through `auth0_runtime::__fuzz` once it lands in
    // request_url.rs with the DPoP work; until then this target only exercises the harness.
    let _ = std::str::from_utf8(data);
});
