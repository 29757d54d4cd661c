//! The URL a client used, for comparing against a DPoP proof's `htu`.

use crate::config::ConfigError;

/// How the API determines the URL a client used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlPolicy {
    /// The request's own scheme, `Host` and path; forwarding headers are ignored (default).
    #[default]
    Direct,
    /// The API runs behind a trusted proxy: `Forwarded` and `X-Forwarded-*` describe the URL.
    TrustProxy,
}

impl UrlPolicy {
    /// Reads `AUTH0_TRUST_PROXY` (default `false`) through `lookup`.
    ///
    /// # Errors
    ///
    /// Returns [`ConfigError::Invalid`] naming the variable for a value that is not a boolean.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let trust = crate::dpop::parse_bool(&lookup, "AUTH0_TRUST_PROXY")?.unwrap_or(false);
        Ok(if trust {
            Self::TrustProxy
        } else {
            Self::Direct
        })
    }
}
