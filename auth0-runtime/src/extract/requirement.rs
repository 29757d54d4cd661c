//! Scope and permission requirements, checked by the [`Require`] extractor.

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::claims::VerifiedToken;
use crate::error::{AuthError, AuthRejection};
use crate::verifier::Verifier;

/// Which claim a [`Clause`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimList {
    /// The space-separated `scope` claim.
    Scope,
    /// The RBAC `permissions` array claim. It is never mixed with `scope`.
    Permissions,
}

/// One condition on a token: all of, or any of, a list of scopes or permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clause {
    /// The claim the values are looked up in.
    pub list: ClaimList,
    /// `true` when one of the values is enough, `false` when all are required.
    pub any: bool,
    /// The required values.
    pub values: &'static [&'static str],
}

impl Clause {
    /// Requires every scope in `values`.
    pub const fn all_scopes(values: &'static [&'static str]) -> Self {
        Self {
            list: ClaimList::Scope,
            any: false,
            values,
        }
    }

    /// Requires at least one scope in `values`.
    pub const fn any_scope(values: &'static [&'static str]) -> Self {
        Self {
            list: ClaimList::Scope,
            any: true,
            values,
        }
    }

    /// Requires every permission in `values`.
    pub const fn all_permissions(values: &'static [&'static str]) -> Self {
        Self {
            list: ClaimList::Permissions,
            any: false,
            values,
        }
    }

    /// Requires at least one permission in `values`.
    pub const fn any_permission(values: &'static [&'static str]) -> Self {
        Self {
            list: ClaimList::Permissions,
            any: true,
            values,
        }
    }

    /// Checks the clause against a token.
    ///
    /// # Errors
    ///
    /// [`AuthError::InsufficientScope`] or [`AuthError::InsufficientPermission`] listing
    /// the clause's values.
    pub fn check(&self, token: &VerifiedToken) -> Result<(), AuthError> {
        let granted = match self.list {
            ClaimList::Scope => token.scopes(),
            ClaimList::Permissions => token.permissions(),
        };
        let has = |value: &&str| granted.iter().any(|granted| granted == value);
        let satisfied = if self.any {
            self.values.iter().any(has)
        } else {
            self.values.iter().all(has)
        };
        if satisfied {
            return Ok(());
        }
        let required = self
            .values
            .iter()
            .map(|value| (*value).to_owned())
            .collect();
        Err(match self.list {
            ClaimList::Scope => AuthError::InsufficientScope { required },
            ClaimList::Permissions => AuthError::InsufficientPermission { required },
        })
    }
}

/// A set of clauses that must all hold, named by a type so it can be an extractor's
/// parameter. The attribute macros generate these; hand-written ones work the same.
///
/// ```
/// use auth0_runtime::{Clause, Require, Requirement};
///
/// struct ReadMessages;
/// impl Requirement for ReadMessages {
///     const CLAUSES: &'static [Clause] = &[Clause::all_scopes(&["read:messages"])];
/// }
///
/// async fn handler(_: Require<ReadMessages>) -> &'static str {
///     "secret"
/// }
/// ```
pub trait Requirement: Send + Sync + 'static {
    /// The clauses, all of which must hold.
    const CLAUSES: &'static [Clause];
}

/// An extractor that authenticates the request and checks the clauses of `R`, rejecting
/// with 403 `insufficient_scope` when one fails. Put it first among the handler's
/// parameters, so authentication runs before any other extractor.
pub struct Require<R>(PhantomData<fn() -> R>);

impl<R> std::fmt::Debug for Require<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Require")
    }
}

impl<R, S> FromRequestParts<S> for Require<R>
where
    R: Requirement,
    Verifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = Verifier::from_ref(state);
        let token = verifier.authenticate(parts).await?;
        for clause in R::CLAUSES {
            if let Err(error) = clause.check(&token) {
                tracing::debug!(scope = ?clause.values, "token lacks a required scope or permission");
                return Err(verifier.reject_request(parts, error));
            }
        }
        Ok(Self(PhantomData))
    }
}
