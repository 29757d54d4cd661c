//! Validation of one DPoP proof (RFC 9449 section 4.3) and of its binding to the token.
//!
//! [`ProofChecker::check`] runs the checks that need no I/O, cheapest first: the header
//! count and size, the compact shape, `typ`, `alg`, `jwk`, the claims against the request,
//! and only then the signature and the nonce. A header that passed before is taken from a
//! [`HeaderCache`] with its parsed key instead of being checked again. [`ReplayGuard`]
//! records the proof afterwards, so a proof that fails any check never occupies the replay
//! store.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::request::Parts;
use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

use super::header_cache::{CheckedHeader, HeaderCache};
use super::jwk;
use super::nonce::NonceConfig;
use super::replay::{Insertion, MemoryReplayStore, ReplayEntry, ReplayStore, ReplayStoreError};
use super::{DPOP, DpopConfig, ReplayBackend, algorithm_name};
use crate::claims::VerifiedToken;
use crate::config::Config;
use crate::error::{AuthError, DpopError, TokenError};
use crate::request_url::{RequestUrlError, UrlPolicy, normalize_url};
use crate::verifier::BuildError;
use crate::verify::{TokenVerifier, jws, now_seconds, token_digest};

/// The longest `nonce` claim compared, in bytes. Nonces this crate issues have 43.
const MAX_NONCE_BYTES: usize = 128;

/// Returns base64url(SHA-256(token)): the `ath` claim a proof for `token` must carry.
///
/// The digest comes from the same per-thread memo as the token cache's key, so a token that
/// was just looked up in the cache is not hashed twice.
pub(crate) fn access_token_hash(token: &str) -> String {
    jws::encode(&token_digest(token))
}

/// The request a proof is checked against.
#[derive(Debug)]
pub(crate) struct ProofRequest<'a> {
    /// The request method, compared case-sensitively with `htm`.
    pub(crate) method: &'a str,
    /// The normalized request URL, or why it could not be determined.
    pub(crate) url: Result<&'a str, RequestUrlError>,
    /// The access token that `ath` must hash, or `None` at a token endpoint.
    pub(crate) access_token: Option<&'a str>,
}

/// A proof that passed every check except the replay check.
#[derive(Debug, Clone)]
pub(crate) struct CheckedProof {
    /// The RFC 7638 thumbprint of the proof's key.
    pub(crate) jkt: String,
    jti: String,
    issued_at: i64,
}

impl CheckedProof {
    /// Returns the replay-store entry of this proof, for an acceptance window of `max_age`
    /// seconds.
    pub(crate) fn replay_entry(&self, max_age: i64) -> ReplayEntry {
        // One second more than the acceptance window, because a proof with
        // `iat == now - max_age` is still accepted.
        let expires_at = self.issued_at + max_age + 1;
        ReplayEntry::new(&self.jti, &self.jkt, self.issued_at, expires_at)
    }
}

/// The checks of RFC 9449 section 4.3 that need no I/O.
#[derive(Debug)]
pub(crate) struct ProofChecker {
    algorithms: Vec<Algorithm>,
    max_age: i64,
    max_future: i64,
    max_proof_bytes: usize,
    max_jti_bytes: usize,
    nonce: Option<NonceConfig>,
    headers: HeaderCache,
}

impl ProofChecker {
    pub(crate) fn new(config: &DpopConfig) -> Self {
        Self {
            algorithms: config.algorithms.clone(),
            max_age: duration_seconds(config.max_age),
            max_future: duration_seconds(config.max_future),
            max_proof_bytes: config.max_proof_bytes,
            max_jti_bytes: config.max_jti_bytes,
            nonce: config.nonce.clone(),
            headers: HeaderCache::new(HeaderCache::DEFAULT_CAPACITY),
        }
    }

    /// Turns the header cache off, so every proof's header and key are parsed, as for a
    /// client that uses a new key for each proof.
    pub(crate) fn without_header_cache(mut self) -> Self {
        self.headers = HeaderCache::new(0);
        self
    }

    /// Checks the request's proof at time `now` (seconds since the Unix epoch).
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidDpopProof`] naming the failed check, or
    /// [`AuthError::DpopNonceRequired`] with the nonce to use.
    pub(crate) fn check(
        &self,
        headers: &HeaderMap,
        request: &ProofRequest<'_>,
        now: i64,
    ) -> Result<CheckedProof, AuthError> {
        let text = self.single_proof(headers).map_err(invalid)?;
        let parts = jws::split(text).map_err(malformed)?;
        let header = self.headers.get_or_check(parts.header, || {
            let header = jws::decode_object(parts.header).map_err(malformed)?;
            self.check_header(&header).map_err(invalid)
        })?;
        let key = &header.key;

        let claims = jws::decode_object(parts.payload).map_err(malformed)?;
        let (jti, issued_at) = self.check_claims(&claims, request, now).map_err(invalid)?;

        // The signature is checked last of the proof's own checks: it is the only
        // expensive one, and by now the proof is well-formed and fits this request.
        // `jws::split` let through only base64url characters, so the encoded length gives the
        // decoded one, and the signature is decoded once, by the verification below.
        if parts.signature.len() != jws::encoded_len(key.signature_len) {
            return Err(invalid(DpopError::InvalidSignature));
        }
        if !key
            .key
            .verify(header.alg, parts.signing_input.as_bytes(), parts.signature)
        {
            return Err(invalid(DpopError::InvalidSignature));
        }

        self.check_nonce(&claims, now)?;
        Ok(CheckedProof {
            jkt: key.thumbprint.clone(),
            jti,
            issued_at,
        })
    }

    /// Returns the one proof of the request: exactly one `DPoP` header line, holding one
    /// compact JWS of bounded size.
    fn single_proof<'h>(&self, headers: &'h HeaderMap) -> Result<&'h str, DpopError> {
        let mut values = headers.get_all(DPOP).iter();
        let Some(value) = values.next() else {
            return Err(DpopError::Missing);
        };
        if values.next().is_some() {
            return Err(DpopError::Multiple);
        }
        if value.len() > self.max_proof_bytes {
            return Err(DpopError::Malformed {
                reason: "the proof is longer than the maximum",
            });
        }
        let text = value.to_str().map_err(|_| DpopError::Malformed {
            reason: "the header contains non-ASCII bytes",
        })?;
        let text = text.trim_matches([' ', '\t']);
        if text.contains(',') {
            return Err(DpopError::Multiple);
        }
        if text.is_empty() {
            return Err(DpopError::Malformed {
                reason: "the header is empty",
            });
        }
        Ok(text)
    }

    fn check_header(&self, header: &Map<String, Value>) -> Result<CheckedHeader, DpopError> {
        if header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
            return Err(DpopError::WrongType);
        }
        let alg_name = header.get("alg").and_then(Value::as_str).unwrap_or("");
        let Some(alg) = self
            .algorithms
            .iter()
            .copied()
            .find(|alg| algorithm_name(*alg) == alg_name)
        else {
            return Err(DpopError::DisallowedAlgorithm);
        };
        // No JWS extension is implemented, so any `crit` makes the proof unusable.
        if header.contains_key("crit") {
            return Err(DpopError::Malformed {
                reason: "the header has a crit member",
            });
        }
        let Some(jwk) = header.get("jwk") else {
            return Err(DpopError::InvalidKey {
                reason: "the header has no jwk",
            });
        };
        let key = jwk::parse(jwk, alg).map_err(|reason| DpopError::InvalidKey { reason })?;
        Ok(CheckedHeader { alg, key })
    }

    /// Checks `jti`, `htm`, `htu`, `iat` and `ath`, and returns the `jti` and `iat`.
    fn check_claims(
        &self,
        claims: &Map<String, Value>,
        request: &ProofRequest<'_>,
        now: i64,
    ) -> Result<(String, i64), DpopError> {
        let jti = match claims.get("jti") {
            Some(Value::String(jti)) if !jti.is_empty() && jti.len() <= self.max_jti_bytes => jti,
            _ => return Err(DpopError::InvalidClaim { name: "jti" }),
        };

        let Some(htm) = claims.get("htm").and_then(Value::as_str) else {
            return Err(DpopError::InvalidClaim { name: "htm" });
        };
        if htm != request.method {
            return Err(DpopError::MethodMismatch);
        }

        let Some(htu) = claims.get("htu").and_then(Value::as_str) else {
            return Err(DpopError::InvalidClaim { name: "htu" });
        };
        let request_url = request.url.map_err(|error| {
            tracing::debug!(
                error = &error as &dyn std::error::Error,
                "request URL unknown for the htu check"
            );
            DpopError::UrlMismatch
        })?;
        // `request_url` is normalized, and normalizing a normalized URL returns it
        // unchanged, so an `htu` equal to it needs no parsing.
        if htu != request_url && normalize_url(htu).as_deref() != Some(request_url) {
            return Err(DpopError::UrlMismatch);
        }

        let Some(issued_at) = claims.get("iat").and_then(jws::numeric_date) else {
            return Err(DpopError::InvalidClaim { name: "iat" });
        };
        if issued_at < now - self.max_age || issued_at > now + self.max_future {
            return Err(DpopError::StaleOrFuture);
        }

        if let Some(token) = request.access_token {
            let Some(ath) = claims.get("ath").and_then(Value::as_str) else {
                return Err(DpopError::InvalidClaim { name: "ath" });
            };
            if ath != access_token_hash(token) {
                return Err(DpopError::AccessTokenHashMismatch);
            }
        }
        Ok((jti.clone(), issued_at))
    }

    fn check_nonce(&self, claims: &Map<String, Value>, now: i64) -> Result<(), AuthError> {
        let Some(nonces) = &self.nonce else {
            return Ok(());
        };
        let valid = match claims.get("nonce") {
            Some(Value::String(nonce)) if nonce.len() <= MAX_NONCE_BYTES => {
                nonces.accepts(nonce, now)
            }
            _ => false,
        };
        if valid {
            return Ok(());
        }
        tracing::debug!("DPoP proof nonce missing or expired");
        Err(AuthError::DpopNonceRequired {
            nonce: nonces.current(now),
        })
    }
}

/// Records accepted proofs in the replay store and applies the fail-open setting.
#[derive(Debug)]
pub(crate) struct ReplayGuard {
    store: Arc<dyn ReplayStore>,
    max_age: i64,
    timeout: Duration,
    fail_open: bool,
    warnings: WarningLimiter,
}

impl ReplayGuard {
    pub(crate) fn new(config: &DpopConfig) -> Result<Self, ReplayStoreError> {
        let store: Arc<dyn ReplayStore> = match &config.replay {
            ReplayBackend::Memory { capacity } => Arc::new(MemoryReplayStore::new(*capacity)),
            #[cfg(feature = "redis")]
            ReplayBackend::Redis { url } => {
                Arc::new(super::RedisReplayStore::new(url, config.replay_timeout)?)
            }
            ReplayBackend::Custom(store) => store.clone(),
        };
        Ok(Self {
            store,
            max_age: duration_seconds(config.max_age),
            timeout: config.replay_timeout,
            fail_open: config.replay_fail_open,
            warnings: WarningLimiter::default(),
        })
    }

    pub(crate) async fn connect(&self) -> Result<(), ReplayStoreError> {
        self.store.connect().await
    }

    /// Records `proof`, rejecting it when its `jti` was already used with the same key.
    ///
    /// # Errors
    ///
    /// [`DpopError::Replayed`] or [`DpopError::ReplayUnverifiable`], or
    /// [`AuthError::ReplayStoreUnavailable`] when the store fails and fail-open is off.
    pub(crate) async fn record(&self, proof: &CheckedProof) -> Result<(), AuthError> {
        let entry = proof.replay_entry(self.max_age);
        let outcome = match tokio::time::timeout(self.timeout, self.store.insert(&entry)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(ReplayStoreError::TimedOut {
                timeout: self.timeout,
            }),
        };
        match outcome {
            Ok(Insertion::Inserted) => Ok(()),
            Ok(Insertion::AlreadyPresent) => Err(invalid(DpopError::Replayed)),
            Ok(Insertion::HistoryIncomplete) => Err(invalid(DpopError::ReplayUnverifiable)),
            Err(error) => self.store_failed(&error),
        }
    }

    fn store_failed(&self, error: &ReplayStoreError) -> Result<(), AuthError> {
        let suppressed = self.warnings.admit(now_seconds());
        if self.fail_open {
            if let Some(suppressed) = suppressed {
                tracing::warn!(
                    error = error as &dyn std::error::Error,
                    suppressed,
                    "DPoP replay store failed; accepting proofs unchecked because fail-open is on"
                );
            }
            return Ok(());
        }
        if let Some(suppressed) = suppressed {
            tracing::warn!(
                error = error as &dyn std::error::Error,
                suppressed,
                "DPoP replay store failed; rejecting requests with 503"
            );
        }
        Err(AuthError::ReplayStoreUnavailable)
    }
}

/// Lets one warning through per interval and counts the rest, so an outage does not flood
/// the log with one line per request.
#[derive(Debug, Default)]
struct WarningLimiter {
    last: AtomicI64,
    suppressed: AtomicU64,
}

impl WarningLimiter {
    const INTERVAL_SECONDS: i64 = 10;

    /// Returns how many warnings were suppressed since the last one, or `None` when this
    /// one should be suppressed too.
    fn admit(&self, now: i64) -> Option<u64> {
        let last = self.last.load(Ordering::Relaxed);
        if now - last >= Self::INTERVAL_SECONDS
            && self
                .last
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            return Some(self.suppressed.swap(0, Ordering::Relaxed));
        }
        self.suppressed.fetch_add(1, Ordering::Relaxed);
        None
    }
}

/// Authenticates requests that use the `DPoP` scheme.
#[derive(Debug)]
pub(crate) struct ProofValidator {
    checker: ProofChecker,
    replay: ReplayGuard,
    url_policy: UrlPolicy,
}

impl ProofValidator {
    pub(crate) fn new(config: &Config) -> Result<Self, BuildError> {
        Ok(Self {
            checker: ProofChecker::new(&config.dpop),
            replay: ReplayGuard::new(&config.dpop).map_err(BuildError::ReplayStore)?,
            url_policy: config.url_policy.clone(),
        })
    }

    pub(crate) async fn connect_replay_store(&self) -> Result<(), ReplayStoreError> {
        self.replay.connect().await
    }

    /// Verifies the request's DPoP proof, the access token, and the token's binding to the
    /// proof's key, then records the proof against replays.
    pub(crate) async fn authenticate(
        &self,
        parts: &Parts,
        access_token: &str,
        tokens: &TokenVerifier,
    ) -> Result<VerifiedToken, AuthError> {
        let url = self.url_policy.request_url(parts);
        let request = ProofRequest {
            method: parts.method.as_str(),
            url: url.as_deref().map_err(|error| *error),
            access_token: Some(access_token),
        };
        let proof = self
            .checker
            .check(&parts.headers, &request, now_seconds())?;

        let token = tokens.verify(access_token).await?;
        match token.jkt() {
            None => return Err(AuthError::InvalidToken(TokenError::UnboundToken)),
            Some(jkt) if jkt != proof.jkt => {
                return Err(AuthError::InvalidToken(TokenError::KeyBindingMismatch));
            }
            Some(_) => {}
        }

        self.replay.record(&proof).await?;
        Ok(token)
    }
}

fn duration_seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

fn invalid(error: DpopError) -> AuthError {
    AuthError::InvalidDpopProof(error)
}

fn malformed(reason: &'static str) -> AuthError {
    invalid(DpopError::Malformed { reason })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    /// The token-request proof of RFC 9449 section 4.1, made at `RFC_IAT`.
    const RFC_PROOF: &str = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg";
    const RFC_IAT: i64 = 1_562_262_616;
    /// The thumbprint of the example key, from RFC 9449 section 6.1.
    const RFC_JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    const RFC_URL: &str = "https://server.example.com/token";

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(DPOP, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn check_at(
        proof_headers: &HeaderMap,
        method: &str,
        url: &str,
        now: i64,
    ) -> Result<CheckedProof, AuthError> {
        let checker = ProofChecker::new(&DpopConfig::default());
        let url = normalize_url(url).unwrap();
        let request = ProofRequest {
            method,
            url: Ok(&url),
            access_token: None,
        };
        checker.check(proof_headers, &request, now)
    }

    fn dpop_error(result: Result<CheckedProof, AuthError>) -> DpopError {
        match result {
            Err(AuthError::InvalidDpopProof(error)) => error,
            other => panic!("expected an invalid proof, got {other:?}"),
        }
    }

    #[test]
    fn rfc9449_example_proof_accepted() {
        let proof = check_at(&headers(&[RFC_PROOF]), "POST", RFC_URL, RFC_IAT).unwrap();
        assert_eq!(proof.jkt, RFC_JKT);
        assert_eq!(proof.jti, "-BwC3ESc6acc2lTc");
        assert_eq!(proof.issued_at, RFC_IAT);
    }

    #[test]
    fn rfc9449_example_ath() {
        assert_eq!(
            access_token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
        );
    }

    #[test]
    fn iat_window_enforced() {
        let proof = headers(&[RFC_PROOF]);
        assert!(check_at(&proof, "POST", RFC_URL, RFC_IAT + 300).is_ok());
        assert_eq!(
            dpop_error(check_at(&proof, "POST", RFC_URL, RFC_IAT + 301)),
            DpopError::StaleOrFuture
        );
        assert!(check_at(&proof, "POST", RFC_URL, RFC_IAT - 30).is_ok());
        assert_eq!(
            dpop_error(check_at(&proof, "POST", RFC_URL, RFC_IAT - 31)),
            DpopError::StaleOrFuture
        );
    }

    #[test]
    fn forged_es256_signatures_rejected() {
        let (signing_input, valid) = RFC_PROOF.rsplit_once('.').unwrap();
        // The same 64 bytes with a set unused bit in the last character.
        let non_canonical = format!("{}h", &valid[..valid.len() - 1]);
        assert!(valid.ends_with('g'));
        let signatures = [
            non_canonical,
            jws::encode(&[0u8; 64]),
            "MAYCAQACAQA".to_owned(),
            jws::encode(&[1u8; 63]),
            jws::encode(&[1u8; 65]),
        ];
        for signature in signatures {
            let proof = format!("{signing_input}.{signature}");
            assert_eq!(
                dpop_error(check_at(&headers(&[&proof]), "POST", RFC_URL, RFC_IAT)),
                DpopError::InvalidSignature,
                "{signature}"
            );
        }
    }

    #[test]
    fn header_count_and_shape_checked() {
        let cases = [
            (headers(&[]), DpopError::Missing),
            (headers(&[RFC_PROOF, RFC_PROOF]), DpopError::Multiple),
            (
                headers(&[&format!("{RFC_PROOF},{RFC_PROOF}")]),
                DpopError::Multiple,
            ),
            (
                headers(&[""]),
                DpopError::Malformed {
                    reason: "the header is empty",
                },
            ),
        ];
        for (proof_headers, expected) in cases {
            let error = dpop_error(check_at(&proof_headers, "POST", RFC_URL, RFC_IAT));
            assert_eq!(error, expected);
        }
    }

    #[test]
    fn method_compared_case_sensitively() {
        let proof = headers(&[RFC_PROOF]);
        assert_eq!(
            dpop_error(check_at(&proof, "post", RFC_URL, RFC_IAT)),
            DpopError::MethodMismatch
        );
        assert_eq!(
            dpop_error(check_at(&proof, "GET", RFC_URL, RFC_IAT)),
            DpopError::MethodMismatch
        );
    }

    #[test]
    fn htu_compared_after_normalization() {
        let proof = headers(&[RFC_PROOF]);
        for url in [
            "HTTPS://SERVER.example.com:443/token",
            "https://server.example.com/token?x=1",
            "https://server.example.com/%74oken",
        ] {
            assert!(check_at(&proof, "POST", url, RFC_IAT).is_ok(), "{url}");
        }
        for url in [
            "http://server.example.com/token",
            "https://server.example.com/token/",
            "https://server.example.com:8443/token",
            "https://other.example.com/token",
        ] {
            assert_eq!(
                dpop_error(check_at(&proof, "POST", url, RFC_IAT)),
                DpopError::UrlMismatch,
                "{url}"
            );
        }
    }

    #[test]
    fn ath_required_with_access_token() {
        let checker = ProofChecker::new(&DpopConfig::default());
        let url = normalize_url(RFC_URL).unwrap();
        let request = ProofRequest {
            method: "POST",
            url: Ok(&url),
            access_token: Some("token"),
        };
        let result = checker.check(&headers(&[RFC_PROOF]), &request, RFC_IAT);
        assert_eq!(dpop_error(result), DpopError::InvalidClaim { name: "ath" });
    }

    #[test]
    fn nonce_required_when_configured() {
        let nonces = NonceConfig::new([9u8; 32]).unwrap();
        let checker = ProofChecker::new(&DpopConfig::default().nonce(nonces.clone()));
        let url = normalize_url(RFC_URL).unwrap();
        let request = ProofRequest {
            method: "POST",
            url: Ok(&url),
            access_token: None,
        };
        match checker.check(&headers(&[RFC_PROOF]), &request, RFC_IAT) {
            Err(AuthError::DpopNonceRequired { nonce }) => {
                assert_eq!(nonce, nonces.current(RFC_IAT));
            }
            other => panic!("expected a nonce challenge, got {other:?}"),
        }
    }

    #[test]
    fn disallowed_algorithm_rejected() {
        let checker = ProofChecker::new(&DpopConfig::default().algorithms([Algorithm::EdDSA]));
        let url = normalize_url(RFC_URL).unwrap();
        let request = ProofRequest {
            method: "POST",
            url: Ok(&url),
            access_token: None,
        };
        let result = checker.check(&headers(&[RFC_PROOF]), &request, RFC_IAT);
        assert_eq!(dpop_error(result), DpopError::DisallowedAlgorithm);
    }

    #[test]
    fn warnings_limited_per_interval() {
        let limiter = WarningLimiter::default();
        assert_eq!(limiter.admit(100), Some(0));
        assert_eq!(limiter.admit(101), None);
        assert_eq!(limiter.admit(105), None);
        assert_eq!(limiter.admit(110), Some(2));
    }
}
