//! Minting tokens for tests.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::IssuerState;
use super::keys::DevKey;
use crate::verify::now_seconds;

/// A token under construction. Every setter overrides one claim or header member; the
/// defaults make a valid token for the issuer's default audience.
#[derive(Debug, Clone)]
pub struct TokenBuilder {
    key: Arc<DevKey>,
    header: Map<String, Value>,
    claims: Map<String, Value>,
}

impl TokenBuilder {
    pub(crate) fn new(state: &IssuerState) -> Self {
        let key = state.signing_key();
        let now = now_seconds();
        let header = json!({ "alg": "RS256", "typ": "JWT", "kid": key.kid() });
        let claims = json!({
            "iss": state.issuer,
            "sub": "dev-user",
            "aud": state.audience,
            "iat": now,
            "exp": now + 600,
        });
        Self {
            key,
            header: into_object(header),
            claims: into_object(claims),
        }
    }

    /// Sets `sub`.
    pub fn subject(self, subject: &str) -> Self {
        self.claim("sub", subject)
    }

    /// Sets `aud` to one audience.
    pub fn audience(self, audience: &str) -> Self {
        self.claim("aud", audience)
    }

    /// Sets `iss`.
    pub fn issuer(self, issuer: &str) -> Self {
        self.claim("iss", issuer)
    }

    /// Sets the space-separated `scope`.
    pub fn scope(self, scope: &str) -> Self {
        self.claim("scope", scope)
    }

    /// Sets the RBAC `permissions` array.
    pub fn permissions<'a>(self, permissions: impl IntoIterator<Item = &'a str>) -> Self {
        let list: Vec<&str> = permissions.into_iter().collect();
        self.claim("permissions", list)
    }

    /// Sets `exp` to now plus `seconds`; a negative value makes an expired token.
    pub fn expires_in(self, seconds: i64) -> Self {
        self.claim("exp", now_seconds() + seconds)
    }

    /// Sets `nbf` to now plus `seconds`.
    pub fn not_before_in(self, seconds: i64) -> Self {
        self.claim("nbf", now_seconds() + seconds)
    }

    /// Sets `iat` to now plus `seconds`.
    pub fn issued_in(self, seconds: i64) -> Self {
        self.claim("iat", now_seconds() + seconds)
    }

    /// Binds the token to a DPoP key: sets `cnf.jkt` to the RFC 7638 thumbprint.
    pub fn jkt(self, thumbprint: &str) -> Self {
        self.claim("cnf", json!({ "jkt": thumbprint }))
    }

    /// Sets any claim.
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(name.to_owned(), value.into());
        self
    }

    /// Removes a claim.
    pub fn without_claim(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }

    /// Sets any header member, such as `kid`, `typ` or `alg`. The signature stays RS256.
    pub fn header(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.header.insert(name.to_owned(), value.into());
        self
    }

    /// Removes a header member.
    pub fn without_header(mut self, name: &str) -> Self {
        self.header.remove(name);
        self
    }

    /// Signs with another key, such as one the issuer does not publish. The `kid` header is
    /// left as it is.
    pub fn signed_by(mut self, key: Arc<DevKey>) -> Self {
        self.key = key;
        self
    }

    /// Returns the claims as they stand.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// Signs the token and returns it in compact form.
    pub fn sign(&self) -> String {
        self.key.sign_jws(
            &Value::Object(self.header.clone()),
            &Value::Object(self.claims.clone()),
        )
    }
}

fn into_object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(object) => object,
        _ => Map::new(),
    }
}
