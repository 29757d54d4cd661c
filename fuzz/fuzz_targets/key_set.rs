//! The JWKS parser and key lookup on arbitrary documents.

#![no_main]

use auth0_runtime::__fuzz::parse_key_set;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for kid in [None, Some("k1"), Some("")] {
        let _ = parse_key_set(data, 64, kid);
    }
});
