//! Axum extractors that authenticate the request and hand handlers the verified claims.
//!
//! Each extractor reaches the [`Verifier`] through the router state (`Verifier: FromRef<S>`),
//! so a router that was never given a verifier does not compile.

pub(crate) mod authorization;
mod requirement;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::claims::{Claims, StandardClaims, VerifiedToken};
use crate::error::{AuthError, AuthRejection};
use crate::verifier::Verifier;

pub use requirement::{ClaimList, Clause, Require, Requirement};

impl<S> FromRequestParts<S> for VerifiedToken
where
    Verifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Verifier::from_ref(state).authenticate(parts).await
    }
}

impl<S> FromRequestParts<S> for StandardClaims
where
    Verifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        claims_from_request(parts, state).await
    }
}

/// Authenticates the request and builds the claims type `T`, for `#[derive(Claims)]`
/// types and hand-written [`Claims`] implementations.
///
/// # Errors
///
/// The authentication rejection, or 401 `invalid_token` naming a missing or invalid claim.
pub async fn claims_from_request<T, S>(parts: &mut Parts, state: &S) -> Result<T, AuthRejection>
where
    T: Claims,
    Verifier: FromRef<S>,
    S: Send + Sync,
{
    let verifier = Verifier::from_ref(state);
    let token = verifier.authenticate(parts).await?;
    T::from_token(&token).map_err(|error| {
        tracing::debug!(
            error = &error as &dyn std::error::Error,
            "token lacks a claim the handler needs"
        );
        verifier.reject_request(parts, AuthError::InvalidToken(error))
    })
}

/// An extractor for claims deserialized with serde into the application's own type.
///
/// A missing field rejects the request with 401 `invalid_token`, never 500.
///
/// ```
/// use auth0_runtime::Auth;
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct MyClaims {
///     sub: String,
///     #[serde(rename = "https://myapp.example.com/roles", default)]
///     roles: Vec<String>,
/// }
///
/// async fn handler(Auth(claims): Auth<MyClaims>) -> String {
///     format!("{} has {} roles", claims.sub, claims.roles.len())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Auth<T>(pub T);

impl<T, S> FromRequestParts<S> for Auth<T>
where
    T: DeserializeOwned + Send,
    Verifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = Verifier::from_ref(state);
        let token = verifier.authenticate(parts).await?;
        match token.deserialize::<T>() {
            Ok(claims) => Ok(Self(claims)),
            Err(error) => Err(verifier.reject_request(parts, AuthError::InvalidToken(error))),
        }
    }
}
