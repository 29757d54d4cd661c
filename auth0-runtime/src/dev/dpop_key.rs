//! A client's DPoP key and the proofs it signs, for development tools and tests.

use aws_lc_rs::encoding::AsBigEndian as _;
use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use serde_json::{Map, Value, json};

use crate::verify::{jws, now_seconds};

/// A P-256 key pair that signs DPoP proofs with ES256.
pub struct DpopKey {
    pair: EcdsaKeyPair,
    x: String,
    y: String,
    d: String,
}

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopKey")
            .field("thumbprint", &self.thumbprint())
            .finish_non_exhaustive()
    }
}

impl DpopKey {
    /// Generates a fresh P-256 key pair.
    ///
    /// # Errors
    ///
    /// An I/O error of kind `Other` when the crypto library cannot generate a key.
    pub fn generate() -> std::io::Result<Self> {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .map_err(|_| std::io::Error::other("P-256 key generation failed"))?;
        let private = pair
            .private_key()
            .as_be_bytes()
            .map_err(|_| std::io::Error::other("P-256 private key export failed"))?;
        let d = jws::encode(private.as_ref());
        Self::from_parts(pair, d)
    }

    /// Loads a private key from a JWK with `kty` `EC`, `crv` `P-256`, and `x`, `y` and `d`,
    /// as [`DpopKey::private_jwk`] writes it.
    ///
    /// # Errors
    ///
    /// An I/O error of kind `InvalidData` naming what is wrong with the JWK.
    pub fn from_private_jwk(jwk: &Value) -> std::io::Result<Self> {
        let invalid = |reason: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, reason);
        let member = |name: &str| {
            jwk.get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| invalid(&format!("the JWK has no string member {name:?}")))
        };
        if member("kty")? != "EC" || member("crv")? != "P-256" {
            return Err(invalid("the JWK is not a P-256 key (kty EC, crv P-256)"));
        }
        let decode = |name: &str| {
            jws::decode(member(name)?)
                .map_err(|_| invalid(&format!("the JWK member {name:?} is not base64url")))
        };
        let (x, y, d) = (decode("x")?, decode("y")?, decode("d")?);
        let public = [&[0x04][..], &x, &y].concat();
        let pair = EcdsaKeyPair::from_private_key_and_public_key(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &d,
            &public,
        )
        .map_err(|_| invalid("the JWK's private and public parts do not form a P-256 key"))?;
        Self::from_parts(pair, jws::encode(&d))
    }

    fn from_parts(pair: EcdsaKeyPair, d: String) -> std::io::Result<Self> {
        // An uncompressed P-256 point: 0x04, then 32 bytes of x and 32 of y.
        let point = pair.public_key().as_ref();
        if point.len() != 65 {
            return Err(std::io::Error::other(
                "unexpected P-256 public key encoding",
            ));
        }
        let x = jws::encode(&point[1..33]);
        let y = jws::encode(&point[33..]);
        Ok(Self { pair, x, y, d })
    }

    /// Returns the public key as a JWK: `kty`, `crv`, `x` and `y`.
    pub fn public_jwk(&self) -> Value {
        json!({ "kty": "EC", "crv": "P-256", "x": self.x, "y": self.y })
    }

    /// Returns the key pair as a private JWK, which includes the private scalar `d`.
    pub fn private_jwk(&self) -> Value {
        json!({ "kty": "EC", "crv": "P-256", "x": self.x, "y": self.y, "d": self.d })
    }

    /// Returns the RFC 7638 thumbprint: the `cnf.jkt` of tokens bound to this key.
    pub fn thumbprint(&self) -> String {
        crate::dpop::jwk_thumbprint(&[
            ("crv", "P-256"),
            ("kty", "EC"),
            ("x", &self.x),
            ("y", &self.y),
        ])
    }

    /// Starts a proof for a request with this method and URL, with a random `jti` and
    /// `iat` set to now.
    pub fn proof(&self, method: &str, url: &str) -> ProofBuilder<'_> {
        let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": self.public_jwk() });
        let claims = json!({
            "jti": random_jti(),
            "htm": method,
            "htu": url,
            "iat": now_seconds(),
        });
        ProofBuilder {
            key: self,
            header: into_object(header),
            claims: into_object(claims),
        }
    }

    /// Signs `header` and `claims` as a compact JWS with ES256, whatever `alg` the header
    /// names.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let signing_input = format!(
            "{}.{}",
            jws::encode(header.to_string().as_bytes()),
            jws::encode(claims.to_string().as_bytes())
        );
        // Invariant: ECDSA signing with a valid key pair and the system RNG does not fail.
        let signature = self
            .pair
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .expect("ES256 signing with a generated key succeeds");
        format!("{signing_input}.{}", jws::encode(signature.as_ref()))
    }
}

/// A DPoP proof under construction. Every setter overrides one claim or header member.
#[derive(Debug, Clone)]
pub struct ProofBuilder<'a> {
    key: &'a DpopKey,
    header: Map<String, Value>,
    claims: Map<String, Value>,
}

impl ProofBuilder<'_> {
    /// Sets `ath` to the hash of `token`, for a request that carries that access token.
    pub fn access_token(self, token: &str) -> Self {
        let ath = crate::dpop::access_token_hash(token);
        self.claim("ath", ath)
    }

    /// Sets the server-provided `nonce`.
    pub fn nonce(self, nonce: &str) -> Self {
        self.claim("nonce", nonce)
    }

    /// Sets `iat` to now plus `seconds`; a negative value makes an older proof.
    pub fn issued_in(self, seconds: i64) -> Self {
        self.claim("iat", now_seconds() + seconds)
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

    /// Sets any header member, such as `typ`, `alg` or `jwk`. The signature stays ES256.
    pub fn header(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.header.insert(name.to_owned(), value.into());
        self
    }

    /// Removes a header member.
    pub fn without_header(mut self, name: &str) -> Self {
        self.header.remove(name);
        self
    }

    /// Returns the claims as they stand.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// Signs the proof and returns it in compact form.
    pub fn sign(&self) -> String {
        self.key.sign(
            &Value::Object(self.header.clone()),
            &Value::Object(self.claims.clone()),
        )
    }
}

/// Returns 16 random bytes, base64url-encoded: 128 bits, as RFC 9449 section 11.1 suggests
/// for a `jti`.
fn random_jti() -> String {
    let mut bytes = [0u8; 16];
    // Invariant: the system RNG does not fail on a working system.
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system random number generator works");
    jws::encode(&bytes)
}

fn into_object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(object) => object,
        _ => Map::new(),
    }
}
