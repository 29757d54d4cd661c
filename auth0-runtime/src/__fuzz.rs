//! Entry points for the fuzz targets in `fuzz/`: the parsers that read untrusted input,
//! reachable without a network or a running server. Not a public API.

use axum::http::{HeaderMap, HeaderValue, header};
use jsonwebtoken::Algorithm;

use crate::config::Config;
use crate::dpop::{
    DPOP, DpopConfig, Insertion, MemoryReplayStore, ProofChecker, ProofRequest, ReplayStoreError,
};
use crate::extract::authorization::{self, Authorization};
use crate::jwks::KeySet;
use crate::request_url::normalize_url;
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

/// The DPoP proof checks of RFC 9449 section 4.3 for one fixed request: the header count
/// and size, the compact shape, `typ`, `alg`, `jwk`, the claims, the signature and, for a
/// proof that passes, the replay store. The access token itself is not verified.
#[derive(Debug)]
pub struct ProofChecks {
    checker: ProofChecker,
    max_age: i64,
    method: String,
    url: String,
    access_token: String,
}

/// A proof that passed [`ProofChecks::check`], and what a replay store made of it.
#[derive(Debug)]
pub struct AcceptedProof {
    /// The RFC 7638 thumbprint of the proof's key.
    pub jkt: String,
    /// The outcome of recording the proof in an empty in-memory replay store.
    pub first_use: Result<Insertion, ReplayStoreError>,
    /// The outcome of recording the same proof again.
    pub second_use: Result<Insertion, ReplayStoreError>,
}

impl ProofChecks {
    /// Builds the checks for proofs signed with one of `algorithms`, for a request with
    /// this method, URL (normalized here, as the request side is) and access token. The
    /// other settings are the defaults of [`DpopConfig`]: 300 s of `max_age`, 30 s of
    /// `max_future`, no nonce.
    ///
    /// # Panics
    ///
    /// When `url` is not an absolute http or https URL.
    pub fn new(algorithms: &[Algorithm], method: &str, url: &str, access_token: &str) -> Self {
        let config = DpopConfig::default().algorithms(algorithms.iter().copied());
        Self {
            checker: ProofChecker::new(&config),
            max_age: i64::try_from(config.max_age.as_secs()).unwrap_or(i64::MAX),
            method: method.to_owned(),
            url: normalize_url(url).expect("an absolute http or https URL"),
            access_token: access_token.to_owned(),
        }
    }

    /// Checks the proof carried by these `DPoP` header lines at the time `now` (seconds
    /// since the Unix epoch). Lines that are not valid header bytes are skipped, because an
    /// HTTP server would never deliver them. A proof that passes is recorded twice in a
    /// fresh in-memory replay store whose history starts at `now - max_age`.
    ///
    /// # Errors
    ///
    /// The rejection the API would respond with.
    pub fn check(&self, lines: &[&[u8]], now: i64) -> Result<AcceptedProof, crate::AuthError> {
        let mut headers = HeaderMap::new();
        for line in lines {
            if let Ok(value) = HeaderValue::from_bytes(line) {
                headers.append(DPOP, value);
            }
        }
        let request = ProofRequest {
            method: &self.method,
            url: Ok(&self.url),
            access_token: Some(&self.access_token),
        };
        let proof = self.checker.check(&headers, &request, now)?;

        let store = MemoryReplayStore::with_history_start(16, now - self.max_age);
        let entry = proof.replay_entry(self.max_age);
        Ok(AcceptedProof {
            first_use: store.insert_now(&entry, now),
            second_use: store.insert_now(&entry, now),
            jkt: proof.jkt,
        })
    }
}

/// Returns whether the fast check finds `text` in normal form, and what the URL parser makes
/// of it, so a fuzz target can check that the parser leaves every such URL unchanged.
pub fn normal_form_and_parsed(text: &str) -> (bool, Option<String>) {
    (
        crate::request_url::is_normal_form(text),
        crate::request_url::normalize_by_parsing(text),
    )
}
