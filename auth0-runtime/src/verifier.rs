//! The [`Verifier`]: configuration, key cache and token cache, shared by all requests.

use std::sync::Arc;

use axum::http::request::Parts;
use axum::response::Response;

use crate::claims::VerifiedToken;
use crate::config::{Config, ConfigError};
use crate::dpop::{self, DpopMode, ProofValidator, ReplayStoreError};
use crate::error::{
    AuthError, AuthRejection, ChallengeSettings, RejectionHandler, RequestError, Scheme, TokenError,
};
use crate::extract::authorization::{self, Authorization};
use crate::jwks::FetchError;
use crate::verify::TokenVerifier;

/// Verifies access tokens and DPoP proofs for one Auth0 API.
///
/// Put it in the router state (directly, or in a state struct that implements
/// `FromRef`) so the extractors can reach it. Cloning is cheap: clones share the key
/// cache and the token cache.
///
/// ```no_run
/// use auth0_runtime::{StandardClaims, Verifier};
/// use axum::{Router, routing::get};
///
/// async fn private(claims: StandardClaims) -> String {
///     format!("hello {}", claims.sub)
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = Verifier::from_env()?;
/// verifier.prefetch_keys().await?;
/// let app: Router = Router::new().route("/api/private", get(private)).with_state(verifier);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    tokens: TokenVerifier,
    proofs: ProofValidator,
    challenge: ChallengeSettings,
    rejection_handler: Option<RejectionHandler>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("issuer", &self.inner.config.issuer)
            .field("audience", &self.inner.config.audience)
            .finish_non_exhaustive()
    }
}

/// Why a [`Verifier`] could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The HTTP client for key fetches could not be built, for example because an added
    /// root certificate is not valid PEM.
    #[error("the HTTP client for key fetches could not be built")]
    HttpClient(#[source] reqwest::Error),
    /// The DPoP replay store could not be set up, for example because its URL is invalid.
    #[error("the DPoP replay store could not be set up")]
    ReplayStore(#[source] ReplayStoreError),
}

impl Verifier {
    /// Builds a verifier from [`Config::from_env`].
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the variable at fault.
    pub fn from_env() -> Result<Self, BuildError> {
        Self::new(Config::from_env()?)
    }

    /// Builds a verifier with the default rejection responses.
    ///
    /// # Errors
    ///
    /// [`BuildError::HttpClient`] when the key-fetch client cannot be built.
    pub fn new(config: Config) -> Result<Self, BuildError> {
        Self::builder(config).build()
    }

    /// Starts a builder, for installing a custom rejection handler.
    pub fn builder(config: Config) -> VerifierBuilder {
        VerifierBuilder {
            config,
            rejection_handler: None,
        }
    }

    /// Returns the configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Fetches the signing keys now, so the first request does not wait for them. Call it
    /// at start-up; on failure, requests still fetch the keys themselves.
    ///
    /// # Errors
    ///
    /// The [`FetchError`] of the discovery or key-set request.
    pub async fn prefetch_keys(&self) -> Result<(), FetchError> {
        self.inner.tokens.prefetch().await
    }

    /// Connects to the DPoP replay store now, instead of at the first proof. Call it at
    /// start-up: a Redis store also records there when its replay history begins, so the
    /// first requests' proofs are not rejected as older than that history.
    ///
    /// # Errors
    ///
    /// The store's error when it cannot be reached; requests then get 503 until it can.
    pub async fn connect_replay_store(&self) -> Result<(), ReplayStoreError> {
        self.inner.proofs.connect_replay_store().await
    }

    /// Verifies a bearer access token outside of Axum. DPoP-bound tokens are rejected:
    /// they need the request to check the proof against.
    ///
    /// # Errors
    ///
    /// [`AuthError::InvalidToken`] or [`AuthError::KeysUnavailable`].
    pub async fn verify_token(&self, token: &str) -> Result<VerifiedToken, AuthError> {
        let verified = self.inner.tokens.verify(token).await?;
        if verified.jkt().is_some() {
            return Err(AuthError::InvalidToken(TokenError::BoundTokenAsBearer));
        }
        Ok(verified)
    }

    /// Authenticates a request: parses `Authorization`, verifies the token, and checks the
    /// DPoP proof when the request uses that scheme. The outcome is stored in the request's
    /// extensions, so several extractors on one request verify once.
    ///
    /// # Errors
    ///
    /// An [`AuthRejection`] that answers with the matching RFC 6750 or RFC 9449 response.
    pub async fn authenticate(&self, parts: &mut Parts) -> Result<VerifiedToken, AuthRejection> {
        if let Some(Authenticated { token, .. }) = parts.extensions.get::<Authenticated>() {
            return Ok(token.clone());
        }
        match self.authenticate_uncached(parts).await {
            Ok((token, scheme)) => {
                parts.extensions.insert(Authenticated {
                    token: token.clone(),
                    scheme,
                });
                Ok(token)
            }
            Err((error, scheme)) => {
                tracing::debug!(
                    error = &error as &dyn std::error::Error,
                    reason = %error_chain(&error),
                    method = %parts.method,
                    path = parts.uri.path(),
                    "request rejected"
                );
                Err(self.reject(error, scheme))
            }
        }
    }

    async fn authenticate_uncached(
        &self,
        parts: &Parts,
    ) -> Result<(VerifiedToken, Scheme), (AuthError, Option<Scheme>)> {
        let authorization = authorization::parse(&parts.headers)
            .map_err(|error| (AuthError::InvalidRequest(error), None))?;
        let (scheme, token) = match authorization {
            Authorization::Absent | Authorization::OtherScheme => {
                return Err((AuthError::MissingCredentials, None));
            }
            Authorization::Credential { scheme, token } => (scheme, token),
        };

        let mode = self.inner.config.dpop.mode;
        match scheme {
            Scheme::Dpop if mode == DpopMode::Disabled => {
                Err((AuthError::MissingCredentials, None))
            }
            Scheme::Bearer if mode == DpopMode::Required => {
                Err((AuthError::MissingCredentials, Some(Scheme::Bearer)))
            }
            Scheme::Bearer => {
                let with_scheme = |error| (error, Some(Scheme::Bearer));
                let verified = self.inner.tokens.verify(token).await.map_err(with_scheme)?;
                if verified.jkt().is_some() {
                    return Err(with_scheme(AuthError::InvalidToken(
                        TokenError::BoundTokenAsBearer,
                    )));
                }
                if parts.headers.contains_key(dpop::DPOP) {
                    return Err(with_scheme(AuthError::InvalidRequest(
                        RequestError::UnexpectedDpopProof,
                    )));
                }
                Ok((verified, Scheme::Bearer))
            }
            Scheme::Dpop => {
                let verified = self
                    .inner
                    .proofs
                    .authenticate(parts, token, &self.inner.tokens)
                    .await
                    .map_err(|error| (error, Some(Scheme::Dpop)))?;
                Ok((verified, Scheme::Dpop))
            }
        }
    }

    /// Builds the rejection for `error`, with this verifier's challenge settings and
    /// rejection handler.
    pub fn reject(&self, error: AuthError, scheme: Option<Scheme>) -> AuthRejection {
        AuthRejection::new(
            error,
            scheme,
            self.inner.challenge.clone(),
            self.inner.rejection_handler.clone(),
        )
    }

    /// Builds the rejection for a request that already passed [`Verifier::authenticate`],
    /// using the scheme that request authenticated with.
    pub(crate) fn reject_request(&self, parts: &Parts, error: AuthError) -> AuthRejection {
        let scheme = parts
            .extensions
            .get::<Authenticated>()
            .map(|done| done.scheme);
        self.reject(error, scheme)
    }
}

/// The outcome of [`Verifier::authenticate`], kept in the request's extensions.
#[derive(Clone)]
struct Authenticated {
    token: VerifiedToken,
    scheme: Scheme,
}

fn error_chain(error: &AuthError) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A builder for [`Verifier`].
pub struct VerifierBuilder {
    config: Config,
    rejection_handler: Option<RejectionHandler>,
}

impl std::fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl VerifierBuilder {
    /// Replaces the default rejection response. The handler receives the rejection and
    /// can call [`AuthRejection::default_response`], [`AuthRejection::challenges`] and
    /// [`AuthRejection::status`] to keep parts of the default.
    pub fn rejection_handler(
        mut self,
        handler: impl Fn(&AuthRejection) -> Response + Send + Sync + 'static,
    ) -> Self {
        self.rejection_handler = Some(Arc::new(handler));
        self
    }

    /// Builds the verifier.
    ///
    /// # Errors
    ///
    /// [`BuildError::HttpClient`] when the key-fetch client cannot be built.
    pub fn build(self) -> Result<Verifier, BuildError> {
        let config = self.config;
        let tokens = TokenVerifier::new(&config).map_err(BuildError::HttpClient)?;
        let proofs = ProofValidator::new(&config)?;
        let challenge = ChallengeSettings {
            realm: config.realm.as_str().into(),
            dpop_algs: (config.dpop.mode != DpopMode::Disabled)
                .then(|| config.dpop.algs_parameter().into()),
            dpop_required: config.dpop.mode == DpopMode::Required,
        };
        let inner = Inner {
            config,
            tokens,
            proofs,
            challenge,
            rejection_handler: self.rejection_handler,
        };
        Ok(Verifier {
            inner: Arc::new(inner),
        })
    }
}
