//! Minting access tokens and DPoP proofs in bulk.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use auth0_runtime::dev::DevKey;
use aws_lc_rs::error::Unspecified;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Signs RS256 access tokens for one issuer and audience.
#[derive(Debug)]
pub(crate) struct Minter {
    key: Arc<DevKey>,
    issuer: String,
    audience: String,
    /// Seconds from `iat` to `exp`.
    lifetime: i64,
}

impl Minter {
    pub(crate) fn new(key: Arc<DevKey>, issuer: String, audience: String, lifetime: i64) -> Self {
        Self {
            key,
            issuer,
            audience,
            lifetime,
        }
    }

    pub(crate) fn key(&self) -> &DevKey {
        &self.key
    }

    pub(crate) fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Signs a machine-to-machine token shaped like Auth0's, for subject number `index`.
    /// A `jkt` binds the token to a DPoP key (RFC 9449 section 6.1).
    pub(crate) fn access_token(&self, index: usize, jkt: Option<&str>) -> String {
        let now = unix_seconds();
        let header = json!({ "alg": "RS256", "typ": "JWT", "kid": self.key.kid() });
        let mut claims = json!({
            "iss": self.issuer,
            "sub": format!("bench-client-{index}@clients"),
            "aud": self.audience,
            "iat": now,
            "exp": now + self.lifetime,
            "scope": "read:messages",
            "gty": "client-credentials",
            "azp": format!("bench-client-{index}"),
        });
        if let Some(jkt) = jkt {
            claims["cnf"] = json!({ "jkt": jkt });
        }
        self.key.sign_jws(&header, &claims)
    }

    /// Signs `count` tokens with distinct subjects, spread over all cores, because RSA
    /// signing dominates the time to mint a large pool.
    pub(crate) fn access_tokens(&self, count: usize) -> Vec<String> {
        let mut tokens = vec![String::new(); count];
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let chunk = count.div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            for (number, slots) in tokens.chunks_mut(chunk).enumerate() {
                scope.spawn(move || {
                    for (offset, slot) in slots.iter_mut().enumerate() {
                        *slot = self.access_token(number * chunk + offset, None);
                    }
                });
            }
        });
        tokens
    }
}

/// A P-256 key that signs DPoP proofs (ES256), with its public JWK and RFC 7638 thumbprint.
pub(crate) struct ProofKey {
    pair: EcdsaKeyPair,
    jwk: Value,
    thumbprint: String,
}

impl std::fmt::Debug for ProofKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProofKey")
            .field("thumbprint", &self.thumbprint)
            .finish_non_exhaustive()
    }
}

impl ProofKey {
    pub(crate) fn generate() -> Result<Self, String> {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .map_err(|_| "P-256 key generation failed".to_owned())?;
        // An uncompressed SEC1 point: 0x04, then 32 bytes of x and 32 bytes of y.
        let point = pair.public_key().as_ref();
        let (x, y) = (
            URL_SAFE_NO_PAD.encode(&point[1..33]),
            URL_SAFE_NO_PAD.encode(&point[33..65]),
        );
        // RFC 7638 section 3.2: the required members only, in lexicographic order, no spaces.
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let thumbprint = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
        let jwk = json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y });
        Ok(Self {
            pair,
            jwk,
            thumbprint,
        })
    }

    pub(crate) fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// Signs a proof for one request (RFC 9449 section 4.2), with a random `jti` so a
    /// server with a replay cache accepts each proof once.
    pub(crate) fn proof(
        &self,
        access_token: &str,
        method: &str,
        url: &str,
    ) -> Result<String, Unspecified> {
        let rng = SystemRandom::new();
        let mut jti = [0u8; 16];
        rng.fill(&mut jti)?;
        let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk });
        let claims = json!({
            "jti": URL_SAFE_NO_PAD.encode(jti),
            "htm": method,
            "htu": url,
            "iat": unix_seconds(),
            "ath": URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.as_bytes())),
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.pair.sign(&rng, signing_input.as_bytes())?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }

    /// Signs `count` proofs for the same token and request, spread over all cores.
    pub(crate) fn proofs(
        &self,
        count: usize,
        access_token: &str,
        method: &str,
        url: &str,
    ) -> Result<Vec<String>, Unspecified> {
        let mut proofs = vec![String::new(); count];
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let chunk = count.div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let workers: Vec<_> = proofs
                .chunks_mut(chunk)
                .map(|slots| {
                    scope.spawn(move || {
                        for slot in slots {
                            *slot = self.proof(access_token, method, url)?;
                        }
                        Ok(())
                    })
                })
                .collect();
            workers
                .into_iter()
                .try_for_each(|worker| worker.join().unwrap_or(Err(Unspecified)))
        })?;
        Ok(proofs)
    }
}

pub(crate) fn unix_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_json(part: &str) -> Value {
        let bytes = URL_SAFE_NO_PAD.decode(part).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn proof_has_dpop_claims() {
        let key = ProofKey::generate().unwrap();
        let proof = key
            .proof("token", "GET", "http://127.0.0.1:1/api/private")
            .unwrap();
        let parts: Vec<&str> = proof.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = decode_json(parts[0]);
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["jwk"]["crv"], "P-256");
        let claims = decode_json(parts[1]);
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["htu"], "http://127.0.0.1:1/api/private");
        let expected_ath = URL_SAFE_NO_PAD.encode(Sha256::digest(b"token"));
        assert_eq!(claims["ath"], expected_ath.as_str());
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().len(), 64);
    }

    #[test]
    fn proofs_have_distinct_jti() {
        let key = ProofKey::generate().unwrap();
        let proofs = key
            .proofs(50, "token", "GET", "http://127.0.0.1:1/")
            .unwrap();
        let mut jtis: Vec<String> = proofs
            .iter()
            .map(|proof| decode_json(proof.split('.').nth(1).unwrap())["jti"].to_string())
            .collect();
        jtis.sort();
        jtis.dedup();
        assert_eq!(jtis.len(), 50);
    }

    #[test]
    fn access_tokens_are_distinct() {
        let key = Arc::new(DevKey::generate("bench-key").unwrap());
        let minter = Minter::new(key, "https://issuer/".into(), "aud".into(), 60);
        let mut tokens = minter.access_tokens(7);
        assert!(tokens.iter().all(|token| !token.is_empty()));
        tokens.sort();
        tokens.dedup();
        assert_eq!(tokens.len(), 7);
    }

    #[test]
    fn bound_token_carries_jkt() {
        let key = Arc::new(DevKey::generate("bench-key").unwrap());
        let minter = Minter::new(key, "https://issuer/".into(), "aud".into(), 60);
        let token = minter.access_token(0, Some("thumb"));
        let claims = decode_json(token.split('.').nth(1).unwrap());
        assert_eq!(claims["cnf"]["jkt"], "thumb");
    }
}
