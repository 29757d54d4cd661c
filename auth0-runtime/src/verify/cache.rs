//! Remembers verified tokens so a repeated token skips parsing and the signature check.
//!
//! Entries are keyed by the SHA-256 digest of the whole token. A hit is re-checked against
//! the clock (`exp`, `nbf`) and against the current key set, so an entry never outlives its
//! token or its signing key.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::claims::VerifiedToken;

const SHARDS: usize = 16;

pub(crate) type TokenDigest = [u8; 32];

pub(crate) fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

#[derive(Clone)]
pub(crate) struct CachedToken {
    pub(crate) token: VerifiedToken,
    pub(crate) key_generation: u64,
}

/// A bounded map split into shards, so concurrent requests rarely wait on one another.
pub(crate) struct TokenCache {
    shards: Vec<Mutex<HashMap<TokenDigest, CachedToken>>>,
    per_shard: usize,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("capacity", &(self.per_shard * SHARDS))
            .finish()
    }
}

impl TokenCache {
    pub(crate) fn new(capacity: usize) -> Self {
        let per_shard = capacity.div_ceil(SHARDS);
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard,
        }
    }

    fn shard(&self, digest: &TokenDigest) -> Option<&Mutex<HashMap<TokenDigest, CachedToken>>> {
        if self.per_shard == 0 {
            return None;
        }
        self.shards.get(usize::from(digest[0]) % SHARDS)
    }

    pub(crate) fn get(&self, digest: &TokenDigest) -> Option<CachedToken> {
        let shard = self
            .shard(digest)?
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        shard.get(digest).cloned()
    }

    pub(crate) fn remove(&self, digest: &TokenDigest) {
        if let Some(shard) = self.shard(digest) {
            shard
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .remove(digest);
        }
    }

    /// Inserts an entry. A full shard first drops its expired entries, then an arbitrary
    /// one, so memory stays bounded whatever the request rate.
    pub(crate) fn insert(&self, digest: TokenDigest, entry: CachedToken, now: i64) {
        let Some(shard) = self.shard(&digest) else {
            return;
        };
        let mut shard = shard
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if shard.len() >= self.per_shard {
            shard.retain(|_, cached| cached.token.expires_at() > now);
        }
        if shard.len() >= self.per_shard
            && let Some(victim) = shard.keys().next().copied()
        {
            shard.remove(&victim);
        }
        shard.insert(digest, entry);
    }
}
