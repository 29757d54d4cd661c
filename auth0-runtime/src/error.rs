//! Rejections and their HTTP responses.
//!
//! Every rejection maps to one status code and one set of `WWW-Authenticate` challenges, as
//! RFC 6750 section 3 defines them for `Bearer` and RFC 9449 section 7.1 for `DPoP`. Response
//! bodies carry fixed text: the detail of a failure goes to the debug log, never to the client.

use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why a request was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The request has no credentials in a scheme that this API accepts.
    #[error("the request has no access token in an accepted scheme")]
    MissingCredentials,
    /// The `Authorization` or `DPoP` header is malformed.
    #[error("malformed request")]
    InvalidRequest(#[source] RequestError),
    /// The access token failed verification.
    #[error("invalid access token")]
    InvalidToken(#[source] TokenError),
    /// The DPoP proof failed validation.
    #[error("invalid DPoP proof")]
    InvalidDpopProof(#[source] DpopError),
    /// The API requires a DPoP proof that carries a fresh server nonce.
    #[error("a DPoP nonce is required")]
    DpopNonceRequired {
        /// The nonce to send in the next proof.
        nonce: String,
    },
    /// The token lacks one or more required scopes.
    #[error("the access token lacks a required scope")]
    InsufficientScope {
        /// The scopes the route requires, in the order they were declared.
        required: Vec<String>,
    },
    /// The token lacks one or more required RBAC permissions.
    #[error("the access token lacks a required permission")]
    InsufficientPermission {
        /// The permissions the route requires, in the order they were declared.
        required: Vec<String>,
    },
    /// The signing keys could not be fetched and no usable cached keys exist.
    #[error("the issuer's signing keys are unavailable")]
    KeysUnavailable,
    /// The DPoP replay store could not be reached and the API fails closed.
    #[error("the DPoP replay store is unavailable")]
    ReplayStoreUnavailable,
}

/// Why the `Authorization` or `DPoP` header was malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The request has more than one `Authorization` header.
    #[error("more than one Authorization header")]
    DuplicateAuthorization,
    /// The `Authorization` header names a scheme but carries no credential.
    #[error("the Authorization header has no credential")]
    MissingCredential,
    /// The credential is not a single token68 value.
    #[error("the credential is not a single token68 value")]
    MalformedCredential,
    /// The header contains bytes outside visible ASCII.
    #[error("the Authorization header contains non-ASCII bytes")]
    NonAsciiHeader,
    /// A `DPoP` proof header came with a `Bearer` token that is not bound to a key.
    #[error("a DPoP proof was sent with a Bearer token")]
    UnexpectedDpopProof,
}

/// Why an access token failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token is longer than the configured maximum.
    #[error("the token is longer than {max} bytes")]
    TooLarge {
        /// The maximum token length in bytes.
        max: usize,
    },
    /// The token is not a compact JWS of three base64url parts holding JSON objects.
    #[error("the token is not a well-formed JWT: {reason}")]
    Malformed {
        /// What was wrong, for the debug log.
        reason: &'static str,
    },
    /// The header's `alg` is missing or not in the allow-list.
    #[error("algorithm {alg:?} is not allowed")]
    DisallowedAlgorithm {
        /// The `alg` value, cut to a short prefix.
        alg: String,
    },
    /// The header's `typ` marks something other than an access token.
    #[error("token type {typ:?} is not an access token")]
    WrongType {
        /// The `typ` value, cut to a short prefix.
        typ: String,
    },
    /// The header has a `crit` member, and this verifier supports no JWS extensions.
    #[error("unsupported critical header parameters")]
    UnsupportedCritical,
    /// The header's `kid` is not a short string.
    #[error("the key ID is not a string of at most 256 bytes")]
    InvalidKeyId,
    /// The token has no `kid` and the key set has more than one key.
    #[error("the token has no key ID and the key set has several keys")]
    MissingKeyId,
    /// No key in the key set matches the token's `kid` and `alg`.
    #[error("no signing key matches key ID {kid:?}")]
    UnknownKey {
        /// The token's `kid`, cut to a short prefix.
        kid: String,
    },
    /// The signature does not verify.
    #[error("the signature does not verify")]
    InvalidSignature,
    /// The `iss` claim is missing, not a string, or not the configured issuer.
    #[error("the issuer is not the configured issuer")]
    WrongIssuer,
    /// The `aud` claim is missing, malformed, or does not contain the configured audience.
    #[error("the audience does not contain the configured audience")]
    WrongAudience,
    /// The `exp` claim has passed.
    #[error("the token expired")]
    Expired,
    /// The `nbf` claim is in the future.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// The `iat` claim is in the future.
    #[error("the token was issued in the future")]
    IssuedInFuture,
    /// A claim is missing.
    #[error("claim {name:?} is missing")]
    MissingClaim {
        /// The claim's name.
        name: String,
    },
    /// A claim has the wrong JSON type or an out-of-range value.
    #[error("claim {name:?} is invalid")]
    InvalidClaim {
        /// The claim's name.
        name: String,
    },
    /// A token bound to a DPoP key (one with `cnf`) was sent with the `Bearer` scheme.
    #[error("a DPoP-bound token was sent as a Bearer token")]
    BoundTokenAsBearer,
    /// The DPoP proof's key does not match the token's `cnf.jkt`.
    #[error("the DPoP proof key does not match the token's binding")]
    KeyBindingMismatch,
}

impl TokenError {
    /// Returns the fixed `error_description` sent to the client.
    pub fn description(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "the access token is too large",
            Self::Malformed { .. } | Self::UnsupportedCritical | Self::InvalidKeyId => {
                "the access token is malformed"
            }
            Self::DisallowedAlgorithm { .. } => {
                "the access token is signed with a disallowed algorithm"
            }
            Self::WrongType { .. } => "the token is not an access token",
            Self::MissingKeyId | Self::UnknownKey { .. } => {
                "the access token is signed with an unknown key"
            }
            Self::InvalidSignature => "the access token signature is invalid",
            Self::WrongIssuer => "the access token was issued by an untrusted issuer",
            Self::WrongAudience => "the access token was issued for another audience",
            Self::Expired => "the access token expired",
            Self::NotYetValid | Self::IssuedInFuture => "the access token is not valid yet",
            Self::MissingClaim { .. } => "the access token lacks a required claim",
            Self::InvalidClaim { .. } => "the access token has an invalid claim",
            Self::BoundTokenAsBearer => {
                "the access token is DPoP-bound and must be sent with the DPoP scheme"
            }
            Self::KeyBindingMismatch => {
                "the DPoP proof key does not match the access token binding"
            }
        }
    }
}

/// Why a DPoP proof failed validation (RFC 9449 section 4.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DpopError {
    /// The request has no `DPoP` header.
    #[error("the DPoP header is missing")]
    Missing,
    /// The request has more than one `DPoP` header, or one with several values.
    #[error("more than one DPoP proof")]
    Multiple,
    /// The proof is not a compact JWS of three base64url parts holding JSON objects.
    #[error("the proof is not a well-formed JWT: {reason}")]
    Malformed {
        /// What was wrong, for the debug log.
        reason: &'static str,
    },
    /// The proof's `typ` is not `dpop+jwt`.
    #[error("the proof's typ is not dpop+jwt")]
    WrongType,
    /// The proof's `alg` is missing, symmetric, or not in the allow-list.
    #[error("the proof's algorithm is not allowed")]
    DisallowedAlgorithm,
    /// The proof's `jwk` is missing, private, or does not fit `alg`.
    #[error("the proof's jwk is invalid: {reason}")]
    InvalidKey {
        /// What was wrong, for the debug log.
        reason: &'static str,
    },
    /// The proof's signature does not verify with its `jwk`.
    #[error("the proof's signature does not verify")]
    InvalidSignature,
    /// The proof's `htm` is not the request method.
    #[error("htm does not match the request method")]
    MethodMismatch,
    /// The proof's `htu` is not the request URL.
    #[error("htu does not match the request URL")]
    UrlMismatch,
    /// The proof's `iat` is outside the accepted window.
    #[error("iat is outside the accepted window")]
    StaleOrFuture,
    /// A claim of the proof is missing or has the wrong type.
    #[error("claim {name} is missing or invalid")]
    InvalidClaim {
        /// The claim's name.
        name: &'static str,
    },
    /// The proof's `ath` is not the hash of the access token.
    #[error("ath does not match the access token")]
    AccessTokenHashMismatch,
    /// The proof's `jti` was seen before within the accepted window.
    #[error("the proof was replayed")]
    Replayed,
    /// The proof's `nonce` was not issued by this API or is too old.
    #[error("the proof's nonce is invalid or expired")]
    InvalidNonce,
}

impl DpopError {
    /// Returns the fixed `error_description` sent to the client.
    pub fn description(&self) -> &'static str {
        match self {
            Self::Missing => "the DPoP proof is missing",
            Self::Multiple => "exactly one DPoP proof is required",
            Self::Malformed { .. } | Self::WrongType | Self::InvalidClaim { .. } => {
                "the DPoP proof is malformed"
            }
            Self::DisallowedAlgorithm => "the DPoP proof is signed with a disallowed algorithm",
            Self::InvalidKey { .. } => "the DPoP proof key is invalid",
            Self::InvalidSignature => "the DPoP proof signature is invalid",
            Self::MethodMismatch => "the DPoP proof is for another HTTP method",
            Self::UrlMismatch => "the DPoP proof is for another URL",
            Self::StaleOrFuture => "the DPoP proof is too old or from the future",
            Self::AccessTokenHashMismatch => "the DPoP proof is for another access token",
            Self::Replayed => "the DPoP proof was already used",
            Self::InvalidNonce => "the DPoP proof nonce is invalid",
        }
    }
}

/// The authentication scheme of a request's `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scheme {
    /// `Authorization: Bearer <token>` (RFC 6750).
    Bearer,
    /// `Authorization: DPoP <token>` with a `DPoP` proof header (RFC 9449).
    Dpop,
}

/// The challenge settings a rejection needs to build its `WWW-Authenticate` headers.
#[derive(Debug, Clone)]
pub(crate) struct ChallengeSettings {
    pub(crate) realm: Arc<str>,
    /// Space-separated DPoP `algs`, or `None` when DPoP is disabled.
    pub(crate) dpop_algs: Option<Arc<str>>,
    pub(crate) dpop_required: bool,
}

/// A custom response builder, installed with [`crate::VerifierBuilder::rejection_handler`].
pub type RejectionHandler = Arc<dyn Fn(&AuthRejection) -> Response + Send + Sync>;

/// The rejection of an authentication extractor: an [`AuthError`] plus what is needed to
/// answer it.
///
/// Its [`IntoResponse`] implementation builds the RFC 6750 and RFC 9449 response, unless the
/// application installed its own handler with
/// [`VerifierBuilder::rejection_handler`](crate::VerifierBuilder::rejection_handler).
pub struct AuthRejection {
    error: AuthError,
    scheme: Option<Scheme>,
    challenge: ChallengeSettings,
    handler: Option<RejectionHandler>,
}

impl std::fmt::Debug for AuthRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthRejection")
            .field("error", &self.error)
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for AuthRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl AuthRejection {
    pub(crate) fn new(
        error: AuthError,
        scheme: Option<Scheme>,
        challenge: ChallengeSettings,
        handler: Option<RejectionHandler>,
    ) -> Self {
        Self {
            error,
            scheme,
            challenge,
            handler,
        }
    }

    /// Returns why the request was rejected.
    pub fn error(&self) -> &AuthError {
        &self.error
    }

    /// Returns the scheme the request used, if it named one this API understands.
    pub fn scheme(&self) -> Option<Scheme> {
        self.scheme
    }

    /// Returns the HTTP status code of the default response.
    pub fn status(&self) -> StatusCode {
        match &self.error {
            AuthError::MissingCredentials
            | AuthError::InvalidToken(_)
            | AuthError::InvalidDpopProof(_)
            | AuthError::DpopNonceRequired { .. } => StatusCode::UNAUTHORIZED,
            AuthError::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            AuthError::InsufficientScope { .. } | AuthError::InsufficientPermission { .. } => {
                StatusCode::FORBIDDEN
            }
            AuthError::KeysUnavailable | AuthError::ReplayStoreUnavailable => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    /// Returns the OAuth error code: the `error` member of the body and of the challenge.
    pub fn error_code(&self) -> &'static str {
        match &self.error {
            AuthError::MissingCredentials => "unauthorized",
            AuthError::InvalidRequest(_) => "invalid_request",
            AuthError::InvalidToken(_) => "invalid_token",
            AuthError::InvalidDpopProof(_) => "invalid_dpop_proof",
            AuthError::DpopNonceRequired { .. } => "use_dpop_nonce",
            AuthError::InsufficientScope { .. } | AuthError::InsufficientPermission { .. } => {
                "insufficient_scope"
            }
            AuthError::KeysUnavailable | AuthError::ReplayStoreUnavailable => {
                "temporarily_unavailable"
            }
        }
    }

    /// Returns the fixed, human-readable `error_description`.
    pub fn description(&self) -> &'static str {
        match &self.error {
            AuthError::MissingCredentials if self.challenge.dpop_required => {
                "a DPoP-bound access token is required"
            }
            AuthError::MissingCredentials => "an access token is required",
            AuthError::InvalidRequest(RequestError::UnexpectedDpopProof) => {
                "a DPoP proof was sent with a Bearer token"
            }
            AuthError::InvalidRequest(RequestError::DuplicateAuthorization) => {
                "the request has more than one Authorization header"
            }
            AuthError::InvalidRequest(_) => "the Authorization header is malformed",
            AuthError::InvalidToken(error) => error.description(),
            AuthError::InvalidDpopProof(error) => error.description(),
            AuthError::DpopNonceRequired { .. } => "the DPoP proof must carry the server nonce",
            AuthError::InsufficientScope { .. } => "the access token lacks a required scope",
            AuthError::InsufficientPermission { .. } => {
                "the access token lacks a required permission"
            }
            AuthError::KeysUnavailable => "the token signing keys are temporarily unavailable",
            AuthError::ReplayStoreUnavailable => {
                "DPoP replay protection is temporarily unavailable"
            }
        }
    }

    /// Returns the `WWW-Authenticate` values of the default response, in order.
    ///
    /// A request without accepted credentials gets one challenge per enabled scheme and no
    /// error code (RFC 6750 section 3.1). Any other 401 or 403 gets the challenge of the
    /// scheme the request used, carrying the error; a 503 gets none.
    pub fn challenges(&self) -> Vec<HeaderValue> {
        let challenge = &self.challenge;
        let bearer = format!("Bearer realm=\"{}\"", challenge.realm);
        let dpop = challenge
            .dpop_algs
            .as_ref()
            .map(|algs| format!("DPoP algs=\"{algs}\""));

        if matches!(self.error, AuthError::MissingCredentials) {
            let mut values = Vec::with_capacity(2);
            if !challenge.dpop_required {
                values.push(bearer);
            }
            values.extend(dpop);
            return values
                .into_iter()
                .filter_map(|value| header_value(&value))
                .collect();
        }
        if self.status() == StatusCode::SERVICE_UNAVAILABLE {
            return Vec::new();
        }

        let mut params = format!(
            "error=\"{}\", error_description=\"{}\"",
            self.error_code(),
            self.description()
        );
        match &self.error {
            AuthError::InsufficientScope { required }
            | AuthError::InsufficientPermission { required } => {
                params.push_str(&format!(", scope=\"{}\"", required.join(" ")));
            }
            _ => {}
        }

        let use_dpop = self.scheme == Some(Scheme::Dpop)
            || challenge.dpop_required
            || matches!(
                self.error,
                AuthError::InvalidDpopProof(_) | AuthError::DpopNonceRequired { .. }
            );
        let value = match (use_dpop, dpop) {
            (true, Some(dpop)) => format!("{dpop}, {params}"),
            _ => format!("{bearer}, {params}"),
        };
        header_value(&value).into_iter().collect()
    }

    /// Builds the default response: status, challenges, and a JSON body with `error` and
    /// `error_description`, ignoring any installed rejection handler.
    pub fn default_response(&self) -> Response {
        let body = json!({
            "error": self.error_code(),
            "error_description": self.description(),
        });
        let mut response = (self.status(), axum::Json(body)).into_response();
        let headers = response.headers_mut();
        for value in self.challenges() {
            headers.append(header::WWW_AUTHENTICATE, value);
        }
        if let AuthError::DpopNonceRequired { nonce } = &self.error
            && let Some(value) = header_value(nonce)
        {
            headers.insert(crate::dpop::DPOP_NONCE, value);
        }
        if self.status() == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match &self.handler {
            Some(handler) => handler(&self),
            None => self.default_response(),
        }
    }
}

fn header_value(value: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(value).ok()
}
