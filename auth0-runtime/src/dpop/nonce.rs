//! Server-provided DPoP nonces (RFC 9449 section 8).
//!
//! A nonce is an HMAC-SHA256, under a secret key, of the number of the current time step.
//! It needs no storage: every instance that shares the key issues the same nonce within a
//! step and accepts the nonces of the current and the previous step.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::ConfigError;
use crate::verify::jws;

type HmacSha256 = Hmac<Sha256>;

/// Separates these MACs from any other use of the same key.
const CONTEXT: &[u8] = b"auth0-runtime DPoP nonce v1\0";

/// The shortest secret key accepted, in bytes: the output size of SHA-256.
const MIN_SECRET_BYTES: usize = 32;

/// Settings for server-provided nonces, which make clients put a fresh value from the API
/// into each proof, so proofs cannot be made in advance.
///
/// With nonces on, a proof without a valid `nonce` claim gets 401 `use_dpop_nonce` and a
/// `DPoP-Nonce` header carrying the nonce to use. A nonce stays valid for one to two steps.
#[derive(Clone)]
pub struct NonceConfig {
    secret: Vec<u8>,
    step: Duration,
}

impl std::fmt::Debug for NonceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NonceConfig")
            .field("secret", &"[redacted]")
            .field("step", &self.step)
            .finish()
    }
}

impl NonceConfig {
    /// The default time step: 5 minutes.
    pub const DEFAULT_STEP: Duration = Duration::from_secs(300);

    /// Creates nonce settings with a secret key of at least 32 random bytes. Give every
    /// instance of the API the same key, so each accepts the others' nonces.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a key shorter than 32 bytes.
    pub fn new(secret: impl Into<Vec<u8>>) -> Result<Self, ConfigError> {
        let secret = secret.into();
        if secret.len() < MIN_SECRET_BYTES {
            return Err(ConfigError::Invalid {
                name: "dpop.nonce.secret",
                value: format!("{} bytes", secret.len()),
                reason: "use a random key of at least 32 bytes".into(),
            });
        }
        Ok(Self {
            secret,
            step: Self::DEFAULT_STEP,
        })
    }

    /// Sets the time step. Default: 5 minutes. A nonce is accepted during its own step and
    /// the next one.
    pub fn step(mut self, step: Duration) -> Self {
        self.step = step;
        self
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        if self.step.as_secs() == 0 {
            return Err(ConfigError::Invalid {
                name: "dpop.nonce.step",
                value: format!("{:?}", self.step),
                reason: "use a step of at least one second".into(),
            });
        }
        Ok(())
    }

    /// Returns the nonce for the step that contains `now` (seconds since the Unix epoch).
    pub(crate) fn current(&self, now: i64) -> String {
        jws::encode(&self.mac(self.step_of(now)).finalize().into_bytes())
    }

    /// Checks a proof's `nonce` against the current and the previous step, in constant time.
    pub(crate) fn accepts(&self, nonce: &str, now: i64) -> bool {
        let Ok(tag) = jws::decode(nonce) else {
            return false;
        };
        let step = self.step_of(now);
        [step, step - 1]
            .into_iter()
            .any(|candidate| self.mac(candidate).verify_slice(&tag).is_ok())
    }

    fn step_of(&self, now: i64) -> i64 {
        // Invariant: `validate` keeps the step at one second or more.
        let seconds = self.step.as_secs().max(1) as i64;
        now.div_euclid(seconds)
    }

    fn mac(&self, step: i64) -> HmacSha256 {
        // Invariant: HMAC accepts keys of any length.
        let mut mac = HmacSha256::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(CONTEXT);
        mac.update(&step.to_be_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> NonceConfig {
        NonceConfig::new([7u8; 32])
            .unwrap()
            .step(Duration::from_secs(60))
    }

    #[test]
    fn nonce_valid_for_two_steps() {
        let nonces = config();
        let nonce = nonces.current(6_000);
        assert!(nonces.accepts(&nonce, 6_000));
        assert!(nonces.accepts(&nonce, 6_059));
        assert!(nonces.accepts(&nonce, 6_119), "previous step");
        assert!(!nonces.accepts(&nonce, 6_120), "two steps later");
        assert!(!nonces.accepts(&nonce, 5_999), "earlier step");
    }

    #[test]
    fn instances_sharing_key_agree() {
        let first = config();
        let second = config();
        assert_eq!(first.current(6_000), second.current(6_030));
        let other = NonceConfig::new([8u8; 32]).unwrap();
        assert!(!other.accepts(&first.current(6_000), 6_000));
    }

    #[test]
    fn malformed_nonce_rejected() {
        let nonces = config();
        assert!(!nonces.accepts("", 6_000));
        assert!(!nonces.accepts("not base64!", 6_000));
        let mut nonce = nonces.current(6_000);
        nonce.pop();
        assert!(!nonces.accepts(&nonce, 6_000));
    }

    #[test]
    fn short_secret_rejected() {
        assert!(NonceConfig::new(vec![1u8; 31]).is_err());
    }
}
