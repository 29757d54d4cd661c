//! Verified tokens and the typed claims handlers receive.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::TokenError;

/// An access token whose signature and registered claims were verified.
///
/// Cloning is cheap: the claims are shared. Handlers can take it as an extractor to read
/// any claim, or take [`StandardClaims`] or their own [`Claims`] type instead.
#[derive(Clone)]
pub struct VerifiedToken(Arc<TokenParts>);

struct TokenParts {
    claims: Map<String, Value>,
    scopes: Vec<String>,
    permissions: Vec<String>,
    expires_at: i64,
    not_before: Option<i64>,
    kid: Option<String>,
    jkt: Option<String>,
}

impl std::fmt::Debug for VerifiedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedToken")
            .field("sub", &self.subject())
            .field("scopes", &self.0.scopes)
            .field("expires_at", &self.0.expires_at)
            .finish_non_exhaustive()
    }
}

impl VerifiedToken {
    pub(crate) fn new(
        claims: Map<String, Value>,
        registered: RegisteredClaims,
        kid: Option<String>,
    ) -> Self {
        Self(Arc::new(TokenParts {
            claims,
            scopes: registered.scopes,
            permissions: registered.permissions,
            expires_at: registered.expires_at,
            not_before: registered.not_before,
            kid,
            jkt: registered.jkt,
        }))
    }

    /// Returns all claims of the token's payload.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.0.claims
    }

    /// Returns one claim by its full name, such as `sub` or `https://myapp.example.com/roles`.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.0.claims.get(name)
    }

    /// Returns the `sub` claim.
    pub fn subject(&self) -> Option<&str> {
        self.claim("sub").and_then(Value::as_str)
    }

    /// Returns the scopes of the space-separated `scope` claim.
    pub fn scopes(&self) -> &[String] {
        &self.0.scopes
    }

    /// Returns whether the `scope` claim contains `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.0.scopes.iter().any(|granted| granted == scope)
    }

    /// Returns the RBAC `permissions` claim that Auth0 adds when "Add Permissions in the
    /// Access Token" is on.
    pub fn permissions(&self) -> &[String] {
        &self.0.permissions
    }

    /// Returns whether the `permissions` claim contains `permission`.
    pub fn has_permission(&self, permission: &str) -> bool {
        self.0
            .permissions
            .iter()
            .any(|granted| granted == permission)
    }

    /// Returns the `exp` claim in seconds since the Unix epoch.
    pub fn expires_at(&self) -> i64 {
        self.0.expires_at
    }

    /// Returns the RFC 7638 thumbprint in `cnf.jkt` of a DPoP-bound token.
    pub fn jkt(&self) -> Option<&str> {
        self.0.jkt.as_deref()
    }

    pub(crate) fn kid(&self) -> Option<&str> {
        self.0.kid.as_deref()
    }

    pub(crate) fn not_before(&self) -> Option<i64> {
        self.0.not_before
    }

    /// Deserializes a required claim.
    ///
    /// # Errors
    ///
    /// [`TokenError::MissingClaim`] when absent or `null`, [`TokenError::InvalidClaim`] when
    /// it does not deserialize into `T`.
    pub fn required_claim<T: DeserializeOwned>(&self, name: &str) -> Result<T, TokenError> {
        self.optional_claim(name)?
            .ok_or_else(|| TokenError::MissingClaim {
                name: name.to_owned(),
            })
    }

    /// Deserializes an optional claim; absent and `null` give `None`.
    ///
    /// # Errors
    ///
    /// [`TokenError::InvalidClaim`] when present but not deserializable into `T`.
    pub fn optional_claim<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, TokenError> {
        match self.claim(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => T::deserialize(value)
                .map(Some)
                .map_err(|_| TokenError::InvalidClaim {
                    name: name.to_owned(),
                }),
        }
    }

    /// Deserializes the whole payload into `T`.
    ///
    /// # Errors
    ///
    /// [`TokenError::MissingClaim`] naming the first missing field, or
    /// [`TokenError::InvalidClaim`] for any other mismatch.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, TokenError> {
        T::deserialize(Value::Object(self.0.claims.clone())).map_err(|error| {
            let message = error.to_string();
            match message
                .strip_prefix("missing field `")
                .and_then(|rest| rest.split('`').next())
            {
                Some(name) => TokenError::MissingClaim {
                    name: name.to_owned(),
                },
                None => TokenError::InvalidClaim {
                    name: String::new(),
                },
            }
        })
    }
}

/// The registered and Auth0 claims that verification reads and type-checks.
#[derive(Debug)]
pub(crate) struct RegisteredClaims {
    /// The position of the token's issuer among the trusted issuers.
    pub(crate) issuer_index: usize,
    pub(crate) expires_at: i64,
    pub(crate) not_before: Option<i64>,
    pub(crate) scopes: Vec<String>,
    pub(crate) permissions: Vec<String>,
    pub(crate) jkt: Option<String>,
}

/// A type that handlers receive the verified claims as.
///
/// Derive it with `#[derive(Claims)]` (the `macros` feature): each field reads the claim of
/// its name, `Option` fields are optional, and namespaced custom claims map through
/// `#[claims(namespace = "...")]`. A required claim that is missing rejects the request with
/// 401 `invalid_token` naming the claim.
pub trait Claims: Sized + Send + Sync + 'static {
    /// Builds the claims from a verified token.
    ///
    /// # Errors
    ///
    /// A [`TokenError`] naming the missing or invalid claim.
    fn from_token(token: &VerifiedToken) -> Result<Self, TokenError>;
}

/// The claims of an Auth0 access token that every API can rely on.
///
/// Missing optional claims are empty: a machine-to-machine token has no profile claims and
/// its `permissions` may be absent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StandardClaims {
    /// `iss`: the issuer, such as `https://tenant.auth0.com/`.
    pub iss: String,
    /// `sub`: the user ID, or `CLIENT_ID@clients` for a machine-to-machine token.
    pub sub: String,
    /// `aud`: the audiences, as an array even when the token has a single string.
    pub aud: Vec<String>,
    /// `exp`: the expiry, in seconds since the Unix epoch.
    pub exp: i64,
    /// `iat`: when the token was issued, in seconds since the Unix epoch.
    pub iat: Option<i64>,
    /// `azp`: the client the token was issued to.
    pub azp: Option<String>,
    /// `gty`: the grant type, such as `client-credentials`.
    pub gty: Option<String>,
    /// `scope`, split at spaces.
    pub scopes: Vec<String>,
    /// `permissions`: the RBAC permissions.
    pub permissions: Vec<String>,
}

impl StandardClaims {
    /// Returns whether `scope` is among the token's scopes.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|granted| granted == scope)
    }

    /// Returns whether `permission` is among the token's permissions.
    pub fn has_permission(&self, permission: &str) -> bool {
        self.permissions.iter().any(|granted| granted == permission)
    }
}

impl Claims for StandardClaims {
    fn from_token(token: &VerifiedToken) -> Result<Self, TokenError> {
        let aud = match token.claim("aud") {
            Some(Value::String(audience)) => vec![audience.clone()],
            _ => token.required_claim("aud")?,
        };
        Ok(Self {
            iss: token.required_claim("iss")?,
            sub: token.required_claim("sub")?,
            aud,
            exp: token.expires_at(),
            iat: token.optional_claim::<f64>("iat")?.map(|iat| iat as i64),
            azp: token.optional_claim("azp")?,
            gty: token.optional_claim("gty")?,
            scopes: token.scopes().to_vec(),
            permissions: token.permissions().to_vec(),
        })
    }
}

impl Claims for VerifiedToken {
    fn from_token(token: &VerifiedToken) -> Result<Self, TokenError> {
        Ok(token.clone())
    }
}
