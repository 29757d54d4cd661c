//! Proof headers already checked, so a client that signs many proofs with one key pays for
//! parsing its header and key once.
//!
//! A client keeps its DPoP key for as long as it uses its access token, and libraries
//! serialize the same header to the same bytes, so consecutive proofs of one client share
//! their encoded header. The checks of a header (`typ`, `alg`, `crit`, `jwk`) depend on those
//! bytes and on the configuration alone, so a header that passed them once passes them
//! again. Only headers that passed are stored.

use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;

use jsonwebtoken::Algorithm;

use super::jwk::ProofKey;
use crate::sharded::ShardedMap;

/// A header that passed every check, with its key parsed for verification.
pub(crate) struct CheckedHeader {
    pub(crate) alg: Algorithm,
    pub(crate) key: ProofKey,
}

/// A bounded map from a proof's encoded header (its first JWS segment) to the checked header.
///
/// Each entry contains a parsed public key and its thumbprint, about 1 to 3 KiB (an estimate:
/// the encoded header, the key in jsonwebtoken's and in the backend's form). A full shard is
/// emptied before the next insertion, so memory stays bounded whatever headers arrive, and a
/// client whose entry was dropped pays one parse.
#[derive(Debug)]
pub(crate) struct HeaderCache {
    map: ShardedMap<Box<str>, Arc<CheckedHeader>>,
    /// The hasher that picks the shard. Its seed is random per process, so clients cannot
    /// choose which shard they fill.
    hasher: RandomState,
}

impl HeaderCache {
    /// The default capacity in headers: one per DPoP key in use at once.
    pub(crate) const DEFAULT_CAPACITY: usize = 1_024;

    /// Creates a cache for about `capacity` headers. A capacity of 0 turns it off.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            map: ShardedMap::new(capacity),
            hasher: RandomState::new(),
        }
    }

    /// Returns the checked header stored for `header`, or checks it with `check` and stores
    /// the result when it passes.
    ///
    /// # Errors
    ///
    /// The error of `check`, which is not stored.
    pub(crate) fn get_or_check<E>(
        &self,
        header: &str,
        check: impl FnOnce() -> Result<CheckedHeader, E>,
    ) -> Result<Arc<CheckedHeader>, E> {
        let selector = self.hasher.hash_one(header) as usize;
        let found = match self.map.lock(selector) {
            None => return check().map(Arc::new),
            Some(shard) => shard.get(header).cloned(),
        };
        if let Some(found) = found {
            return Ok(found);
        }

        // The check runs outside the lock, so two requests with a new header may both parse
        // it. That costs less than making every other request of the shard wait.
        let checked = Arc::new(check()?);
        if let Some(mut shard) = self.map.lock(selector) {
            if shard.len() >= self.map.per_shard() {
                shard.clear();
            }
            shard.insert(header.into(), checked.clone());
        }
        Ok(checked)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::DecodingKey;

    use super::*;
    use crate::verify::signature::SignatureKey;

    fn checked(thumbprint: &str) -> CheckedHeader {
        let decoding = DecodingKey::from_ec_components(
            "Qxk3KRJmW8mWSweTdP7TmEbfP5BVS4QUONNnw5ks48I",
            "DjK4D29ZcFdgj-8mDicU-DGjCfAXvW__O4jbss9y38E",
        )
        .unwrap();
        CheckedHeader {
            alg: Algorithm::ES256,
            key: ProofKey {
                key: SignatureKey::new(decoding),
                thumbprint: thumbprint.to_owned(),
                signature_len: 64,
            },
        }
    }

    #[test]
    fn passed_header_checked_once() {
        let cache = HeaderCache::new(64);
        let mut checks = 0;
        for _ in 0..3 {
            let header = cache
                .get_or_check("eyJhbGciOiJFUzI1NiJ9", || {
                    checks += 1;
                    Ok::<_, ()>(checked("first"))
                })
                .unwrap();
            assert_eq!(header.key.thumbprint, "first");
        }
        assert_eq!(checks, 1);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn failed_header_not_stored() {
        let cache = HeaderCache::new(64);
        for _ in 0..2 {
            let result = cache.get_or_check("eyJ0eXAiOiJKV1QifQ", || Err("wrong typ"));
            assert_eq!(result.err(), Some("wrong typ"));
        }
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn size_stays_bounded() {
        let cache = HeaderCache::new(32);
        for index in 0..1_000 {
            let header = format!("header-{index}");
            cache
                .get_or_check(&header, || Ok::<_, ()>(checked(&header)))
                .unwrap();
        }
        assert!(cache.len() <= 32, "{} entries", cache.len());
    }

    #[test]
    fn zero_capacity_stores_nothing() {
        let cache = HeaderCache::new(0);
        let mut checks = 0;
        for _ in 0..2 {
            cache
                .get_or_check("eyJhbGciOiJFUzI1NiJ9", || {
                    checks += 1;
                    Ok::<_, ()>(checked("first"))
                })
                .unwrap();
        }
        assert_eq!(checks, 2);
        assert_eq!(cache.len(), 0);
    }
}
