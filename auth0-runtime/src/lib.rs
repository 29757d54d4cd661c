//! Protect Axum APIs with Auth0 access tokens.
//!
//! `auth0-runtime` verifies RS256 access tokens against an Auth0 tenant (or any OpenID
//! provider), checks scopes and RBAC permissions, validates DPoP proofs (RFC 9449), and
//! answers failures with RFC 6750 responses. Handlers receive verified claims through
//! extractors or the attribute macros of the `macros` feature.
//!
//! ```no_run
//! use auth0_runtime::{StandardClaims, Verifier};
//! use axum::{Router, routing::get};
//!
//! async fn private(claims: StandardClaims) -> String {
//!     format!("hello {}", claims.sub)
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // Reads AUTH0_DOMAIN and AUTH0_AUDIENCE from the environment or `.env`.
//!     let verifier = Verifier::from_env()?;
//!     let app = Router::new().route("/api/private", get(private)).with_state(verifier);
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
//!     axum::serve(listener, app).await?;
//!     Ok(())
//! }
//! ```
//!
//! # Features
//!
//! | feature | default | what it enables |
//! |---|---|---|
//! | `aws-lc-rs` | yes | signature checks with aws-lc-rs (fast RSA) |
//! | `rust-crypto` | no | signature checks with the pure-Rust RustCrypto crates |
//! | `macros` | yes | `#[protected]`, `#[requires_scope]`, `#[derive(Claims)]` |
//! | `dev-issuer` | no | [`dev::DevIssuer`], a local OpenID provider for development and tests |
//! | `redis` | no | `dpop::RedisReplayStore`, a DPoP replay store shared by several instances |
//!
//! Exactly one of `aws-lc-rs` and `rust-crypto` must be enabled; to use `rust-crypto`,
//! turn default features off.

#[cfg(all(feature = "aws-lc-rs", feature = "rust-crypto"))]
compile_error!(
    "auth0-runtime: enable only one of the features `aws-lc-rs` and `rust-crypto` (turn off default features to use `rust-crypto`)"
);
#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!(
    "auth0-runtime: enable one of the features `aws-lc-rs` (the default) and `rust-crypto`"
);

mod claims;
mod config;
pub mod dpop;
mod error;
mod extract;
mod jwks;
pub mod request_url;
mod sharded;
mod verifier;
mod verify;

#[cfg(feature = "dev-issuer")]
pub mod dev;

pub use claims::{Claims, StandardClaims, VerifiedToken};
pub use config::{
    ADDITIONAL_DOMAINS_VAR, AUDIENCE_VAR, Config, ConfigBuilder, ConfigError, DOMAIN_VAR,
    ISSUER_BASE_URL_VAR, JwksSettings,
};
pub use error::{
    AuthError, AuthRejection, DpopError, RejectionHandler, RequestError, Scheme, TokenError,
};
pub use extract::{Auth, ClaimList, Clause, Require, Requirement, claims_from_request};
pub use jsonwebtoken::Algorithm;
pub use jwks::{FetchError, KeySetError};
pub use verifier::{BuildError, Verifier, VerifierBuilder};

#[cfg(feature = "macros")]
pub use auth0_macros::{
    Claims, protected, requires_any_permission, requires_any_scope, requires_permission,
    requires_scope,
};

#[doc(hidden)]
pub mod __fuzz;

/// Paths used by the code the macros generate. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use axum;
    pub use serde;
    pub use serde_json;

    pub use crate::extract::claims_from_request;
}

/// Internal functions for the Criterion benchmarks in `benches/`. Not a public API.
#[doc(hidden)]
pub mod __bench {
    use axum::http::HeaderMap;

    use crate::dpop::{DpopConfig, ProofChecker, ProofRequest};
    use crate::extract::authorization::{self, Authorization};
    use crate::request_url::normalize_url;

    /// Parses the `Authorization` header as every protected request does, and returns the
    /// credential of a `Bearer` or `DPoP` header.
    pub fn parse_authorization(headers: &HeaderMap) -> Option<&str> {
        match authorization::parse(headers) {
            Ok(Authorization::Credential { token, .. }) => Some(token),
            _ => None,
        }
    }

    /// The DPoP proof checks of every DPoP request, with the default configuration, for
    /// requests to one URL. The replay store is not part of it.
    #[derive(Debug)]
    pub struct DpopProofCheck {
        checker: ProofChecker,
        url: String,
    }

    impl DpopProofCheck {
        /// Creates the checks for requests to `url`, with or without the cache of proof
        /// headers. Returns `None` when `url` is not an absolute http or https URL.
        pub fn new(url: &str, header_cache: bool) -> Option<Self> {
            let checker = ProofChecker::new(&DpopConfig::default());
            Some(Self {
                checker: if header_cache {
                    checker
                } else {
                    checker.without_header_cache()
                },
                url: normalize_url(url)?,
            })
        }

        /// Checks the proof in `headers` for a `GET` request carrying `access_token`, at
        /// `now` (seconds since the Unix epoch), and returns whether it passed.
        pub fn check(&self, headers: &HeaderMap, access_token: &str, now: i64) -> bool {
            let request = ProofRequest {
                method: "GET",
                url: Ok(&self.url),
                access_token: Some(access_token),
            };
            self.checker.check(headers, &request, now).is_ok()
        }
    }

    /// Computes the RFC 7638 thumbprint of a P-256 key from its coordinates, which must be
    /// canonical base64url.
    pub fn ec_thumbprint(x: &str, y: &str) -> String {
        crate::dpop::jwk_thumbprint(&[("crv", "P-256"), ("kty", "EC"), ("x", x), ("y", y)])
    }
}
