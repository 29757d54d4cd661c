//! Entry points for the fuzz targets in `fuzz/`: the parsers that read untrusted input,
//! reachable without a network or a running server. Not a public API.

use axum::http::{HeaderMap, HeaderValue, header};

use crate::config::Config;
use crate::extract::authorization::{self, Authorization};
use crate::jwks::KeySet;
use crate::verify::TokenVerifier;

/// Parses `Authorization` header lines as a request would carry them. Lines that are not
/// valid header bytes are skipped, because an HTTP server would never deliver them.
/// Returns how many lines were delivered and the credential, if the parser accepted one.
pub fn parse_authorization(
    lines: &[&[u8]],
) -> (usize, Result<Option<String>, crate::RequestError>) {
    let mut headers = HeaderMap::new();
    for line in lines {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(header::AUTHORIZATION, value);
        }
    }
    let parsed = authorization::parse(&headers).map(|parsed| match parsed {
        Authorization::Credential { token, .. } => Some(token.to_owned()),
        Authorization::Absent | Authorization::OtherScheme => None,
    });
    (headers.len(), parsed)
}

/// The access-token checks that run before any key lookup, for one issuer and audience.
#[derive(Debug)]
pub struct TokenChecker {
    verifier: TokenVerifier,
}

impl TokenChecker {
    /// Builds a checker for `issuer` (a base URL) and `audience`.
    ///
    /// # Panics
    ///
    /// When the configuration is invalid or the HTTP client cannot be built.
    pub fn new(issuer: &str, audience: &str) -> Self {
        let config = Config::builder()
            .issuer_base_url(issuer)
            .audience(audience)
            .build()
            .expect("a valid fuzzing configuration");
        let verifier = TokenVerifier::new(&config).expect("an HTTP client");
        Self { verifier }
    }

    /// Runs the shape, header and claim checks on `token` at the time `now` (seconds since
    /// the Unix epoch). Returns the `kid` and scopes of a token that passes them.
    ///
    /// # Errors
    ///
    /// The rejection the verifier would respond with.
    pub fn check(
        &self,
        token: &str,
        now: i64,
    ) -> Result<(Option<String>, Vec<String>), crate::AuthError> {
        let prechecked = self.verifier.precheck(token, now)?;
        Ok((prechecked.kid, prechecked.registered.scopes))
    }
}

/// Parses a key-set document with at most `max_keys` keys and looks `kid` up in it for
/// RS256. Returns whether a usable key was found.
///
/// # Errors
///
/// The reason the whole document was rejected.
pub fn parse_key_set(
    body: &[u8],
    max_keys: usize,
    kid: Option<&str>,
) -> Result<bool, crate::KeySetError> {
    let set = KeySet::parse(body, max_keys)?;
    let found = matches!(
        set.find(kid, jsonwebtoken::Algorithm::RS256),
        crate::jwks::Lookup::Found(_)
    );
    Ok(found)
}
