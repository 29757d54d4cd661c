//! The public key in a proof's `jwk` header: parsing, checks against `alg`, and its RFC 7638
//! thumbprint.

use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::verify::jws;
use crate::verify::signature::SignatureKey;

/// JWK members that only private or symmetric keys have (RFC 7518 section 6). A proof must
/// carry a public key, and a client that leaks its private key has lost the binding.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// RSA modulus bounds in bits. RFC 7518 section 3.3 requires at least 2048, and the upper
/// bound caps the cost of one verification.
const MIN_RSA_BITS: usize = 2048;
const MAX_RSA_BITS: usize = 8192;

/// A proof's public key, ready to verify the proof's signature.
pub(crate) struct ProofKey {
    pub(crate) key: SignatureKey,
    /// The RFC 7638 SHA-256 thumbprint, base64url-encoded: what `cnf.jkt` must contain.
    pub(crate) thumbprint: String,
    /// The exact length in bytes of a signature this key can make with the proof's `alg`.
    pub(crate) signature_len: usize,
}

/// Parses the `jwk` header of a proof signed with `alg`.
///
/// Rejects private and symmetric keys, keys of another type or curve than `alg` needs,
/// coordinates of the wrong length and non-minimal RSA integers. Every base64url value must
/// be canonical, so one key has exactly one thumbprint.
pub(crate) fn parse(jwk: &Value, alg: Algorithm) -> Result<ProofKey, &'static str> {
    let Value::Object(jwk) = jwk else {
        return Err("jwk is not a JSON object");
    };
    if PRIVATE_MEMBERS.iter().any(|name| jwk.contains_key(*name)) {
        return Err("jwk contains private key members");
    }
    check_intended_use(jwk, alg)?;

    let kty = text(jwk, "kty")?.ok_or("jwk has no kty")?;
    match (kty, alg) {
        ("EC", Algorithm::ES256) => ec_key(jwk, "P-256", 32),
        ("EC", Algorithm::ES384) => ec_key(jwk, "P-384", 48),
        ("RSA", _) if alg.family() == AlgorithmFamily::Rsa => rsa_key(jwk),
        ("OKP", Algorithm::EdDSA) => ed25519_key(jwk),
        ("oct", _) => Err("jwk is a symmetric key"),
        _ => Err("jwk key type does not match alg"),
    }
}

/// Computes the RFC 7638 thumbprint from the required members, which must already be
/// canonical base64url or fixed names, so they need no JSON escaping.
pub(crate) fn thumbprint(members: &[(&str, &str)]) -> String {
    let mut json = String::from("{");
    for (index, (name, value)) in members.iter().enumerate() {
        if index > 0 {
            json.push(',');
        }
        json.push_str(&format!("\"{name}\":\"{value}\""));
    }
    json.push('}');
    jws::encode(&Sha256::digest(json.as_bytes()))
}

/// Rejects a key whose own `alg`, `use` or `key_ops` rule out verifying this proof.
fn check_intended_use(jwk: &Map<String, Value>, alg: Algorithm) -> Result<(), &'static str> {
    if let Some(key_alg) = text(jwk, "alg")?
        && key_alg != super::algorithm_name(alg)
    {
        return Err("jwk alg differs from the proof's alg");
    }
    if text(jwk, "use")?.is_some_and(|key_use| key_use != "sig") {
        return Err("jwk use is not sig");
    }
    match jwk.get("key_ops") {
        None => Ok(()),
        Some(Value::Array(ops)) if ops.iter().any(|op| op == "verify") => Ok(()),
        Some(_) => Err("jwk key_ops does not allow verify"),
    }
}

fn ec_key(
    jwk: &Map<String, Value>,
    curve: &'static str,
    coordinate_len: usize,
) -> Result<ProofKey, &'static str> {
    if text(jwk, "crv")? != Some(curve) {
        return Err("jwk curve does not match alg");
    }
    let x = fixed_length(jwk, "x", coordinate_len)?;
    let y = fixed_length(jwk, "y", coordinate_len)?;
    let key =
        SignatureKey::new(DecodingKey::from_ec_components(x, y).map_err(|_| "invalid EC key")?);
    Ok(ProofKey {
        key,
        thumbprint: thumbprint(&[("crv", curve), ("kty", "EC"), ("x", x), ("y", y)]),
        signature_len: 2 * coordinate_len,
    })
}

fn rsa_key(jwk: &Map<String, Value>) -> Result<ProofKey, &'static str> {
    let n = text(jwk, "n")?.ok_or("RSA jwk has no n")?;
    let e = text(jwk, "e")?.ok_or("RSA jwk has no e")?;
    let modulus = minimal_integer(n)?;
    let exponent = minimal_integer(e)?;
    let bits = modulus.len() * 8 - modulus[0].leading_zeros() as usize;
    if !(MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits) {
        return Err("RSA modulus size is outside 2048 to 8192 bits");
    }
    if exponent.len() > 8 || exponent.last().is_some_and(|byte| byte % 2 == 0) {
        return Err("RSA exponent is not a small odd number");
    }
    let key =
        SignatureKey::new(DecodingKey::from_rsa_components(n, e).map_err(|_| "invalid RSA key")?);
    Ok(ProofKey {
        key,
        thumbprint: thumbprint(&[("e", e), ("kty", "RSA"), ("n", n)]),
        signature_len: modulus.len(),
    })
}

fn ed25519_key(jwk: &Map<String, Value>) -> Result<ProofKey, &'static str> {
    if text(jwk, "crv")? != Some("Ed25519") {
        return Err("jwk curve is not Ed25519");
    }
    let x = fixed_length(jwk, "x", 32)?;
    let key =
        SignatureKey::new(DecodingKey::from_ed_components(x).map_err(|_| "invalid Ed25519 key")?);
    Ok(ProofKey {
        key,
        thumbprint: thumbprint(&[("crv", "Ed25519"), ("kty", "OKP"), ("x", x)]),
        signature_len: 64,
    })
}

/// Reads an optional string member; any other JSON type is an error.
fn text<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, &'static str> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(_) => Err("a jwk member is not a string"),
    }
}

/// Reads a required base64url member that decodes to exactly `len` bytes.
fn fixed_length<'a>(
    jwk: &'a Map<String, Value>,
    name: &str,
    len: usize,
) -> Result<&'a str, &'static str> {
    let value = text(jwk, name)?.ok_or("jwk lacks a coordinate")?;
    let bytes = jws::decode(value).map_err(|_| "jwk coordinate is not base64url")?;
    if bytes.len() != len {
        return Err("jwk coordinate has the wrong length");
    }
    Ok(value)
}

/// Decodes an RSA integer, which RFC 7518 section 6.3.1 requires without leading zero bytes.
fn minimal_integer(value: &str) -> Result<Vec<u8>, &'static str> {
    let bytes = jws::decode(value).map_err(|_| "RSA jwk member is not base64url")?;
    match bytes.first() {
        None | Some(0) => Err("RSA jwk member is empty or has leading zeros"),
        Some(_) => Ok(bytes),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Returns the RSA key of RFC 7638 section 3.1.
    fn rfc7638_key() -> Value {
        json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        })
    }

    #[test]
    fn thumbprint_matches_rfc7638_example() {
        let key = parse(&rfc7638_key(), Algorithm::RS256).unwrap();
        assert_eq!(
            key.thumbprint,
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert_eq!(key.signature_len, 256);
    }

    /// Returns the EC key of the DPoP proof example in RFC 9449 section 4.1.
    fn rfc9449_key() -> Value {
        json!({
            "kty": "EC",
            "x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
            "y": "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
            "crv": "P-256"
        })
    }

    #[test]
    fn ec_key_accepted_for_es256() {
        let key = parse(&rfc9449_key(), Algorithm::ES256).unwrap();
        assert_eq!(key.signature_len, 64);
        assert_eq!(key.thumbprint.len(), 43);
    }

    #[test]
    fn private_members_rejected() {
        for member in PRIVATE_MEMBERS {
            let mut jwk = rfc9449_key();
            jwk[member] = json!("AQAB");
            assert!(parse(&jwk, Algorithm::ES256).is_err(), "{member}");
        }
        let oct = json!({ "kty": "oct", "k": "c2VjcmV0" });
        assert!(parse(&oct, Algorithm::ES256).is_err());
        let oct_without_k = json!({ "kty": "oct" });
        assert_eq!(
            parse(&oct_without_k, Algorithm::ES256).err(),
            Some("jwk is a symmetric key")
        );
    }

    #[test]
    fn key_must_fit_alg() {
        assert!(parse(&rfc9449_key(), Algorithm::ES384).is_err());
        assert!(parse(&rfc9449_key(), Algorithm::RS256).is_err());
        assert!(parse(&rfc7638_key(), Algorithm::ES256).is_err());
        assert!(
            parse(&rfc7638_key(), Algorithm::PS256).is_err(),
            "jwk alg is RS256"
        );

        let mut wrong_curve = rfc9449_key();
        wrong_curve["crv"] = json!("P-384");
        assert!(parse(&wrong_curve, Algorithm::ES256).is_err());
    }

    #[test]
    fn malformed_coordinates_rejected() {
        let mut short = rfc9449_key();
        short["x"] = json!("l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBA");
        assert!(parse(&short, Algorithm::ES256).is_err());

        let mut padded = rfc9449_key();
        padded["x"] = json!("l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs=");
        assert!(parse(&padded, Algorithm::ES256).is_err());

        let mut number = rfc9449_key();
        number["y"] = json!(5);
        assert!(parse(&number, Algorithm::ES256).is_err());

        let mut restricted = rfc9449_key();
        restricted["key_ops"] = json!(["sign"]);
        assert!(parse(&restricted, Algorithm::ES256).is_err());
    }

    #[test]
    fn short_or_padded_rsa_rejected() {
        let mut short = rfc7638_key();
        short["n"] = json!(jws::encode(&[0xc5; 128]));
        assert!(parse(&short, Algorithm::RS256).is_err());

        let mut padded = rfc7638_key();
        let n = jws::decode(padded["n"].as_str().unwrap()).unwrap();
        padded["n"] = json!(jws::encode(&[&[0u8][..], &n].concat()));
        assert!(parse(&padded, Algorithm::RS256).is_err());
    }
}
