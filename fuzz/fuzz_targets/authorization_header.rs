//! The `Authorization` parser on arbitrary header lines: it must never panic, and a
//! credential it accepts must be one word taken from the header.

#![no_main]

use auth0_runtime::__fuzz::parse_authorization;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A 0x00 byte separates header lines; HTTP forbids it inside a value.
    let lines: Vec<&[u8]> = data.split(|byte| *byte == 0).take(4).collect();
    let (delivered, parsed) = parse_authorization(&lines);
    if let Ok(Some(token)) = parsed {
        assert_eq!(delivered, 1, "a credential from several header lines");
        assert!(!token.is_empty());
        assert!(
            token
                .bytes()
                .all(|byte| byte.is_ascii_graphic() && byte != b','),
            "the credential {token:?} is not one word"
        );
        let from_a_line = lines
            .iter()
            .any(|line| String::from_utf8_lossy(line).contains(&token));
        assert!(from_a_line, "the credential is not part of the header");
    }
});
