//! A replay store in Redis, shared by every API instance that uses the same server.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

use super::replay::{BoxFuture, Insertion, ReplayEntry, ReplayStore, ReplayStoreError};
use crate::verify::{jws, now_seconds};

/// The prefix of every key this store writes.
const KEY_PREFIX: &str = "auth0-runtime:dpop:";

/// Inserts the proof's key with `SET NX PX`, and reads the time since which the server has
/// kept every key: the `since` key, created with the caller's clock when it is missing.
/// A missing `since` key means the data set is new or was lost (a restart without
/// persistence, a flush), so proofs issued before that moment cannot be checked.
const INSERT_SCRIPT: &str = r"
local since = redis.call('GET', KEYS[2])
if not since then
  since = ARGV[2]
  redis.call('SET', KEYS[2], since)
end
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
  return {1, since}
end
return {0, since}
";

/// A [`ReplayStore`] in Redis, for APIs that run several instances: a proof accepted by one
/// instance is a replay for all of them.
///
/// Each accepted proof is one key, written with `SET NX PX` so that the insertion is atomic
/// and the key expires with the proof's acceptance window. Commands time out after the
/// configured budget, and a lost connection is re-established in the background. Until it
/// is, insertions fail with [`ReplayStoreError::Backend`], and the API responds with 503
/// unless fail-open is on.
///
/// # Redis settings
///
/// - `maxmemory-policy noeviction` (the Redis default): an evicting policy could drop
///   unexpired keys and let replays through. With `noeviction`, a full server fails the
///   insertion, which gets a 503 response.
/// - Persistence is optional. After a restart that lost the data, the store notices the
///   missing `since` key and rejects proofs issued before the restart with
///   `ReplayUnverifiable`. RDB snapshots can bring back an old `since` key without the
///   keys written after the snapshot, so use AOF with `appendfsync always` or no
///   persistence at all. The restart gap noted on
///   [`MemoryReplayStore`](super::MemoryReplayStore) applies here too.
///
/// # Limitations
///
/// Only `redis://` (TCP) and `unix://` URLs are supported: TLS (`rediss://`) and Redis
/// Cluster are not built in. A [`ReplayBackend::Custom`](super::ReplayBackend::Custom)
/// store can provide them.
pub struct RedisReplayStore {
    client: redis::Client,
    manager: OnceCell<ConnectionManager>,
    timeout: Duration,
    script: redis::Script,
}

impl std::fmt::Debug for RedisReplayStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The connection info may contain a password, so only the address is shown.
        f.debug_struct("RedisReplayStore")
            .field(
                "addr",
                &self.client.get_connection_info().addr().to_string(),
            )
            .finish_non_exhaustive()
    }
}

impl RedisReplayStore {
    /// Creates a store for the server at `url`, such as `redis://127.0.0.1:6379/0`. The
    /// connection is made on first use, and each command must complete within `timeout`.
    ///
    /// # Errors
    ///
    /// [`ReplayStoreError::Backend`] when `url` is not a supported Redis URL.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, ReplayStoreError> {
        Self::check_url(url).map_err(|reason| ReplayStoreError::Backend(reason.into()))?;
        let client =
            redis::Client::open(url).map_err(|error| ReplayStoreError::Backend(error.into()))?;
        Ok(Self {
            client,
            manager: OnceCell::new(),
            timeout,
            script: redis::Script::new(INSERT_SCRIPT),
        })
    }

    /// Checks that `url` is a Redis URL this store can use, and returns why not otherwise.
    pub(crate) fn check_url(url: &str) -> Result<(), String> {
        let scheme = url.split_once("://").map(|(scheme, _)| scheme);
        if !matches!(scheme, Some("redis" | "unix" | "redis+unix")) {
            return Err(
                "write a redis:// or unix:// URL, such as redis://127.0.0.1:6379/0 (rediss:// is not supported)"
                    .to_owned(),
            );
        }
        redis::Client::open(url)
            .map(drop)
            .map_err(|error| format!("it is not a valid Redis URL: {error}"))
    }

    /// Connects now, instead of at the first proof, and records the start of the replay
    /// history if the server has none yet. Call it at start-up so that the proofs of the
    /// first requests are not rejected as older than the history.
    ///
    /// # Errors
    ///
    /// [`ReplayStoreError::Backend`] when Redis cannot be reached.
    pub async fn connect(&self) -> Result<(), ReplayStoreError> {
        let mut connection = self.connection().await?;
        let since_key = format!("{KEY_PREFIX}since");
        let _: Option<String> = redis::cmd("SET")
            .arg(&since_key)
            .arg(now_seconds())
            .arg("NX")
            .query_async(&mut connection)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn connection(&self) -> Result<ConnectionManager, ReplayStoreError> {
        let manager = self
            .manager
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(self.timeout))
                    .set_response_timeout(Some(self.timeout))
                    .set_number_of_retries(2)
                    .set_max_delay(Duration::from_millis(500));
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            })
            .await
            .map_err(backend)?;
        Ok(manager.clone())
    }

    async fn insert_entry(&self, entry: &ReplayEntry) -> Result<Insertion, ReplayStoreError> {
        let now = now_seconds();
        let ttl_ms = (entry.expires_at() - now).max(1).saturating_mul(1000);
        let key = format!("{KEY_PREFIX}jti:{}", jws::encode(entry.key()));
        let since_key = format!("{KEY_PREFIX}since");

        let mut connection = self.connection().await?;
        let (inserted, since): (i64, i64) = self
            .script
            .key(key)
            .key(since_key)
            .arg(ttl_ms)
            .arg(now)
            .invoke_async(&mut connection)
            .await
            .map_err(backend)?;

        Ok(match inserted {
            0 => Insertion::AlreadyPresent,
            _ if entry.issued_at() < since => Insertion::HistoryIncomplete,
            _ => Insertion::Inserted,
        })
    }
}

impl ReplayStore for RedisReplayStore {
    fn insert<'a>(
        &'a self,
        entry: &'a ReplayEntry,
    ) -> BoxFuture<'a, Result<Insertion, ReplayStoreError>> {
        Box::pin(self.insert_entry(entry))
    }

    fn connect(&self) -> BoxFuture<'_, Result<(), ReplayStoreError>> {
        Box::pin(Self::connect(self))
    }
}

fn backend(error: redis::RedisError) -> ReplayStoreError {
    ReplayStoreError::Backend(Box::new(error))
}
