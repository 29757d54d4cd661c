//! HTTP requests for the discovery document and the key set.

use std::time::Duration;

use arc_swap::ArcSwapOption;
use reqwest::header::{CACHE_CONTROL, HeaderMap};
use serde_json::Value;
use url::Url;

use super::keys::{KeySet, KeySetError};
use crate::config::{JwksSettings, is_loopback};

/// Why a discovery or key-set request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The request could not be sent, timed out, or was redirected to another origin.
    #[error("request to {url} failed")]
    Request {
        /// The URL requested.
        url: Url,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with a status other than 200.
    #[error("{url} answered with status {status}")]
    Status {
        /// The URL requested.
        url: Url,
        /// The status received.
        status: reqwest::StatusCode,
    },
    /// The body is larger than the configured maximum.
    #[error("the body of {url} is larger than {max} bytes")]
    TooLarge {
        /// The URL requested.
        url: Url,
        /// The maximum body size.
        max: usize,
    },
    /// The discovery document is not JSON or lacks `issuer` or `jwks_uri`.
    #[error("the discovery document at {url} is invalid: {reason}")]
    InvalidDiscovery {
        /// The URL requested.
        url: Url,
        /// What is wrong.
        reason: String,
    },
    /// The discovery document names another issuer than the configured one.
    #[error(
        "the discovery document names issuer {found:?}, but the configured issuer is {expected:?}"
    )]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The issuer the document names.
        found: String,
    },
    /// The key-set document was rejected.
    #[error("the key set at {url} was rejected")]
    InvalidKeySet {
        /// The URL requested.
        url: Url,
        /// What is wrong.
        #[source]
        source: KeySetError,
    },
}

pub(crate) struct Fetched {
    pub(crate) set: KeySet,
    pub(crate) ttl: Duration,
}

/// Fetches the discovery document once, then the key set as often as asked.
pub(crate) struct Fetcher {
    client: reqwest::Client,
    issuer: String,
    discovery_url: Url,
    jwks_uri: ArcSwapOption<Url>,
    settings: JwksSettings,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("discovery_url", &self.discovery_url.as_str())
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    pub(crate) fn new(
        issuer: String,
        discovery_url: Url,
        settings: JwksSettings,
        extra_roots: &[Vec<u8>],
    ) -> Result<Self, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .timeout(settings.fetch_timeout)
            .connect_timeout(settings.fetch_timeout)
            .redirect(redirect_policy())
            .user_agent(concat!("auth0-runtime/", env!("CARGO_PKG_VERSION")));
        for pem in extra_roots {
            builder = builder.add_root_certificate(reqwest::Certificate::from_pem(pem)?);
        }
        Ok(Self {
            client: builder.build()?,
            issuer,
            discovery_url,
            jwks_uri: ArcSwapOption::empty(),
            settings,
        })
    }

    pub(crate) fn jwks_uri(&self) -> Option<String> {
        self.jwks_uri.load().as_ref().map(|url| url.to_string())
    }

    /// Fetches the key set, running discovery first if it has not succeeded yet.
    pub(crate) async fn fetch(&self) -> Result<Fetched, FetchError> {
        let jwks_uri = match self.jwks_uri.load_full() {
            Some(url) => url,
            None => {
                let url = std::sync::Arc::new(self.discover().await?);
                self.jwks_uri.store(Some(url.clone()));
                url
            }
        };
        let (body, headers) = self.get(&jwks_uri).await?;
        let set = KeySet::parse(&body, self.settings.max_keys).map_err(|source| {
            FetchError::InvalidKeySet {
                url: (*jwks_uri).clone(),
                source,
            }
        })?;
        Ok(Fetched {
            set,
            ttl: self.ttl_from(&headers),
        })
    }

    async fn discover(&self) -> Result<Url, FetchError> {
        let url = &self.discovery_url;
        let invalid = |reason: String| FetchError::InvalidDiscovery {
            url: url.clone(),
            reason,
        };

        let (body, _) = self.get(url).await?;
        let document: Value =
            serde_json::from_slice(&body).map_err(|error| invalid(format!("not JSON: {error}")))?;
        let issuer = document
            .get("issuer")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("no issuer".into()))?;
        if issuer != self.issuer {
            return Err(FetchError::IssuerMismatch {
                expected: self.issuer.clone(),
                found: issuer.to_owned(),
            });
        }
        let jwks_uri = document
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("no jwks_uri".into()))?;
        let jwks_uri = Url::parse(jwks_uri)
            .map_err(|error| invalid(format!("jwks_uri is not a URL: {error}")))?;
        let secure =
            jwks_uri.scheme() == "https" || jwks_uri.scheme() == "http" && is_loopback(&jwks_uri);
        if !secure {
            return Err(invalid(format!("jwks_uri {jwks_uri} is not https")));
        }
        tracing::debug!(jwks_uri = %jwks_uri, iss = issuer, "discovered key set location");
        Ok(jwks_uri)
    }

    /// Sends a GET and reads at most `max_body_bytes` of a 200 answer.
    async fn get(&self, url: &Url) -> Result<(Vec<u8>, HeaderMap), FetchError> {
        let request_failed = |source| FetchError::Request {
            url: url.clone(),
            source,
        };
        let too_large = || FetchError::TooLarge {
            url: url.clone(),
            max: self.settings.max_body_bytes,
        };

        let mut response = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(request_failed)?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(FetchError::Status {
                url: url.clone(),
                status: response.status(),
            });
        }
        let limit = self.settings.max_body_bytes;
        if response
            .content_length()
            .is_some_and(|length| length > limit as u64)
        {
            return Err(too_large());
        }
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(request_failed)? {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, headers))
    }

    /// Reads the freshness lifetime from `Cache-Control`, clamped to the configured bounds.
    fn ttl_from(&self, headers: &HeaderMap) -> Duration {
        let settings = &self.settings;
        let mut ttl = settings.default_ttl;
        let directives = headers
            .get_all(CACHE_CONTROL)
            .iter()
            .filter_map(|value| value.to_str().ok());
        for directive in directives.flat_map(|value| value.split(',')) {
            let directive = directive.trim().to_ascii_lowercase();
            if directive == "no-cache" || directive == "no-store" {
                ttl = Duration::ZERO;
                break;
            }
            if let Some(seconds) = directive.strip_prefix("max-age=")
                && let Ok(seconds) = seconds.trim_matches('"').parse::<u64>()
            {
                ttl = Duration::from_secs(seconds);
            }
        }
        ttl.clamp(settings.min_ttl, settings.max_ttl.max(settings.min_ttl))
    }
}

/// Follows at most three redirects, and only within the same origin, so a compromised or
/// misconfigured endpoint cannot send the key request to another host or downgrade it
/// from https to http.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() > 3 {
            return attempt.error("more than three redirects");
        }
        let Some(origin) = attempt.previous().first() else {
            return attempt.follow();
        };
        let target = attempt.url();
        let same_origin = target.scheme() == origin.scheme()
            && target.host_str() == origin.host_str()
            && target.port_or_known_default() == origin.port_or_known_default();
        if same_origin {
            attempt.follow()
        } else {
            attempt.error("redirect to another origin or scheme refused")
        }
    })
}
