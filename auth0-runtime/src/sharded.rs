//! A bounded hash map split into shards, each behind its own mutex, so concurrent requests
//! rarely wait on one another. The token cache and the DPoP header cache build on it, each
//! with its own choice of shard and eviction.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// The number of shards of every [`ShardedMap`].
pub(crate) const SHARDS: usize = 16;

/// A hash map of about a fixed capacity, split into [`SHARDS`] mutex-guarded shards.
pub(crate) struct ShardedMap<K, V> {
    shards: Vec<Mutex<HashMap<K, V>>>,
    per_shard: usize,
}

impl<K, V> std::fmt::Debug for ShardedMap<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShardedMap")
            .field("capacity", &(self.per_shard * SHARDS))
            .finish()
    }
}

impl<K, V> ShardedMap<K, V> {
    /// Creates a map for about `capacity` entries, split evenly between the shards. A
    /// capacity of 0 turns the map off.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard: capacity.div_ceil(SHARDS),
        }
    }

    /// Returns the number of entries each shard may keep, 0 when the map is off. Enforcing
    /// it is the caller's job, because each cache evicts in its own way.
    pub(crate) fn per_shard(&self) -> usize {
        self.per_shard
    }

    /// Locks the shard that `selector` picks (`selector % SHARDS`), or returns `None` when
    /// the map is off. A shard poisoned by a panic is used as it is, because its entries
    /// are only cached values that the callers can rebuild.
    pub(crate) fn lock(&self, selector: usize) -> Option<MutexGuard<'_, HashMap<K, V>>> {
        if self.per_shard == 0 {
            return None;
        }
        let shard = self.shards.get(selector % SHARDS)?;
        Some(
            shard
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| shard.lock().map_or(0, |shard| shard.len()))
            .sum()
    }
}
