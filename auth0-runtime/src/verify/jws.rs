//! Splitting and decoding compact JWS values (RFC 7515 section 7.1).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

/// The three parts of a compact JWS, still encoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CompactJws<'a> {
    pub(crate) header: &'a str,
    pub(crate) payload: &'a str,
    pub(crate) signature: &'a str,
    /// `header.payload`: the bytes the signature covers.
    pub(crate) signing_input: &'a str,
}

/// Splits `value` into its three parts, rejecting anything but three non-empty base64url
/// segments (an empty signature is how `alg: none` tokens look).
pub(crate) fn split(value: &str) -> Result<CompactJws<'_>, &'static str> {
    let mut parts = value.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not three dot-separated parts");
    };
    if header.is_empty() || payload.is_empty() || signature.is_empty() {
        return Err("an empty part");
    }
    // A fold without early exit lets the compiler check many bytes per instruction.
    let valid = value.bytes().fold(true, |valid, byte| {
        valid & (byte == b'.' || is_base64url(byte))
    });
    if !valid {
        return Err("a character outside the base64url alphabet");
    }
    let signing_input = &value[..header.len() + 1 + payload.len()];
    Ok(CompactJws {
        header,
        payload,
        signature,
        signing_input,
    })
}

/// Decodes one base64url part without padding. Non-canonical encodings (set unused bits in
/// the last character) are rejected by the engine, so one token has one spelling.
pub(crate) fn decode(part: &str) -> Result<Vec<u8>, &'static str> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| "invalid base64url")
}

/// Returns the length of `count` bytes once encoded as base64url without padding.
pub(crate) fn encoded_len(count: usize) -> usize {
    (count * 4).div_ceil(3)
}

/// Encodes bytes as base64url without padding.
pub(crate) fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes a part that must hold a JSON object. serde_json's recursion limit (128) bounds
/// the work on deeply nested input.
pub(crate) fn decode_object(part: &str) -> Result<Map<String, Value>, &'static str> {
    let bytes = decode(part)?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err("not a JSON object"),
        Err(_) => Err("invalid JSON"),
    }
}

fn is_base64url(byte: u8) -> bool {
    matches!(byte, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_')
}

/// Reads a NumericDate (RFC 7519 section 2): a JSON number of seconds, which may have a
/// fraction, within years 1970 to 9999. Returns whole seconds, rounded down.
pub(crate) fn numeric_date(value: &Value) -> Option<i64> {
    const MAX: f64 = 253_402_300_799.0;
    let Value::Number(number) = value else {
        return None;
    };
    if let Some(seconds) = number.as_i64() {
        return (0..=MAX as i64).contains(&seconds).then_some(seconds);
    }
    let seconds = number.as_f64()?;
    (seconds.is_finite() && (0.0..=MAX).contains(&seconds)).then(|| seconds.floor() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_rejects_wrong_shapes() {
        assert!(split("a.b").is_err());
        assert!(split("a.b.c.d").is_err());
        assert!(split("a.b.").is_err());
        assert!(split("a+b.c.d").is_err());
        assert!(split("a.b.c=").is_err());
        assert_eq!(split("ab.cd.ef").unwrap().signing_input, "ab.cd");
    }

    #[test]
    fn encoded_len_matches_encoder() {
        for length in 0..70 {
            assert_eq!(
                encoded_len(length),
                encode(&vec![0; length]).len(),
                "{length}"
            );
        }
    }

    #[test]
    fn decode_rejects_padding_and_trailing_bits() {
        assert_eq!(decode("YQ").unwrap(), b"a");
        assert!(decode("YQ==").is_err());
        assert!(
            decode("YR").is_err(),
            "unused bits set in the last character"
        );
    }

    #[test]
    fn numeric_date_bounds() {
        assert_eq!(numeric_date(&serde_json::json!(10)), Some(10));
        assert_eq!(numeric_date(&serde_json::json!(10.9)), Some(10));
        assert_eq!(numeric_date(&serde_json::json!(-1)), None);
        assert_eq!(numeric_date(&serde_json::json!(1e300)), None);
        assert_eq!(numeric_date(&serde_json::json!("10")), None);
    }
}
