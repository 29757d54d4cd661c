//! Signature checks with keys prepared once per key.
//!
//! `jsonwebtoken::crypto::verify` clones the key and rebuilds the backend's public key from
//! its components on every call. With the `aws-lc-rs` feature, a key is instead parsed into
//! an aws-lc-rs key the first time each algorithm uses it, and kept with the key. Under
//! `rust-crypto`, every key still goes through jsonwebtoken.

use jsonwebtoken::{Algorithm, DecodingKey};

/// A public key, ready to verify signatures: a key of the issuer's set, or a DPoP proof's key.
pub(crate) struct SignatureKey {
    decoding: DecodingKey,
    #[cfg(feature = "aws-lc-rs")]
    parsed: Option<aws::ParsedKey>,
}

impl SignatureKey {
    pub(crate) fn new(decoding: DecodingKey) -> Self {
        Self {
            #[cfg(feature = "aws-lc-rs")]
            parsed: aws::ParsedKey::from_decoding_key(&decoding),
            decoding,
        }
    }

    /// Returns whether `signature`, base64url without padding, is a valid `alg` signature
    /// of `signing_input` under this key.
    pub(crate) fn verify(&self, alg: Algorithm, signing_input: &[u8], signature: &str) -> bool {
        #[cfg(feature = "aws-lc-rs")]
        if let Some(parsed) = &self.parsed
            && let Some(valid) = parsed.verify(alg, signing_input, signature)
        {
            return valid;
        }
        matches!(
            jsonwebtoken::crypto::verify(signature, signing_input, &self.decoding, alg),
            Ok(true)
        )
    }
}

#[cfg(feature = "aws-lc-rs")]
mod aws {
    use std::sync::OnceLock;

    use aws_lc_rs::signature::{
        self, ParsedPublicKey, RsaParameters, RsaPublicKeyComponents, VerificationAlgorithm,
    };
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind};

    /// The largest decoded signature accepted, in bytes: an RSA signature for an 8,192-bit
    /// modulus, the largest that aws-lc-rs verifies, is 1,024 bytes. The base64 decoder
    /// needs a few bytes of slack beyond that.
    const SIGNATURE_BUFFER_BYTES: usize = 1_032;

    /// The RSA algorithms, in the order of `ParsedKey::parsed`, with the aws-lc-rs
    /// parameters that jsonwebtoken 12 uses for each.
    const RSA_ALGORITHMS: [(Algorithm, &RsaParameters); 6] = [
        (Algorithm::RS256, &signature::RSA_PKCS1_2048_8192_SHA256),
        (Algorithm::RS384, &signature::RSA_PKCS1_2048_8192_SHA384),
        (Algorithm::RS512, &signature::RSA_PKCS1_2048_8192_SHA512),
        (Algorithm::PS256, &signature::RSA_PSS_2048_8192_SHA256),
        (Algorithm::PS384, &signature::RSA_PSS_2048_8192_SHA384),
        (Algorithm::PS512, &signature::RSA_PSS_2048_8192_SHA512),
    ];

    /// The EC and EdDSA algorithms, with the aws-lc-rs algorithms that jsonwebtoken 12 uses
    /// for each. JWS ECDSA signatures are the fixed-length `r || s` form.
    const EC_ALGORITHMS: [(Algorithm, &dyn VerificationAlgorithm); 2] = [
        (Algorithm::ES256, &signature::ECDSA_P256_SHA256_FIXED),
        (Algorithm::ES384, &signature::ECDSA_P384_SHA384_FIXED),
    ];
    const ED_ALGORITHMS: [(Algorithm, &dyn VerificationAlgorithm); 1] =
        [(Algorithm::EdDSA, &signature::ED25519)];

    /// The key material of a jsonwebtoken key, from which the aws-lc-rs keys are parsed.
    enum Source {
        Rsa(RsaPublicKeyComponents<Vec<u8>>),
        /// An EC point (uncompressed or SubjectPublicKeyInfo DER) or an Ed25519 key, with
        /// the algorithms that may use it.
        Encoded {
            bytes: Vec<u8>,
            algorithms: &'static [(Algorithm, &'static dyn VerificationAlgorithm)],
        },
    }

    /// A public key with one parsed aws-lc-rs key per algorithm, because aws-lc-rs binds a
    /// parsed key to its padding, curve and digest.
    pub(super) struct ParsedKey {
        source: Source,
        /// Indexed like the source's algorithm table. `None` inside a set cell means
        /// aws-lc-rs rejected the key for that algorithm.
        parsed: [OnceLock<Option<ParsedPublicKey>>; RSA_ALGORITHMS.len()],
    }

    impl ParsedKey {
        pub(super) fn from_decoding_key(decoding: &DecodingKey) -> Option<Self> {
            let source = match (decoding.family(), decoding.kind()) {
                (AlgorithmFamily::Rsa, DecodingKeyKind::RsaModulusExponent { n, e }) => {
                    Source::Rsa(RsaPublicKeyComponents {
                        n: n.clone(),
                        e: e.clone(),
                    })
                }
                (AlgorithmFamily::Ec, DecodingKeyKind::SecretOrDer(bytes)) => Source::Encoded {
                    bytes: bytes.clone(),
                    algorithms: &EC_ALGORITHMS,
                },
                (AlgorithmFamily::Ed, DecodingKeyKind::SecretOrDer(bytes)) => Source::Encoded {
                    bytes: bytes.clone(),
                    algorithms: &ED_ALGORITHMS,
                },
                _ => return None,
            };
            Some(Self {
                source,
                parsed: Default::default(),
            })
        }

        /// Verifies a signature. Returns `None` when `alg` does not fit the key's family, so
        /// the caller can fall back to jsonwebtoken, which rejects it.
        pub(super) fn verify(
            &self,
            alg: Algorithm,
            message: &[u8],
            signature: &str,
        ) -> Option<bool> {
            let parsed = match &self.source {
                Source::Rsa(components) => {
                    let index = RSA_ALGORITHMS.iter().position(|(known, _)| *known == alg)?;
                    self.parsed[index].get_or_init(|| {
                        log_rejected(
                            alg,
                            components.to_parsed_public_key(RSA_ALGORITHMS[index].1),
                        )
                    })
                }
                Source::Encoded { bytes, algorithms } => {
                    let index = algorithms.iter().position(|(known, _)| *known == alg)?;
                    self.parsed[index].get_or_init(|| {
                        log_rejected(alg, ParsedPublicKey::new(algorithms[index].1, bytes))
                    })
                }
            };
            let Some(parsed) = parsed else {
                return Some(false);
            };
            let mut buffer = [0; SIGNATURE_BUFFER_BYTES];
            let Some(signature) = decode_signature(signature, &mut buffer) else {
                return Some(false);
            };
            Some(parsed.verify_sig(message, signature).is_ok())
        }
    }

    fn log_rejected(
        alg: Algorithm,
        parsed: Result<ParsedPublicKey, aws_lc_rs::error::KeyRejected>,
    ) -> Option<ParsedPublicKey> {
        parsed
            .inspect_err(|error| {
                tracing::debug!(alg = ?alg, %error, "public key rejected by aws-lc-rs");
            })
            .ok()
    }

    /// Decodes a base64url signature into `buffer`, without allocating. Returns `None` for
    /// invalid base64url or a signature too long for any supported key.
    fn decode_signature<'a>(
        signature: &str,
        buffer: &'a mut [u8; SIGNATURE_BUFFER_BYTES],
    ) -> Option<&'a [u8]> {
        let length = URL_SAFE_NO_PAD.decode_slice(signature, buffer).ok()?;
        buffer.get(..length)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn decode_signature_bounds_length() {
            let mut buffer = [0; SIGNATURE_BUFFER_BYTES];
            let fits = URL_SAFE_NO_PAD.encode([7u8; 1_024]);
            let decoded = decode_signature(&fits, &mut buffer).map(<[u8]>::len);
            assert_eq!(decoded, Some(1_024));
            let too_long = URL_SAFE_NO_PAD.encode([7u8; SIGNATURE_BUFFER_BYTES + 1]);
            assert!(decode_signature(&too_long, &mut buffer).is_none());
            assert!(decode_signature("not base64!", &mut buffer).is_none());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A throwaway RSA-2048 key and a P-256 key, with signatures over `MESSAGE` made by
    // Python's `cryptography` package, so both backends are checked against another library.
    const RSA_N: &str = "tQOtAyoKwFp5xBMx49Uuw0QWFL0-QbOxWXnmMQaZ8mUpotzz3u-aXWn1qGTTTGdOCevNKnIr5WW0L5LD3zIBKMj5bwnJnykRUXooWYTnXphzRzTmld48z1k_mP3RAJeHL65Ghph1Pdxt4aaQvUU73n4JD0kwHjiH37J2zQz1m2JJJmmLVvbPpq3_totZJ0NJb2q-532Nrvsz9He6i3g0S9mKs2041Mj7eq7ZIJKVyH8NmLk81ttivSPr_vn0Fe1Mhgn6fVK1tb9rmZrSE8lLFad1igs1rpqRfpsrAczX0FQ2Ul9qGOqdQMo4DpuZ7OvYk4GIX_ZjB1mLqsGbrsmcVQ";
    const RSA_E: &str = "AQAB";
    const MESSAGE: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzaWduYXR1cmUtdGVzdCJ9";
    const RS256_SIGNATURE: &str = "avR95jJ8Lwg8sv2AkwOUpagkcFegddQ30Ofb-XxZsfWg-DfyFf9LQhM6Pz84n9qLbSEuP4C3lncmJjhnUjjtJnykYjXH5eYrmWDXJ9yshu9nihrBgKUesM1dnK_TOwrvvp5bhQBwg_bYMdv8xzAIJkQrmPw5XvLwJHNYnt4mJwVzzFovjvNPb0KkreLJKV6bz8NmscUijLP7h9ceuto8mdB_hW22JsDUsWas36T8ulTf8NK0qwP2HiUjxBNAKiHkTgqG0JZA5dyZvoJaq8NV2niVKG2p83upsJ3xbJdjfI0RvCDmnSnYyWYQoLD1Uh-whHlQJ3fwJjTmvA8nO1pTyA";
    const PS256_SIGNATURE: &str = "k9YuYtdeAnUK9CNo6BbiMl7TXHM7jA0mrutvPj-4l702Kqz3Op-kOlp56bDR9pNpU5Dcq85j34PPNmB_AWSRL6baTw6x5ITnGtQpgqtC02fkKaRFUU99aDTGiGCYhZ5N4kIv2r2OGJUDUJRqlQ2k5oj8BUVntY8JRrnpMn94_SlSx448fbDasqhQzt8DokwZ0lQ8N3dF1Pyj9DIqJBUtX5E_iBTpgy3rzWONcDniq-opR20AIEF9dfYA4CqA6JzDJjC6aeSMmTWAw3s_F3VXJfUHBC3lyTzG_XBfzR922P05AI8wSGSpS2JyapRi41pqsIjbCDDs_Q4tzcSFtOMl2A";
    const EC_X: &str = "Qxk3KRJmW8mWSweTdP7TmEbfP5BVS4QUONNnw5ks48I";
    const EC_Y: &str = "DjK4D29ZcFdgj-8mDicU-DGjCfAXvW__O4jbss9y38E";
    const ES256_SIGNATURE: &str =
        "8mLnOXXYEUmLhMxkjSWkQd1cEt4NmkWmyhJsrKH7Aa8Fty2B9sq_Qy-UBrqIynpbfU9OO4f9qjrL2XlYtjMG7w";

    fn rsa_key() -> SignatureKey {
        SignatureKey::new(DecodingKey::from_rsa_components(RSA_N, RSA_E).unwrap())
    }

    fn ec_key() -> SignatureKey {
        SignatureKey::new(DecodingKey::from_ec_components(EC_X, EC_Y).unwrap())
    }

    #[test]
    fn rsa_signatures_verify() {
        let key = rsa_key();
        let message = MESSAGE.as_bytes();
        assert!(key.verify(Algorithm::RS256, message, RS256_SIGNATURE));
        assert!(key.verify(Algorithm::PS256, message, PS256_SIGNATURE));
        // The second call uses the key parsed by the first.
        assert!(key.verify(Algorithm::RS256, message, RS256_SIGNATURE));
    }

    #[test]
    fn rsa_rejects_wrong_input() {
        let key = rsa_key();
        let message = MESSAGE.as_bytes();
        assert!(!key.verify(Algorithm::RS256, b"eyJ.eyJ", RS256_SIGNATURE));
        assert!(!key.verify(Algorithm::RS384, message, RS256_SIGNATURE));
        assert!(!key.verify(Algorithm::PS256, message, RS256_SIGNATURE));
        assert!(!key.verify(Algorithm::RS256, message, "not base64!"));
        assert!(!key.verify(Algorithm::RS256, message, &RS256_SIGNATURE[4..]));
        assert!(!key.verify(Algorithm::ES256, message, ES256_SIGNATURE));
    }

    #[test]
    fn ec_signature_verifies() {
        let key = ec_key();
        let message = MESSAGE.as_bytes();
        assert!(key.verify(Algorithm::ES256, message, ES256_SIGNATURE));
        assert!(!key.verify(Algorithm::ES256, b"eyJ.eyJ", ES256_SIGNATURE));
        assert!(!key.verify(Algorithm::ES384, message, ES256_SIGNATURE));
        assert!(!key.verify(Algorithm::RS256, message, RS256_SIGNATURE));
        // The second call uses the key parsed by the first.
        assert!(key.verify(Algorithm::ES256, message, ES256_SIGNATURE));
    }
}
