//! RSA signing keys of the development issuer.

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// An RSA-2048 key pair with its `kid`.
pub struct DevKey {
    kid: String,
    pair: KeyPair,
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

impl std::fmt::Debug for DevKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl DevKey {
    /// Generates a fresh RSA-2048 key pair.
    ///
    /// # Errors
    ///
    /// An I/O error of kind `Other` when the crypto library cannot generate a key.
    pub fn generate(kid: &str) -> std::io::Result<Self> {
        let pair = KeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| std::io::Error::other("RSA key generation failed"))?;
        let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
        Ok(Self {
            kid: kid.to_owned(),
            modulus: components.n,
            exponent: components.e,
            pair,
        })
    }

    /// Returns the key's `kid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Returns the public key as a JWK with `kty`, `use`, `alg`, `kid`, `n` and `e`.
    pub fn public_jwk(&self) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&self.modulus),
            "e": URL_SAFE_NO_PAD.encode(&self.exponent),
        })
    }

    /// Returns the public key as a DER-encoded PKCS#1 `RSAPublicKey`.
    pub fn public_key_pkcs1_der(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }

    /// Returns the public key as a DER-encoded X.509 SubjectPublicKeyInfo.
    pub fn public_key_spki_der(&self) -> Vec<u8> {
        // Invariant: a key that aws-lc-rs generated always encodes.
        let der = self
            .pair
            .public_key()
            .as_der()
            .expect("a generated RSA public key encodes as DER");
        der.as_ref().to_vec()
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 SHA-256 (RS256).
    pub fn sign_rs256(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0; self.pair.public_modulus_len()];
        // Invariant: the buffer has the modulus length, the one input `sign` can reject.
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .expect("an RSA signature buffer of the modulus length is accepted");
        signature
    }

    /// Encodes `header` and `claims` and signs them as a compact JWS with RS256, whatever
    /// `alg` the header names.
    pub fn sign_jws(&self, header: &Value, claims: &Value) -> String {
        let signing_input = format!("{}.{}", encode_json(header), encode_json(claims));
        let signature = self.sign_rs256(signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

/// Returns base64url(JSON text of `value`).
pub(crate) fn encode_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}
