//! Parsing the `Authorization` request header (RFC 9110 section 11.6.2, RFC 6750 section 2.1).

use axum::http::{HeaderMap, header};

use crate::error::{RequestError, Scheme};

/// What the `Authorization` header holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Authorization<'a> {
    /// No `Authorization` header.
    Absent,
    /// A scheme this API does not implement, such as `Basic`.
    OtherScheme,
    /// A `Bearer` or `DPoP` credential.
    Credential { scheme: Scheme, token: &'a str },
}

/// Parses the `Authorization` header. Scheme names are case-insensitive and surrounding
/// whitespace is trimmed.
///
/// The credential must be one word: a missing credential, several words or a
/// comma-separated list make the request malformed (`invalid_request`). A single word that
/// is not a valid token68, such as a JWT with padding or a stray `!`, is passed on, so it
/// fails verification as `invalid_token`: RFC 6750 section 3.1 gives that code to
/// malformed access tokens.
pub(crate) fn parse(headers: &HeaderMap) -> Result<Authorization<'_>, RequestError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(Authorization::Absent);
    };
    if values.next().is_some() {
        return Err(RequestError::DuplicateAuthorization);
    }
    let value = value.to_str().map_err(|_| RequestError::NonAsciiHeader)?;
    let value = value.trim_matches([' ', '\t']);

    let (scheme, credential) = match value.split_once([' ', '\t']) {
        Some((scheme, rest)) => (scheme, rest.trim_start_matches([' ', '\t'])),
        None => (value, ""),
    };
    let scheme = if scheme.eq_ignore_ascii_case("bearer") {
        Scheme::Bearer
    } else if scheme.eq_ignore_ascii_case("dpop") {
        Scheme::Dpop
    } else {
        return Ok(Authorization::OtherScheme);
    };
    if credential.is_empty() {
        return Err(RequestError::MissingCredential);
    }
    if !is_single_word(credential) {
        return Err(RequestError::MalformedCredential);
    }
    Ok(Authorization::Credential {
        scheme,
        token: credential,
    })
}

/// Returns whether `value` is one run of visible ASCII characters without a comma, which
/// would make it a list of credentials or auth-params rather than one token.
fn is_single_word(value: &str) -> bool {
    // A fold without early exit lets the compiler check many bytes per instruction.
    let valid = value.bytes().fold(true, |valid, byte| {
        valid & byte.is_ascii_graphic() & (byte != b',')
    });
    valid && !value.is_empty()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn parse_one(value: &[u8]) -> Result<Authorization<'static>, RequestError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_bytes(value).unwrap(),
        );
        let headers: &'static HeaderMap = Box::leak(Box::new(headers));
        parse(headers)
    }

    #[test]
    fn schemes_are_case_insensitive() {
        for value in [
            "Bearer abc",
            "bearer abc",
            "BEARER abc",
            "Bearer   abc",
            "Bearer abc\t",
        ] {
            assert_eq!(
                parse_one(value.as_bytes()),
                Ok(Authorization::Credential {
                    scheme: Scheme::Bearer,
                    token: "abc"
                }),
                "{value:?}"
            );
        }
        assert_eq!(
            parse_one(b"dpop abc"),
            Ok(Authorization::Credential {
                scheme: Scheme::Dpop,
                token: "abc"
            })
        );
    }

    #[test]
    fn malformed_credentials_rejected() {
        assert_eq!(parse_one(b"Bearer"), Err(RequestError::MissingCredential));
        assert_eq!(
            parse_one(b"Bearer   "),
            Err(RequestError::MissingCredential)
        );
        assert_eq!(
            parse_one(b"Bearer a b"),
            Err(RequestError::MalformedCredential)
        );
        assert_eq!(
            parse_one(b"Bearer a,b"),
            Err(RequestError::MalformedCredential)
        );
        assert_eq!(
            parse_one(b"Bearer a\tb"),
            Err(RequestError::MalformedCredential)
        );
        assert_eq!(
            parse_one("Bearer t\u{e9}".as_bytes()),
            Err(RequestError::NonAsciiHeader)
        );
    }

    #[test]
    fn malformed_single_word_passed_on() {
        for token in ["=", "a==.b.c", "a!b", "\"abc\"", "a%41"] {
            assert_eq!(
                parse_one(format!("Bearer {token}").as_bytes()),
                Ok(Authorization::Credential {
                    scheme: Scheme::Bearer,
                    token
                }),
                "{token:?}"
            );
        }
    }

    #[test]
    fn other_schemes_are_not_errors() {
        assert_eq!(
            parse_one(b"Basic dXNlcjpwYXNz"),
            Ok(Authorization::OtherScheme)
        );
        assert_eq!(parse_one(b"Bearerabc"), Ok(Authorization::OtherScheme));
    }

    #[test]
    fn single_word_boundaries() {
        assert!(is_single_word("AZaz09-._~+/=="));
        assert!(
            is_single_word("a=b"),
            "passed on, and rejected as a malformed token"
        );
        for rejected in ["a b", "a,b", "a\tb", ""] {
            assert!(!is_single_word(rejected), "{rejected:?}");
        }
    }

    #[test]
    fn two_headers_rejected() {
        let mut headers = HeaderMap::new();
        headers.append(header::AUTHORIZATION, HeaderValue::from_static("Bearer a"));
        headers.append(header::AUTHORIZATION, HeaderValue::from_static("Bearer b"));
        assert_eq!(parse(&headers), Err(RequestError::DuplicateAuthorization));
    }
}
