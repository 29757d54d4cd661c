//! Parsing a JSON Web Key Set into verification keys.

use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use serde_json::Value;

use crate::verify::signature::SignatureKey;

/// The smallest RSA modulus accepted, in bits (RFC 7518 section 3.3 requires 2048).
const MIN_RSA_BITS: usize = 2048;

/// One key of the set, ready to verify signatures.
pub(crate) struct VerificationKey {
    pub(crate) kid: Option<String>,
    kind: KeyKind,
    /// The key's `alg`, when it names one.
    alg: Option<String>,
    /// False when `use` or `key_ops` mark the key as not for verifying signatures.
    for_signatures: bool,
    pub(crate) signature: SignatureKey,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyKind {
    Rsa { bits: usize },
    Ec { curve: String },
    Okp { curve: String },
}

impl VerificationKey {
    /// Returns whether this key may verify a signature made with `alg`.
    fn fits(&self, alg: Algorithm) -> bool {
        if !self.for_signatures {
            return false;
        }
        if let Some(key_alg) = &self.alg
            && key_alg != crate::dpop::algorithm_name(alg)
        {
            return false;
        }
        match (&self.kind, alg) {
            (KeyKind::Rsa { bits }, _) if alg.family() == AlgorithmFamily::Rsa => {
                *bits >= MIN_RSA_BITS
            }
            (KeyKind::Ec { curve }, Algorithm::ES256) => curve == "P-256",
            (KeyKind::Ec { curve }, Algorithm::ES384) => curve == "P-384",
            (KeyKind::Okp { curve }, Algorithm::EdDSA) => curve == "Ed25519",
            _ => false,
        }
    }
}

/// The outcome of looking a token's key up in a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// The index of the key to verify with.
    Found(usize),
    /// No key has this `kid`: the set may be out of date.
    UnknownKid,
    /// Keys with this `kid` exist, but none may verify this algorithm.
    Unsuitable,
    /// The token has no `kid`, and the set does not have exactly one key.
    KidRequired,
}

/// A parsed key set.
pub(crate) struct KeySet {
    keys: Vec<VerificationKey>,
    /// How many entries the document had, usable or not.
    entries: usize,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet")
            .field("kids", &self.kids())
            .field("entries", &self.entries)
            .finish()
    }
}

/// The reason a key-set document was rejected as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeySetError {
    /// The body is not a JSON object with a `keys` array.
    #[error("the key set is not a JSON object with a `keys` array")]
    NotAKeySet,
    /// The set has more keys than the configured maximum.
    #[error("the key set has {count} keys, more than the limit of {max}")]
    TooManyKeys {
        /// How many keys the set has.
        count: usize,
        /// The maximum.
        max: usize,
    },
    /// No entry is a public key usable for verifying signatures.
    #[error("the key set has no usable signing key")]
    NoUsableKey,
}

impl KeySet {
    /// Parses a JWKS document. Entries that are not usable public keys are skipped with a
    /// debug log, but a document without any usable key is an error, so an empty or broken
    /// response never replaces a good set.
    pub(crate) fn parse(body: &[u8], max_keys: usize) -> Result<Self, KeySetError> {
        let document: Value = serde_json::from_slice(body).map_err(|_| KeySetError::NotAKeySet)?;
        let Some(entries) = document.get("keys").and_then(Value::as_array) else {
            return Err(KeySetError::NotAKeySet);
        };
        if entries.len() > max_keys {
            return Err(KeySetError::TooManyKeys {
                count: entries.len(),
                max: max_keys,
            });
        }

        let mut keys = Vec::with_capacity(entries.len());
        for entry in entries {
            match parse_key(entry) {
                Ok(key) => keys.push(key),
                Err(reason) => {
                    let kid = entry.get("kid").and_then(Value::as_str).unwrap_or("");
                    tracing::debug!(kid = %truncate(kid), reason, "skipped key set entry");
                }
            }
        }
        if !keys.iter().any(|key| key.for_signatures) {
            return Err(KeySetError::NoUsableKey);
        }
        Ok(Self {
            keys,
            entries: entries.len(),
        })
    }

    /// Finds the key for a token's `kid` and `alg`. Several entries may share a `kid`
    /// (one RSA and one EC, say), so the first that fits the algorithm wins.
    pub(crate) fn find(&self, kid: Option<&str>, alg: Algorithm) -> Lookup {
        let Some(kid) = kid else {
            // Without a `kid`, only a set of exactly one entry is unambiguous.
            return match self.keys.as_slice() {
                [only] if self.entries == 1 && only.fits(alg) => Lookup::Found(0),
                _ => Lookup::KidRequired,
            };
        };
        let mut seen = false;
        for (index, key) in self.keys.iter().enumerate() {
            if key.kid.as_deref() != Some(kid) {
                continue;
            }
            seen = true;
            if key.fits(alg) {
                return Lookup::Found(index);
            }
        }
        if seen {
            Lookup::Unsuitable
        } else {
            Lookup::UnknownKid
        }
    }

    pub(crate) fn key(&self, index: usize) -> &VerificationKey {
        &self.keys[index]
    }

    pub(crate) fn kids(&self) -> Vec<&str> {
        self.keys
            .iter()
            .filter_map(|key| key.kid.as_deref())
            .collect()
    }
}

fn parse_key(entry: &Value) -> Result<VerificationKey, &'static str> {
    let object = entry.as_object().ok_or("entry is not an object")?;
    let text = |name: &str| -> Result<Option<&str>, &'static str> {
        match object.get(name) {
            None => Ok(None),
            Some(Value::String(value)) => Ok(Some(value.as_str())),
            Some(_) => Err("a member has the wrong type"),
        }
    };
    if object.contains_key("d") || object.contains_key("k") {
        return Err("entry has private key material");
    }

    let kid = text("kid")?.map(str::to_owned);
    let alg = text("alg")?.map(str::to_owned);
    let key_use = text("use")?;
    let ops_allow_verify = match object.get("key_ops") {
        None => true,
        Some(Value::Array(ops)) => ops.iter().any(|op| op.as_str() == Some("verify")),
        Some(_) => return Err("key_ops is not an array"),
    };
    let for_signatures = key_use.is_none_or(|value| value == "sig") && ops_allow_verify;

    let (kind, decoding) = match text("kty")? {
        Some("RSA") => {
            let n = text("n")?.ok_or("RSA key without n")?;
            let e = text("e")?.ok_or("RSA key without e")?;
            let bits = rsa_modulus_bits(n).ok_or("RSA modulus is not base64url")?;
            let decoding = DecodingKey::from_rsa_components(n, e).map_err(|_| "invalid RSA key")?;
            (KeyKind::Rsa { bits }, decoding)
        }
        Some("EC") => {
            let curve = text("crv")?.ok_or("EC key without crv")?;
            let x = text("x")?.ok_or("EC key without x")?;
            let y = text("y")?.ok_or("EC key without y")?;
            let decoding = DecodingKey::from_ec_components(x, y).map_err(|_| "invalid EC key")?;
            (
                KeyKind::Ec {
                    curve: curve.to_owned(),
                },
                decoding,
            )
        }
        Some("OKP") => {
            let curve = text("crv")?.ok_or("OKP key without crv")?;
            let x = text("x")?.ok_or("OKP key without x")?;
            let decoding = DecodingKey::from_ed_components(x).map_err(|_| "invalid OKP key")?;
            (
                KeyKind::Okp {
                    curve: curve.to_owned(),
                },
                decoding,
            )
        }
        _ => return Err("unsupported or missing kty"),
    };
    Ok(VerificationKey {
        kid,
        kind,
        alg,
        for_signatures,
        signature: SignatureKey::new(decoding),
    })
}

/// Returns the bit length of a base64url-encoded big-endian modulus.
fn rsa_modulus_bits(n: &str) -> Option<usize> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(n)
        .ok()?;
    let first = bytes.iter().position(|byte| *byte != 0)?;
    let leading = bytes[first].leading_zeros() as usize;
    Some((bytes.len() - first) * 8 - leading)
}

/// Cuts an untrusted string for a log line.
pub(crate) fn truncate(value: &str) -> String {
    value.chars().take(64).collect()
}
