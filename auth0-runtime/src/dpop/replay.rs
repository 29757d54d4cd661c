//! Replay detection for DPoP proofs (RFC 9449 section 11.1).
//!
//! Every accepted proof is recorded under a key derived from its `jti` and the thumbprint of
//! its key, until the proof would be rejected as too old anyway. The key leaves out `htm`,
//! `htu` and every other claim, so re-sending a `jti` is a replay whatever else changed.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use crate::verify::now_seconds;

/// A boxed future, as returned by [`ReplayStore::insert`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One accepted proof, as recorded in a [`ReplayStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayEntry {
    key: [u8; 32],
    issued_at: i64,
    expires_at: i64,
}

impl ReplayEntry {
    /// Builds the entry for a proof with this `jti`, key thumbprint and `iat`, that may be
    /// accepted until `expires_at` (seconds since the Unix epoch).
    pub fn new(jti: &str, jkt: &str, issued_at: i64, expires_at: i64) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"dpop-jti\0");
        // The length prefix keeps two (jkt, jti) pairs from hashing the same bytes.
        hasher.update((jkt.len() as u64).to_be_bytes());
        hasher.update(jkt.as_bytes());
        hasher.update(jti.as_bytes());
        Self {
            key: hasher.finalize().into(),
            issued_at,
            expires_at,
        }
    }

    /// Returns the SHA-256 digest of the thumbprint and `jti`: the key to store.
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// Returns the proof's `iat`, in seconds since the Unix epoch.
    pub fn issued_at(&self) -> i64 {
        self.issued_at
    }

    /// Returns when the entry may be forgotten, in seconds since the Unix epoch: after this
    /// time the proof is rejected as too old, replayed or not.
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }
}

/// The outcome of [`ReplayStore::insert`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Insertion {
    /// The key was absent and is now stored: this is the proof's first use.
    Inserted,
    /// The key was already stored: the proof is a replay.
    AlreadyPresent,
    /// The key is now stored, but the store's records begin after the proof's `iat`
    /// (because it restarted or lost its data), so an earlier use cannot be ruled out.
    HistoryIncomplete,
}

/// A failure of a [`ReplayStore`] to record an entry.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayStoreError {
    /// The in-memory store has no room for another unexpired entry.
    #[error("the in-memory replay store is full ({capacity} unexpired entries)")]
    Full {
        /// The store's capacity in entries.
        capacity: usize,
    },
    /// The store did not respond in time.
    #[error("the replay store did not answer within {timeout:?}")]
    TimedOut {
        /// The time budget of one insertion.
        timeout: std::time::Duration,
    },
    /// The store's backend failed, for example because Redis is unreachable.
    #[error("the replay store backend failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Storage for the proofs already accepted, shared by every instance that must reject
/// one another's replays.
///
/// The implementation must insert atomically: of two concurrent insertions of one key,
/// exactly one may return [`Insertion::Inserted`].
pub trait ReplayStore: Send + Sync + std::fmt::Debug + 'static {
    /// Stores `entry` until its expiry unless its key is already stored.
    fn insert<'a>(
        &'a self,
        entry: &'a ReplayEntry,
    ) -> BoxFuture<'a, Result<Insertion, ReplayStoreError>>;

    /// Connects to the backend ahead of the first insertion. The default does nothing.
    fn connect(&self) -> BoxFuture<'_, Result<(), ReplayStoreError>> {
        Box::pin(std::future::ready(Ok(())))
    }
}

const SHARDS: usize = 16;

/// The default replay store: a bounded map in this process's memory.
///
/// Entries expire with their proof's acceptance window. When the store is full, expired
/// entries are dropped first. If it is still full, the insertion fails with
/// [`ReplayStoreError::Full`], and the request gets 503 unless the application chose
/// fail-open. An unexpired entry is never evicted, so a replay is never accepted
/// because of memory pressure.
///
/// The capacity caps the sustained proof rate: an instance that accepts more than
/// `capacity / (max_age + max_future)` proofs per second fills the store. Each entry takes
/// about 65 bytes: a 16-byte key in a hash set and again in its expiry group, with the
/// spare capacity both keep. That figure comes from the peak RSS of one benchmark run that
/// stored about 134,000 entries.
///
/// # Limitations
///
/// Each process remembers only its own proofs, so instances behind one load balancer do not
/// see one another's replays: use the Redis store for them. A restarted process remembers
/// nothing, so proofs issued before it started are rejected with
/// [`Insertion::HistoryIncomplete`].
///
/// NOTE: the rule compares whole seconds, so a proof used just before a restart passes it
/// when its `iat` is not earlier than the second the new history began. That is a proof
/// dated ahead of the server's clock (by at most `max_future`), or one made in the same
/// second as the restart. Such a proof can be replayed once after the restart. A smaller
/// `max_future` narrows this gap, but closing it would mean rejecting every proof for
/// `max_future` plus one second after each start.
#[derive(Debug)]
pub struct MemoryReplayStore {
    shards: Vec<Mutex<Shard>>,
    per_shard: usize,
    started_at: i64,
}

/// The part of an entry's key that the in-memory store keeps: the first half of the SHA-256
/// digest. Two proofs share it by accident with a chance of about n²/2¹²⁹ among n stored
/// entries, and such a collision would only reject one proof as a replay.
type StoredKey = [u8; 16];

#[derive(Debug, Default)]
struct Shard {
    keys: HashSet<StoredKey>,
    /// The stored keys grouped by expiry second, earliest first. Every expiry falls within
    /// one acceptance window from now, so a shard has at most one group per second of it.
    expiries: VecDeque<(i64, Vec<StoredKey>)>,
}

impl Shard {
    fn remove_expired(&mut self, now: i64) {
        while let Some((expires_at, _)) = self.expiries.front() {
            if *expires_at > now {
                break;
            }
            if let Some((_, keys)) = self.expiries.pop_front() {
                for key in &keys {
                    self.keys.remove(key);
                }
            }
        }
    }

    fn insert(&mut self, key: StoredKey, expires_at: i64) {
        self.keys.insert(key);
        let index = self
            .expiries
            .partition_point(|(second, _)| *second < expires_at);
        match self.expiries.get_mut(index) {
            Some((second, keys)) if *second == expires_at => keys.push(key),
            _ => self.expiries.insert(index, (expires_at, vec![key])),
        }
    }
}

fn stored_key(entry: &ReplayEntry) -> StoredKey {
    let mut key = [0; 16];
    key.copy_from_slice(&entry.key[..16]);
    key
}

impl MemoryReplayStore {
    /// The default capacity in entries.
    pub const DEFAULT_CAPACITY: usize = 1_000_000;

    /// Creates a store for at most `capacity` unexpired entries.
    pub fn new(capacity: usize) -> Self {
        Self::with_history_start(capacity, now_seconds())
    }

    /// Creates a store whose history begins at `started_at` (seconds since the Unix epoch),
    /// for callers that run on a fixed clock.
    pub(crate) fn with_history_start(capacity: usize, started_at: i64) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
            started_at,
        }
    }

    /// Inserts `entry` at the time `now` (seconds since the Unix epoch).
    pub(crate) fn insert_now(
        &self,
        entry: &ReplayEntry,
        now: i64,
    ) -> Result<Insertion, ReplayStoreError> {
        let index = usize::from(entry.key[0]) % SHARDS;
        let mut shard = self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        shard.remove_expired(now);

        let key = stored_key(entry);
        if shard.keys.contains(&key) {
            return Ok(Insertion::AlreadyPresent);
        }
        if shard.keys.len() >= self.per_shard {
            return Err(ReplayStoreError::Full {
                capacity: self.per_shard * SHARDS,
            });
        }
        shard.insert(key, entry.expires_at);

        if entry.issued_at < self.started_at {
            Ok(Insertion::HistoryIncomplete)
        } else {
            Ok(Insertion::Inserted)
        }
    }
}

impl Default for MemoryReplayStore {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

impl ReplayStore for MemoryReplayStore {
    fn insert<'a>(
        &'a self,
        entry: &'a ReplayEntry,
    ) -> BoxFuture<'a, Result<Insertion, ReplayStoreError>> {
        let outcome = self.insert_now(entry, now_seconds());
        Box::pin(std::future::ready(outcome))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(jti: &str, expires_at: i64) -> ReplayEntry {
        ReplayEntry::new(jti, "thumbprint", 2_000_000_000, expires_at)
    }

    #[test]
    fn second_insert_is_replay() {
        let store = MemoryReplayStore::new(100);
        let first = entry("a", 2_000_000_300);
        assert_eq!(
            store.insert_now(&first, 2_000_000_000).unwrap(),
            Insertion::Inserted
        );
        assert_eq!(
            store.insert_now(&first, 2_000_000_100).unwrap(),
            Insertion::AlreadyPresent
        );
    }

    #[test]
    fn key_covers_jti_and_thumbprint() {
        let base = ReplayEntry::new("a", "k1", 1, 2);
        assert_eq!(base.key(), ReplayEntry::new("a", "k1", 5, 9).key());
        assert_ne!(base.key(), ReplayEntry::new("a", "k2", 1, 2).key());
        assert_ne!(base.key(), ReplayEntry::new("b", "k1", 1, 2).key());
        assert_ne!(
            ReplayEntry::new("a\0b", "c", 1, 2).key(),
            ReplayEntry::new("b", "c\0a", 1, 2).key()
        );
    }

    #[test]
    fn full_store_rejects_until_expiry() {
        let store = MemoryReplayStore::new(SHARDS);
        let mut jti = 0;
        // Fill one shard: entries land in the shard their key's first byte picks.
        let mut first_in_shard = None;
        let full = loop {
            jti += 1;
            let candidate = entry(&jti.to_string(), 2_000_000_010);
            if !usize::from(candidate.key[0]).is_multiple_of(SHARDS) {
                continue;
            }
            match store.insert_now(&candidate, 2_000_000_000) {
                Ok(Insertion::Inserted) => first_in_shard.get_or_insert(candidate),
                Err(error) => break error,
                Ok(other) => panic!("unexpected {other:?}"),
            };
        };
        assert!(matches!(full, ReplayStoreError::Full { capacity: 16 }));

        let first = first_in_shard.unwrap();
        assert_eq!(
            store.insert_now(&first, 2_000_000_005).unwrap(),
            Insertion::AlreadyPresent,
            "an unexpired entry is never evicted"
        );

        let later = loop {
            jti += 1;
            let candidate = entry(&jti.to_string(), 2_000_000_100);
            if usize::from(candidate.key[0]).is_multiple_of(SHARDS) {
                break candidate;
            }
        };
        assert_eq!(
            store.insert_now(&later, 2_000_000_010).unwrap(),
            Insertion::Inserted,
            "expired entries make room"
        );
    }

    #[test]
    fn entries_expire_in_any_order() {
        let store = MemoryReplayStore::new(100);
        let late = entry("late", 2_000_000_300);
        let early = entry("early", 2_000_000_100);
        let middle = entry("middle", 2_000_000_200);
        for inserted in [&late, &early, &middle] {
            assert_eq!(
                store.insert_now(inserted, 2_000_000_000).unwrap(),
                Insertion::Inserted
            );
        }
        // At each expiry only the entries due by then are forgotten.
        let now = 2_000_000_150;
        assert_eq!(store.insert_now(&early, now).unwrap(), Insertion::Inserted);
        assert_eq!(
            store.insert_now(&middle, now).unwrap(),
            Insertion::AlreadyPresent
        );
        assert_eq!(
            store.insert_now(&late, now).unwrap(),
            Insertion::AlreadyPresent
        );
        let now = 2_000_000_250;
        assert_eq!(store.insert_now(&middle, now).unwrap(), Insertion::Inserted);
        assert_eq!(
            store.insert_now(&late, now).unwrap(),
            Insertion::AlreadyPresent
        );
    }

    #[test]
    fn proof_older_than_store_flagged() {
        let store = MemoryReplayStore::new(10);
        let old = ReplayEntry::new("a", "k", store.started_at - 1, store.started_at + 300);
        assert_eq!(
            store.insert_now(&old, store.started_at).unwrap(),
            Insertion::HistoryIncomplete
        );
        assert_eq!(
            store.insert_now(&old, store.started_at).unwrap(),
            Insertion::AlreadyPresent
        );
    }
}
