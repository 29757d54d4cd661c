//! The DPoP proof validator, on arbitrary proofs for a fixed request and access token.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // TODO: call the DPoP proof validator through `auth0_runtime::__fuzz` once it lands in
    // dpop/; until then this target only exercises the harness.
    let _ = std::str::from_utf8(data);
});
