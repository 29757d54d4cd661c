//! DPoP (RFC 9449): access tokens bound to a key that the client proves it holds.
//!
//! A request with `Authorization: DPoP <token>` must carry one `DPoP` header with a proof: a
//! JWT signed by the client's key, naming the request's method (`htm`) and URL (`htu`) and
//! the token's hash (`ath`). The proof is checked as RFC 9449 section 4.3 lists, cheap checks
//! first, and the token's `cnf.jkt` must be the thumbprint of the proof's key.
//!
//! # Rules this crate applies
//!
//! - `typ` must be exactly `dpop+jwt`. `alg` must be in [`DpopConfig::algorithms`]; symmetric
//!   algorithms and `none` can never be configured.
//! - `htm` must equal the request method, compared case-sensitively.
//! - `htu` is compared with the request URL after the normalization of
//!   [`normalize_url`](crate::request_url::normalize_url). The query and fragment are ignored
//!   on both sides, as RFC 9449 section 4.3 specifies. A proof whose `htu` carries a query or
//!   a fragment is accepted when the rest matches, and a proof without them is accepted for a
//!   request with a query. Where the request URL comes from is set by
//!   [`UrlPolicy`](crate::request_url::UrlPolicy).
//! - `iat` must be a number within [`DpopConfig::max_age`] in the past and
//!   [`DpopConfig::max_future`] in the future.
//! - `jti` must be a non-empty string of at most [`DpopConfig::max_jti_bytes`] bytes, never
//!   used before with the same key within the `iat` window (see [`ReplayStore`]).
//! - `ath` must equal base64url(SHA-256(access token)), exactly.
//! - A token without `cnf.jkt` sent with the `DPoP` scheme is rejected with
//!   `invalid_token`, because accepting it would let the DPoP scheme carry unbound tokens
//!   (RFC 9449 section 7.1 allows either choice).

mod header_cache;
mod jwk;
mod nonce;
mod proof;
#[cfg(feature = "redis")]
mod redis;
mod replay;

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderName;
use jsonwebtoken::Algorithm;

use crate::config::ConfigError;

pub(crate) use jwk::thumbprint as jwk_thumbprint;
pub use nonce::NonceConfig;
pub(crate) use proof::{ProofChecker, ProofRequest, ProofValidator};
#[cfg(feature = "dev-issuer")]
pub(crate) use proof::{ReplayGuard, access_token_hash};
#[cfg(feature = "redis")]
pub use redis::RedisReplayStore;
pub use replay::{
    BoxFuture, Insertion, MemoryReplayStore, ReplayEntry, ReplayStore, ReplayStoreError,
};

/// The `DPoP` request header that carries a proof.
pub const DPOP: HeaderName = HeaderName::from_static("dpop");
/// The `DPoP-Nonce` response header that carries a server nonce.
pub const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

/// The environment variable that turns DPoP on or off.
pub const ENABLED_VAR: &str = "AUTH0_DPOP_ENABLED";
/// The environment variable that makes DPoP the only accepted scheme.
pub const REQUIRED_VAR: &str = "AUTH0_DPOP_REQUIRED";
/// The environment variable naming the Redis server of the replay store.
pub const REDIS_URL_VAR: &str = "AUTH0_DPOP_REDIS_URL";

/// Which authentication schemes the API accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DpopMode {
    /// Only `Bearer`; the `DPoP` scheme is treated as unsupported.
    Disabled,
    /// Both `Bearer` and `DPoP` (the default).
    #[default]
    Allowed,
    /// Only `DPoP`; a `Bearer` request gets a `DPoP` challenge.
    Required,
}

/// The storage of accepted proofs, for replay detection.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ReplayBackend {
    /// A [`MemoryReplayStore`] of this capacity in entries (the default, with
    /// [`MemoryReplayStore::DEFAULT_CAPACITY`]). Instances do not share it.
    Memory {
        /// The most unexpired entries the store holds.
        capacity: usize,
    },
    /// A [`RedisReplayStore`] at this URL, shared by every instance that uses the same
    /// server and database.
    #[cfg(feature = "redis")]
    Redis {
        /// The server, such as `redis://127.0.0.1:6379/0`.
        url: String,
    },
    /// A store the application implements.
    Custom(Arc<dyn ReplayStore>),
}

impl Default for ReplayBackend {
    fn default() -> Self {
        Self::Memory {
            capacity: MemoryReplayStore::DEFAULT_CAPACITY,
        }
    }
}

/// DPoP settings.
///
/// Start from [`DpopConfig::default`] and change settings with the builder methods:
///
/// ```
/// use std::time::Duration;
/// use auth0_runtime::Algorithm;
/// use auth0_runtime::dpop::{DpopConfig, DpopMode};
///
/// let dpop = DpopConfig::default()
///     .mode(DpopMode::Required)
///     .algorithms([Algorithm::ES256, Algorithm::EdDSA])
///     .max_age(Duration::from_secs(60));
/// assert_eq!(dpop.max_future, Duration::from_secs(30));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DpopConfig {
    /// Which schemes are accepted. Default: [`DpopMode::Allowed`].
    pub mode: DpopMode,
    /// The proof signing algorithms accepted, also listed in the challenge's `algs`.
    /// Default: `ES256`. Supported: `ES256`, `ES384`, `RS256`, `RS384`, `RS512`, `PS256`,
    /// `PS384`, `PS512` and `EdDSA`.
    pub algorithms: Vec<Algorithm>,
    /// How old a proof's `iat` may be. Default: 5 minutes.
    pub max_age: Duration,
    /// How far in the future a proof's `iat` may be, for clients whose clock runs ahead.
    /// Default: 30 s.
    pub max_future: Duration,
    /// The longest `DPoP` header accepted, in bytes. Default: 8 KiB.
    pub max_proof_bytes: usize,
    /// The longest `jti` accepted, in bytes. Default: 256.
    pub max_jti_bytes: usize,
    /// The store of accepted proofs. Default: in memory, not shared between instances.
    pub replay: ReplayBackend,
    /// The time budget of one replay-store insertion. Default: 1 s.
    pub replay_timeout: Duration,
    /// Whether a proof is accepted without a replay check when the replay store fails.
    /// Default: `false`, so such requests get 503.
    ///
    /// # Security
    ///
    /// With `true`, a replayed proof is accepted while the store is down or full. Each such
    /// acceptance is logged at WARN level (rate-limited).
    pub replay_fail_open: bool,
    /// Server-provided nonces. Default: off.
    pub nonce: Option<NonceConfig>,
}

impl Default for DpopConfig {
    fn default() -> Self {
        Self {
            mode: DpopMode::Allowed,
            algorithms: vec![Algorithm::ES256],
            max_age: Duration::from_secs(300),
            max_future: Duration::from_secs(30),
            max_proof_bytes: 8 * 1024,
            max_jti_bytes: 256,
            replay: ReplayBackend::default(),
            replay_timeout: Duration::from_secs(1),
            replay_fail_open: false,
            nonce: None,
        }
    }
}

impl DpopConfig {
    /// Sets which schemes are accepted. Default: [`DpopMode::Allowed`].
    pub fn mode(mut self, mode: DpopMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the accepted proof algorithms. Default: `ES256` only.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Sets how old a proof's `iat` may be. Default: 5 minutes. Replay entries live this
    /// long, so a longer window needs a larger replay store.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Sets how far ahead of the server's clock a proof's `iat` may be. Default: 30 s.
    pub fn max_future(mut self, max_future: Duration) -> Self {
        self.max_future = max_future;
        self
    }

    /// Sets the longest `DPoP` header accepted, in bytes. Default: 8 KiB.
    pub fn max_proof_bytes(mut self, max: usize) -> Self {
        self.max_proof_bytes = max;
        self
    }

    /// Sets the longest `jti` accepted, in bytes. Default: 256.
    pub fn max_jti_bytes(mut self, max: usize) -> Self {
        self.max_jti_bytes = max;
        self
    }

    /// Sets where accepted proofs are recorded. Default: in memory.
    pub fn replay(mut self, backend: ReplayBackend) -> Self {
        self.replay = backend;
        self
    }

    /// Sets the time budget of one replay-store insertion. Default: 1 s.
    pub fn replay_timeout(mut self, timeout: Duration) -> Self {
        self.replay_timeout = timeout;
        self
    }

    /// Sets whether proofs are accepted without a replay check while the store fails.
    /// Default: `false`.
    ///
    /// # Security
    ///
    /// With `true`, replays are accepted while the store is down or full.
    pub fn replay_fail_open(mut self, fail_open: bool) -> Self {
        self.replay_fail_open = fail_open;
        self
    }

    /// Turns on server-provided nonces. Default: off.
    pub fn nonce(mut self, nonce: NonceConfig) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// Reads `AUTH0_DPOP_ENABLED` (default `true`), `AUTH0_DPOP_REQUIRED` (default `false`)
    /// and `AUTH0_DPOP_REDIS_URL` (default unset: replays are tracked in memory) through
    /// `lookup`.
    ///
    /// # Errors
    ///
    /// Returns [`ConfigError::Invalid`] naming the variable for a value that is not a
    /// boolean, for a Redis URL that does not parse, or for a Redis URL in a build without
    /// the `redis` feature.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let enabled = parse_bool(&lookup, ENABLED_VAR)?.unwrap_or(true);
        let required = parse_bool(&lookup, REQUIRED_VAR)?.unwrap_or(false);
        let mode = match (enabled, required) {
            (false, true) => {
                return Err(ConfigError::Invalid {
                    name: REQUIRED_VAR,
                    value: "true".into(),
                    reason: "DPoP cannot be required while AUTH0_DPOP_ENABLED is false".into(),
                });
            }
            (false, false) => DpopMode::Disabled,
            (true, false) => DpopMode::Allowed,
            (true, true) => DpopMode::Required,
        };
        let replay = match lookup(REDIS_URL_VAR).filter(|url| !url.trim().is_empty()) {
            None => ReplayBackend::default(),
            Some(url) => redis_backend(url)?,
        };
        Ok(Self {
            mode,
            replay,
            ..Self::default()
        })
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.mode == DpopMode::Disabled {
            return Ok(());
        }
        if self.algorithms.is_empty() {
            return Err(ConfigError::Invalid {
                name: "dpop.algorithms",
                value: String::new(),
                reason: "allow at least one algorithm, such as ES256".into(),
            });
        }
        for algorithm in &self.algorithms {
            if !is_supported_proof_algorithm(*algorithm) {
                return Err(ConfigError::Invalid {
                    name: "dpop.algorithms",
                    value: format!("{algorithm:?}"),
                    reason: "DPoP proofs need an asymmetric algorithm, such as ES256".into(),
                });
            }
        }
        if self.max_age.is_zero() || self.max_age > Duration::from_secs(24 * 3600) {
            return Err(ConfigError::Invalid {
                name: "dpop.max_age",
                value: format!("{:?}", self.max_age),
                reason: "use a window between 1 second and 24 hours".into(),
            });
        }
        if self.max_future > Duration::from_secs(3600) {
            return Err(ConfigError::Invalid {
                name: "dpop.max_future",
                value: format!("{:?}", self.max_future),
                reason: "use at most one hour".into(),
            });
        }
        if let ReplayBackend::Memory { capacity: 0 } = self.replay {
            return Err(ConfigError::Invalid {
                name: "dpop.replay",
                value: "0".into(),
                reason: "the in-memory replay store needs a capacity of at least 1".into(),
            });
        }
        if let Some(nonce) = &self.nonce {
            nonce.validate()?;
        }
        Ok(())
    }

    /// Returns the `algs` parameter of the `DPoP` challenge.
    pub(crate) fn algs_parameter(&self) -> String {
        let names: Vec<&str> = self
            .algorithms
            .iter()
            .map(|alg| algorithm_name(*alg))
            .collect();
        names.join(" ")
    }
}

fn is_supported_proof_algorithm(algorithm: Algorithm) -> bool {
    matches!(
        algorithm,
        Algorithm::ES256
            | Algorithm::ES384
            | Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512
            | Algorithm::EdDSA
    )
}

#[cfg(feature = "redis")]
fn redis_backend(url: String) -> Result<ReplayBackend, ConfigError> {
    RedisReplayStore::check_url(&url).map_err(|reason| ConfigError::Invalid {
        name: REDIS_URL_VAR,
        value: url.clone(),
        reason,
    })?;
    Ok(ReplayBackend::Redis { url })
}

#[cfg(not(feature = "redis"))]
fn redis_backend(url: String) -> Result<ReplayBackend, ConfigError> {
    Err(ConfigError::Invalid {
        name: REDIS_URL_VAR,
        value: url,
        reason: "this build of auth0-runtime lacks the `redis` feature: enable it, or unset the variable to track replays in memory".into(),
    })
}

pub(crate) fn algorithm_name(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::HS256 => "HS256",
        Algorithm::HS384 => "HS384",
        Algorithm::HS512 => "HS512",
        Algorithm::ES256 => "ES256",
        Algorithm::ES384 => "ES384",
        Algorithm::RS256 => "RS256",
        Algorithm::RS384 => "RS384",
        Algorithm::RS512 => "RS512",
        Algorithm::PS256 => "PS256",
        Algorithm::PS384 => "PS384",
        Algorithm::PS512 => "PS512",
        Algorithm::EdDSA => "EdDSA",
        // `Algorithm` is non-exhaustive; a future variant matches no `alg` until named here.
        _ => "",
    }
}

/// Parses a boolean environment value: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`.
pub(crate) fn parse_bool(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<bool>, ConfigError> {
    let Some(value) = lookup(name) else {
        return Ok(None);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "1" | "yes" | "on" => Ok(Some(true)),
        "false" | "0" | "no" | "off" => Ok(Some(false)),
        _ => Err(ConfigError::Invalid {
            name,
            value,
            reason: "write true or false".into(),
        }),
    }
}
