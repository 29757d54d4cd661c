//! Remembers verified tokens so a repeated token skips parsing and the signature check.
//!
//! Entries are keyed by the SHA-256 digest of the whole token. A hit is re-checked against
//! the clock (`exp`, `nbf`) and against the current key set, so an entry never outlives its
//! token or its signing key.

use super::digest::TokenDigest;
use crate::claims::VerifiedToken;
#[cfg(test)]
use crate::sharded::SHARDS;
use crate::sharded::ShardedMap;

/// The share of a full shard evicted at once, as a divisor: a full shard drops one eighth of
/// its entries, so the scan for expired entries runs once per that many inserts instead of
/// on every insert.
const EVICTION_DIVISOR: usize = 8;

#[derive(Clone)]
pub(crate) struct CachedToken {
    pub(crate) token: VerifiedToken,
    pub(crate) issuer_index: usize,
    pub(crate) key_generation: u64,
}

/// The verified tokens, in a map split into shards by the first byte of their digest.
#[derive(Debug)]
pub(crate) struct TokenCache {
    map: ShardedMap<TokenDigest, CachedToken>,
}

impl TokenCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            map: ShardedMap::new(capacity),
        }
    }

    pub(crate) fn get(&self, digest: &TokenDigest) -> Option<CachedToken> {
        let shard = self.map.lock(usize::from(digest[0]))?;
        shard.get(digest).cloned()
    }

    pub(crate) fn remove(&self, digest: &TokenDigest) {
        if let Some(mut shard) = self.map.lock(usize::from(digest[0])) {
            shard.remove(digest);
        }
    }

    /// Returns whether the cache stores anything: a capacity of 0 turns it off.
    pub(crate) fn is_enabled(&self) -> bool {
        self.map.per_shard() > 0
    }

    /// Inserts an entry. A full shard first drops its expired entries. If that frees less
    /// than an eighth of it, arbitrary entries go too, up to that share. Memory stays
    /// bounded whatever the request rate, and the cost of eviction is spread over many
    /// inserts.
    pub(crate) fn insert(&self, digest: TokenDigest, entry: CachedToken, now: i64) {
        let Some(mut shard) = self.map.lock(usize::from(digest[0])) else {
            return;
        };
        let per_shard = self.map.per_shard();
        if shard.len() >= per_shard {
            shard.retain(|_, cached| cached.token.expires_at() > now);
            let batch = (per_shard / EVICTION_DIVISOR).max(1);
            let keep = per_shard.saturating_sub(batch);
            if shard.len() > keep {
                // HashMap iteration order follows the per-map random hash seed, so these
                // victims are arbitrary rather than chosen by the token's content.
                let victims: Vec<TokenDigest> =
                    shard.keys().take(shard.len() - keep).copied().collect();
                for victim in &victims {
                    shard.remove(victim);
                }
            }
        }
        shard.insert(digest, entry);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;
    use crate::claims::RegisteredClaims;

    fn entry(expires_at: i64) -> CachedToken {
        let registered = RegisteredClaims {
            issuer_index: 0,
            expires_at,
            not_before: None,
            scopes: Vec::new(),
            permissions: Vec::new(),
            jkt: None,
        };
        CachedToken {
            token: VerifiedToken::new(Map::new(), registered, None),
            issuer_index: 0,
            key_generation: 1,
        }
    }

    /// Returns a digest that lands in shard `number % SHARDS`, made distinct by `number`.
    fn digest_for(number: usize) -> TokenDigest {
        let mut bytes = [0; 32];
        bytes[0] = (number % SHARDS) as u8;
        bytes[1..9].copy_from_slice(&(number as u64).to_le_bytes());
        bytes
    }

    #[test]
    fn cache_returns_inserted_entry() {
        let cache = TokenCache::new(64);
        cache.insert(digest_for(3), entry(100), 0);
        assert_eq!(cache.get(&digest_for(3)).unwrap().token.expires_at(), 100);
        assert!(cache.get(&digest_for(4)).is_none());
    }

    #[test]
    fn zero_capacity_stores_nothing() {
        let cache = TokenCache::new(0);
        assert!(!cache.is_enabled());
        cache.insert(digest_for(1), entry(100), 0);
        assert!(cache.get(&digest_for(1)).is_none());
    }

    #[test]
    fn full_shard_stays_bounded() {
        let capacity = SHARDS * 16;
        let cache = TokenCache::new(capacity);
        for number in 0..capacity * 10 {
            cache.insert(digest_for(number), entry(100), 0);
        }
        assert!(cache.len() <= capacity, "{} entries", cache.len());
        let newest = digest_for(capacity * 10 - 1);
        assert!(cache.get(&newest).is_some(), "the newest entry is kept");
    }

    #[test]
    fn full_shard_drops_expired_first() {
        let cache = TokenCache::new(SHARDS * 16);
        // Sixteen entries fill shard 0, and all but the first expire at 50.
        for index in 0..16 {
            let expires_at = if index == 0 { 1_000 } else { 50 };
            cache.insert(digest_for(index * SHARDS), entry(expires_at), 0);
        }
        cache.insert(digest_for(16 * SHARDS), entry(1_000), 60);
        assert!(
            cache.get(&digest_for(0)).is_some(),
            "the unexpired entry is kept"
        );
        assert!(cache.get(&digest_for(16 * SHARDS)).is_some());
        assert_eq!(cache.len(), 2);
    }
}
