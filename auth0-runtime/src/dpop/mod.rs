//! DPoP (RFC 9449): sender-constrained access tokens.

use std::time::Duration;

use axum::http::HeaderName;
use jsonwebtoken::Algorithm;

use crate::config::ConfigError;

/// The `DPoP` request header that carries a proof.
pub const DPOP: HeaderName = HeaderName::from_static("dpop");
/// The `DPoP-Nonce` response header that carries a server nonce.
pub const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

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

/// DPoP settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DpopConfig {
    /// Which schemes are accepted. Default: [`DpopMode::Allowed`].
    pub mode: DpopMode,
    /// The proof signing algorithms accepted. Default: `ES256`.
    pub algorithms: Vec<Algorithm>,
    /// How old a proof's `iat` may be. Default: 5 minutes.
    pub max_age: Duration,
    /// How far in the future a proof's `iat` may be. Default: 30 s.
    pub max_future: Duration,
}

impl Default for DpopConfig {
    fn default() -> Self {
        Self {
            mode: DpopMode::Allowed,
            algorithms: vec![Algorithm::ES256],
            max_age: Duration::from_secs(300),
            max_future: Duration::from_secs(30),
        }
    }
}

impl DpopConfig {
    /// Reads `AUTH0_DPOP_ENABLED` (default `true`) and `AUTH0_DPOP_REQUIRED` (default
    /// `false`) through `lookup`.
    ///
    /// # Errors
    ///
    /// Returns [`ConfigError::Invalid`] naming the variable for a value that is not a boolean.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let enabled = parse_bool(&lookup, "AUTH0_DPOP_ENABLED")?.unwrap_or(true);
        let required = parse_bool(&lookup, "AUTH0_DPOP_REQUIRED")?.unwrap_or(false);
        let mode = match (enabled, required) {
            (false, true) => {
                return Err(ConfigError::Invalid {
                    name: "AUTH0_DPOP_REQUIRED",
                    value: "true".into(),
                    reason: "DPoP cannot be required while AUTH0_DPOP_ENABLED is false".into(),
                });
            }
            (false, false) => DpopMode::Disabled,
            (true, false) => DpopMode::Allowed,
            (true, true) => DpopMode::Required,
        };
        Ok(Self {
            mode,
            ..Self::default()
        })
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.mode != DpopMode::Disabled && self.algorithms.is_empty() {
            return Err(ConfigError::Invalid {
                name: "dpop.algorithms",
                value: String::new(),
                reason: "allow at least one algorithm, such as ES256".into(),
            });
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

/// Validates DPoP proofs and their binding to access tokens.
#[derive(Debug)]
pub(crate) struct ProofValidator {}

impl ProofValidator {
    pub(crate) fn new(_config: &crate::Config) -> Result<Self, crate::BuildError> {
        Ok(Self {})
    }

    /// Verifies the access token and the request's DPoP proof.
    pub(crate) async fn authenticate(
        &self,
        _parts: &axum::http::request::Parts,
        _access_token: &str,
        _tokens: &crate::verify::TokenVerifier,
    ) -> Result<crate::VerifiedToken, crate::AuthError> {
        // TODO: proof validation lands with the DPoP module; until then every proof fails.
        Err(crate::AuthError::InvalidDpopProof(
            crate::DpopError::Malformed {
                reason: "proof validation is not built yet",
            },
        ))
    }
}
