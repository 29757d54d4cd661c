//! Access-token verification: header checks, key lookup, signature, registered claims.
//!
//! Cheap checks run first: the size bound, the compact shape, the header's `alg`, `typ`,
//! `crit` and `kid`, and the issuer, audience and time claims. Only a token that passes
//! them can cause a key lookup, a key fetch or a signature verification.

mod cache;
mod digest;
pub(crate) mod jws;
pub(crate) mod signature;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

use crate::claims::{RegisteredClaims, VerifiedToken};
use crate::config::Config;
use crate::error::{AuthError, TokenError};
use crate::jwks::{KeyError, KeyStore, truncate};
use cache::{CachedToken, TokenCache};
pub(crate) use digest::token_digest;

/// Verifies access tokens against one issuer and audience.
#[derive(Debug)]
pub(crate) struct TokenVerifier {
    /// The trusted issuers, each with its own key cache; the configured issuer first.
    issuers: Vec<(String, Arc<KeyStore>)>,
    audience: String,
    leeway: i64,
    algorithms: Vec<Algorithm>,
    max_token_bytes: usize,
    cache: TokenCache,
}

/// The current time in whole seconds since the Unix epoch.
pub(crate) fn now_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

impl TokenVerifier {
    pub(crate) fn new(config: &Config) -> Result<Self, reqwest::Error> {
        let mut issuers = Vec::with_capacity(1 + config.additional_issuers.len());
        let primary = (config.issuer.clone(), config.discovery_url.clone());
        for (issuer, discovery_url) in
            std::iter::once(primary).chain(config.additional_issuers.iter().cloned())
        {
            let store = KeyStore::new(
                issuer.clone(),
                discovery_url,
                config.jwks.clone(),
                &config.extra_root_certificates,
            )?;
            issuers.push((issuer, Arc::new(store)));
        }
        Ok(Self {
            issuers,
            audience: config.audience.clone(),
            leeway: config.leeway.as_secs() as i64,
            algorithms: config.algorithms.clone(),
            max_token_bytes: config.max_token_bytes,
            cache: TokenCache::new(config.token_cache_capacity),
        })
    }

    /// Fetches the keys of every trusted issuer.
    pub(crate) async fn prefetch(&self) -> Result<(), crate::jwks::FetchError> {
        for (_, keys) in &self.issuers {
            keys.prefetch().await?;
        }
        Ok(())
    }

    /// Verifies `token` and returns its claims.
    pub(crate) async fn verify(&self, token: &str) -> Result<VerifiedToken, AuthError> {
        if token.len() > self.max_token_bytes {
            return Err(invalid(TokenError::TooLarge {
                max: self.max_token_bytes,
            }));
        }
        let now = now_seconds();
        // With the cache off, the digest is not worth computing.
        let digest = self.cache.is_enabled().then(|| token_digest(token));
        if let Some(digest) = &digest
            && let Some(cached) = self.cache.get(digest)
        {
            match self.recheck(&cached, now) {
                Recheck::Valid => return Ok(cached.token),
                Recheck::Rejected(error) => return Err(invalid(error)),
                // The key may have been replaced under the same `kid`: verify afresh.
                Recheck::KeyGone => self.cache.remove(digest),
            }
        }

        let Prechecked {
            parts,
            alg,
            kid,
            claims,
            registered,
        } = self.precheck(token, now)?;

        let keys = &self.issuers[registered.issuer_index].1;
        let (key, generation) = match keys.key_for(kid.as_deref(), alg).await {
            Ok(found) => found,
            Err(KeyError::Token(error)) => return Err(invalid(error)),
            Err(KeyError::Unavailable) => return Err(AuthError::KeysUnavailable),
        };
        let signing_input = parts.signing_input.as_bytes();
        if !key
            .key()
            .signature
            .verify(alg, signing_input, parts.signature)
        {
            return Err(invalid(TokenError::InvalidSignature));
        }

        let issuer_index = registered.issuer_index;
        let token = VerifiedToken::new(claims, registered, kid);
        if let Some(digest) = digest {
            let entry = CachedToken {
                token: token.clone(),
                issuer_index,
                key_generation: generation,
            };
            self.cache.insert(digest, entry, now);
        }
        Ok(token)
    }

    /// Runs the checks that need no key: the compact shape, the header and the claims.
    pub(crate) fn precheck<'a>(
        &self,
        token: &'a str,
        now: i64,
    ) -> Result<Prechecked<'a>, AuthError> {
        let parts = jws::split(token).map_err(malformed)?;
        let header = jws::decode_object(parts.header).map_err(malformed)?;
        let (alg, kid) = self.check_header(&header).map_err(invalid)?;
        let claims = jws::decode_object(parts.payload).map_err(malformed)?;
        let registered = self.check_claims(&claims, now).map_err(invalid)?;
        Ok(Prechecked {
            parts,
            alg,
            kid,
            claims,
            registered,
        })
    }

    /// Re-checks a remembered token against the clock and the current key set.
    fn recheck(&self, cached: &CachedToken, now: i64) -> Recheck {
        let token = &cached.token;
        if now >= token.expires_at() + self.leeway {
            return Recheck::Rejected(TokenError::Expired);
        }
        if token
            .not_before()
            .is_some_and(|nbf| now + self.leeway < nbf)
        {
            return Recheck::Rejected(TokenError::NotYetValid);
        }
        let keys = &self.issuers[cached.issuer_index].1;
        if !keys.still_has(cached.key_generation) {
            let kid = token.kid().unwrap_or_default();
            tracing::trace!(kid, "key set changed; verifying a remembered token again");
            return Recheck::KeyGone;
        }
        Recheck::Valid
    }

    /// Checks the JOSE header and returns the algorithm and key ID.
    fn check_header(
        &self,
        header: &Map<String, Value>,
    ) -> Result<(Algorithm, Option<String>), TokenError> {
        let alg_name = match header.get("alg") {
            Some(Value::String(name)) => name.as_str(),
            _ => return Err(TokenError::DisallowedAlgorithm { alg: String::new() }),
        };
        let Some(alg) = self
            .algorithms
            .iter()
            .copied()
            .find(|alg| crate::dpop::algorithm_name(*alg) == alg_name)
        else {
            return Err(TokenError::DisallowedAlgorithm {
                alg: truncate(alg_name),
            });
        };

        // This verifier implements no JWS extensions, so any `crit` (even an empty array,
        // which RFC 7515 section 4.1.11 forbids) makes the token unusable.
        if header.contains_key("crit") {
            return Err(TokenError::UnsupportedCritical);
        }
        match header.get("typ") {
            None => {}
            Some(Value::String(typ)) if is_access_token_type(typ) => {}
            Some(Value::String(typ)) => return Err(TokenError::WrongType { typ: truncate(typ) }),
            Some(_) => return Err(TokenError::WrongType { typ: String::new() }),
        }
        // `jku`, `x5u`, `jwk` and `x5c` are ignored: keys come only from the issuer's own
        // key set, never from a location or key that the token names.
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(kid)) if !kid.is_empty() && kid.len() <= 256 => Some(kid.clone()),
            Some(_) => return Err(TokenError::InvalidKeyId),
        };
        Ok((alg, kid))
    }

    /// Checks `iss`, `aud`, `exp`, `nbf`, `iat` and the types of the Auth0 claims.
    fn check_claims(
        &self,
        claims: &Map<String, Value>,
        now: i64,
    ) -> Result<RegisteredClaims, TokenError> {
        // Exact comparison: an issuer without its trailing slash, in another case, or as an
        // array is a different issuer.
        let issuer_index = match claims.get("iss") {
            None => return Err(missing("iss")),
            Some(Value::String(iss)) => self
                .issuers
                .iter()
                .position(|(issuer, _)| issuer == iss)
                .ok_or(TokenError::WrongIssuer)?,
            Some(_) => return Err(TokenError::WrongIssuer),
        };
        self.check_audience(claims.get("aud"))?;

        let expires_at = match claims.get("exp") {
            None => return Err(missing("exp")),
            Some(value) => jws::numeric_date(value).ok_or_else(|| invalid_claim("exp"))?,
        };
        if now >= expires_at + self.leeway {
            return Err(TokenError::Expired);
        }
        let not_before = optional_date(claims, "nbf")?;
        if not_before.is_some_and(|nbf| now + self.leeway < nbf) {
            return Err(TokenError::NotYetValid);
        }
        if optional_date(claims, "iat")?.is_some_and(|iat| now + self.leeway < iat) {
            return Err(TokenError::IssuedInFuture);
        }

        if !matches!(claims.get("sub"), None | Some(Value::String(_))) {
            return Err(invalid_claim("sub"));
        }
        // `scope` must be a space-separated string (RFC 8693 section 4.2); an array or a
        // number makes the token invalid rather than silently scope-less.
        let scopes = match claims.get("scope") {
            None => Vec::new(),
            Some(Value::String(scope)) => scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            Some(_) => return Err(invalid_claim("scope")),
        };
        let permissions = match claims.get("permissions") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| invalid_claim("permissions"))?,
            Some(_) => return Err(invalid_claim("permissions")),
        };
        let jkt = match claims.get("cnf") {
            None => None,
            Some(Value::Object(cnf)) => match cnf.get("jkt") {
                Some(Value::String(jkt)) if !jkt.is_empty() => Some(jkt.clone()),
                _ => return Err(invalid_claim("cnf")),
            },
            Some(_) => return Err(invalid_claim("cnf")),
        };
        Ok(RegisteredClaims {
            issuer_index,
            expires_at,
            not_before,
            scopes,
            permissions,
            jkt,
        })
    }

    fn check_audience(&self, aud: Option<&Value>) -> Result<(), TokenError> {
        match aud {
            None => Err(missing("aud")),
            Some(Value::String(aud)) if *aud == self.audience => Ok(()),
            Some(Value::String(_)) => Err(TokenError::WrongAudience),
            Some(Value::Array(items)) => {
                let mut found = false;
                for item in items {
                    let Value::String(aud) = item else {
                        return Err(invalid_claim("aud"));
                    };
                    found |= *aud == self.audience;
                }
                if found {
                    Ok(())
                } else {
                    Err(TokenError::WrongAudience)
                }
            }
            Some(_) => Err(invalid_claim("aud")),
        }
    }
}

/// A token that passed [`TokenVerifier::precheck`] and awaits its signature check.
#[derive(Debug)]
pub(crate) struct Prechecked<'a> {
    pub(crate) parts: jws::CompactJws<'a>,
    pub(crate) alg: Algorithm,
    pub(crate) kid: Option<String>,
    pub(crate) claims: Map<String, Value>,
    pub(crate) registered: RegisteredClaims,
}

enum Recheck {
    Valid,
    Rejected(TokenError),
    KeyGone,
}

/// Accepts the `typ` values of access tokens: `JWT` (Auth0) and `at+jwt` (RFC 9068), with or
/// without the `application/` prefix, in any case (RFC 7515 section 4.1.9).
fn is_access_token_type(typ: &str) -> bool {
    let typ = typ.strip_prefix("application/").unwrap_or(typ);
    typ.eq_ignore_ascii_case("jwt") || typ.eq_ignore_ascii_case("at+jwt")
}

fn optional_date(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<i64>, TokenError> {
    match claims.get(name) {
        None => Ok(None),
        Some(value) => jws::numeric_date(value)
            .map(Some)
            .ok_or_else(|| invalid_claim(name)),
    }
}

fn invalid(error: TokenError) -> AuthError {
    AuthError::InvalidToken(error)
}

fn malformed(reason: &'static str) -> AuthError {
    AuthError::InvalidToken(TokenError::Malformed { reason })
}

fn missing(name: &str) -> TokenError {
    TokenError::MissingClaim {
        name: name.to_owned(),
    }
}

fn invalid_claim(name: &str) -> TokenError {
    TokenError::InvalidClaim {
        name: name.to_owned(),
    }
}
