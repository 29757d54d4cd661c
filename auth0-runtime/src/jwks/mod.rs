//! The issuer's signing keys: fetched through discovery, cached, and shared by all requests.
//!
//! Readers load the current key set through an [`ArcSwapOption`], which takes no lock.
//! Fetches go through one async mutex, so concurrent misses make one request, and a waiter
//! that finds a fetch completed while it waited uses that result instead of fetching again.

mod fetch;
mod keys;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use jsonwebtoken::Algorithm;
use url::Url;

pub use fetch::FetchError;
pub use keys::KeySetError;
pub(crate) use keys::{KeySet, Lookup, VerificationKey, truncate};

use crate::config::JwksSettings;
use crate::error::TokenError;

/// A key set with the times that govern its use.
pub(crate) struct CachedKeys {
    pub(crate) set: KeySet,
    /// After this, a request starts a background refresh.
    fresh_until: Instant,
    /// After this, the keys are too old to trust and requests wait for a fetch.
    usable_until: Instant,
    pub(crate) generation: u64,
}

/// A key found for a token, kept alive with its set.
pub(crate) struct KeyHandle {
    keys: Arc<CachedKeys>,
    index: usize,
}

impl KeyHandle {
    pub(crate) fn key(&self) -> &VerificationKey {
        self.keys.set.key(self.index)
    }
}

/// Why no key could be found for a token.
#[derive(Debug)]
pub(crate) enum KeyError {
    /// The token is at fault.
    Token(TokenError),
    /// No usable key set could be had.
    Unavailable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    /// No usable set is cached.
    Cold,
    /// A token names a `kid` the cached set lacks.
    UnknownKid,
    /// The cached set is past its freshness lifetime.
    Stale,
}

#[derive(Debug, Default)]
struct FetchState {
    last_attempt: Option<Instant>,
    last_failed: bool,
    /// When an unknown `kid` last caused a fetch.
    last_unknown_kid_fetch: Option<Instant>,
}

impl FetchState {
    /// Returns whether a fetch for `reason` must wait: after a failure the issuer gets a
    /// short pause, and fetches caused by unknown `kid`s or old keys are spaced by the
    /// cooldown, so random `kid`s cannot make the API hammer the issuer.
    fn must_wait(&self, reason: Reason, cooldown: Duration) -> bool {
        let within =
            |at: Option<Instant>, window: Duration| at.is_some_and(|at| at.elapsed() < window);
        if self.last_failed && within(self.last_attempt, RETRY_AFTER_FAILURE.min(cooldown)) {
            return true;
        }
        match reason {
            Reason::Cold => false,
            Reason::UnknownKid => within(self.last_unknown_kid_fetch, cooldown),
            Reason::Stale => self.last_failed && within(self.last_attempt, cooldown),
        }
    }
}

/// The shared key cache of one issuer.
pub(crate) struct KeyStore {
    current: ArcSwapOption<CachedKeys>,
    fetcher: fetch::Fetcher,
    fetch_lock: tokio::sync::Mutex<FetchState>,
    /// Counts completed fetch attempts, successful or not.
    attempts: AtomicU64,
    refresh_running: AtomicBool,
    settings: JwksSettings,
    issuer: String,
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStore")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// How long after a failed fetch the next one may start when no usable keys are cached.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(2);

impl KeyStore {
    pub(crate) fn new(
        issuer: String,
        discovery_url: Url,
        settings: JwksSettings,
        extra_roots: &[Vec<u8>],
    ) -> Result<Self, reqwest::Error> {
        let fetcher =
            fetch::Fetcher::new(issuer.clone(), discovery_url, settings.clone(), extra_roots)?;
        Ok(Self {
            current: ArcSwapOption::empty(),
            fetcher,
            fetch_lock: tokio::sync::Mutex::new(FetchState::default()),
            attempts: AtomicU64::new(0),
            refresh_running: AtomicBool::new(false),
            settings,
            issuer,
        })
    }

    /// Fetches the keys now, for use at start-up so the first request pays nothing.
    pub(crate) async fn prefetch(&self) -> Result<(), FetchError> {
        let mut state = self.fetch_lock.lock().await;
        self.fetch_and_store(&mut state).await.map(drop)
    }

    /// Returns whether a token verified with the key set of `generation` may be trusted
    /// without a new signature check: only while that set is current and usable. After any
    /// refresh the token is verified again, because the issuer may have replaced the key
    /// material behind the same `kid`.
    pub(crate) fn still_has(&self, generation: u64) -> bool {
        let current = self.current.load();
        current
            .as_ref()
            .is_some_and(|keys| keys.generation == generation && Instant::now() < keys.usable_until)
    }

    /// Finds the key for a token, fetching the set when it is cold, too old, or lacks the
    /// token's `kid` (at most once per cooldown).
    pub(crate) async fn key_for(
        self: &Arc<Self>,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<(KeyHandle, u64), KeyError> {
        let cached = self.current.load_full();
        let now = Instant::now();
        let cached = cached.filter(|keys| now < keys.usable_until);

        let keys = match cached {
            Some(keys) => {
                if now >= keys.fresh_until {
                    self.spawn_refresh();
                }
                keys
            }
            None => self
                .refresh(Reason::Cold)
                .await
                .ok_or(KeyError::Unavailable)?,
        };

        match keys.set.find(kid, alg) {
            Lookup::Found(index) => Ok((
                KeyHandle {
                    index,
                    keys: keys.clone(),
                },
                keys.generation,
            )),
            Lookup::KidRequired => Err(KeyError::Token(TokenError::MissingKeyId)),
            Lookup::Unsuitable => Err(unknown_key(kid)),
            Lookup::UnknownKid => {
                let Some(refreshed) = self.refresh(Reason::UnknownKid).await else {
                    return Err(unknown_key(kid));
                };
                match refreshed.set.find(kid, alg) {
                    Lookup::Found(index) => {
                        let generation = refreshed.generation;
                        Ok((
                            KeyHandle {
                                index,
                                keys: refreshed,
                            },
                            generation,
                        ))
                    }
                    _ => Err(unknown_key(kid)),
                }
            }
        }
    }

    fn spawn_refresh(self: &Arc<Self>) {
        if self.refresh_running.swap(true, Ordering::AcqRel) {
            return;
        }
        let store = Arc::clone(self);
        tokio::spawn(async move {
            store.refresh(Reason::Stale).await;
            store.refresh_running.store(false, Ordering::Release);
        });
    }

    /// Fetches a new set unless another task just did, or the cooldown forbids it. Returns
    /// the set to use, or `None` when no usable set exists.
    async fn refresh(&self, reason: Reason) -> Option<Arc<CachedKeys>> {
        let attempts_before = self.attempts.load(Ordering::Acquire);
        let mut state = self.fetch_lock.lock().await;
        let current = self
            .current
            .load_full()
            .filter(|keys| Instant::now() < keys.usable_until);

        // Another task fetched while this one waited: use its result, whatever it was.
        if self.attempts.load(Ordering::Acquire) != attempts_before {
            return current;
        }

        if state.must_wait(reason, self.settings.refresh_cooldown) {
            if reason == Reason::UnknownKid {
                tracing::debug!(iss = %self.issuer, "unknown key id; key set refetch is cooling down");
            }
            return current;
        }
        if reason == Reason::UnknownKid {
            state.last_unknown_kid_fetch = Some(Instant::now());
        }

        match self.fetch_and_store(&mut state).await {
            Ok(keys) => Some(keys),
            Err(_) => current,
        }
    }

    async fn fetch_and_store(&self, state: &mut FetchState) -> Result<Arc<CachedKeys>, FetchError> {
        let started = Instant::now();
        let result = self.fetcher.fetch().await;
        state.last_attempt = Some(Instant::now());
        self.attempts.fetch_add(1, Ordering::AcqRel);

        let fetched = match result {
            Ok(fetched) => fetched,
            Err(error) => {
                state.last_failed = true;
                let cached = self.current.load();
                if cached.is_some() {
                    tracing::warn!(iss = %self.issuer, error = &error as &dyn std::error::Error, "key set refresh failed; using cached keys");
                } else {
                    tracing::warn!(iss = %self.issuer, error = &error as &dyn std::error::Error, "key set fetch failed; no keys cached");
                }
                return Err(error);
            }
        };
        state.last_failed = false;

        let previous = self.current.load_full();
        let generation = previous.as_ref().map_or(1, |keys| keys.generation + 1);
        let now = Instant::now();
        let keys = Arc::new(CachedKeys {
            fresh_until: later(now, fetched.ttl),
            usable_until: later(now, fetched.ttl.saturating_add(self.settings.max_stale)),
            generation,
            set: fetched.set,
        });
        self.log_loaded(previous.as_deref(), &keys, started.elapsed());
        self.current.store(Some(keys.clone()));
        Ok(keys)
    }

    fn log_loaded(&self, previous: Option<&CachedKeys>, keys: &CachedKeys, latency: Duration) {
        let jwks_uri = self.fetcher.jwks_uri().unwrap_or_default();
        let kids = keys.set.kids().join(",");
        let Some(previous) = previous else {
            tracing::info!(iss = %self.issuer, jwks_uri, kid = %kids, ?latency, "signing keys loaded");
            return;
        };
        let old = previous.set.kids();
        let new = keys.set.kids();
        let added: Vec<&str> = new
            .iter()
            .filter(|kid| !old.contains(kid))
            .copied()
            .collect();
        let removed: Vec<&str> = old
            .iter()
            .filter(|kid| !new.contains(kid))
            .copied()
            .collect();
        if added.is_empty() && removed.is_empty() {
            tracing::debug!(iss = %self.issuer, jwks_uri, kid = %kids, ?latency, "signing keys refreshed");
        } else {
            tracing::info!(
                iss = %self.issuer,
                jwks_uri,
                added = %added.join(","),
                removed = %removed.join(","),
                "signing keys rotated"
            );
        }
    }
}

/// Returns `now + delay`, or a time about a century ahead when `JwksSettings` hold
/// durations too long for `Instant` (such as `Duration::MAX` meant as "forever").
fn later(now: Instant, delay: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    now.checked_add(delay.min(CENTURY))
        .or_else(|| now.checked_add(delay.min(Duration::from_secs(24 * 3600))))
        .unwrap_or(now)
}

fn unknown_key(kid: Option<&str>) -> KeyError {
    KeyError::Token(TokenError::UnknownKey {
        kid: truncate(kid.unwrap_or_default()),
    })
}
