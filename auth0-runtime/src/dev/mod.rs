//! A local OpenID provider for development and tests, shaped like an Auth0 tenant.
//!
//! [`DevIssuer`] generates an RSA key, serves discovery and the key set on 127.0.0.1, and
//! issues tokens from an Auth0-style `POST /oauth/token` endpoint (client credentials, with
//! `audience` and `scope`). Tests mint any token they need with [`DevIssuer::token`] and
//! [`DevIssuer::sign`].
//!
//! Never run it in production: it hands a token to anyone who asks.

mod keys;
mod server;
mod token;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use keys::DevKey;
pub use token::TokenBuilder;

/// The default audience of tokens from the dev issuer's token endpoint.
pub const DEFAULT_AUDIENCE: &str = "https://dev.api.local";

/// A running development issuer.
#[derive(Debug)]
pub struct DevIssuer {
    state: Arc<IssuerState>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// The issuer's keys and counters, shared with the HTTP handlers.
#[derive(Debug)]
pub(crate) struct IssuerState {
    pub(crate) issuer: String,
    pub(crate) audience: String,
    keys: Mutex<Vec<Arc<DevKey>>>,
    /// Entries published in the key set besides the issuer's own keys, for tests.
    extra_jwks: Mutex<Vec<Value>>,
    jwks_cache_control: Mutex<Option<String>>,
    pub(crate) jwks_requests: AtomicUsize,
    pub(crate) discovery_requests: AtomicUsize,
}

impl IssuerState {
    pub(crate) fn signing_key(&self) -> Arc<DevKey> {
        let keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        // Invariant: `keys` is never empty; `retire_key` keeps the last key.
        keys.last()
            .cloned()
            .expect("the dev issuer always has a signing key")
    }

    pub(crate) fn jwks(&self) -> Value {
        let keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        let mut entries: Vec<Value> = keys.iter().map(|key| key.public_jwk()).collect();
        entries.extend(
            self.extra_jwks
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .cloned(),
        );
        serde_json::json!({ "keys": entries })
    }

    pub(crate) fn jwks_cache_control(&self) -> Option<String> {
        self.jwks_cache_control
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Options for starting a [`DevIssuer`].
#[derive(Debug, Clone)]
pub struct DevIssuerBuilder {
    addr: SocketAddr,
    audience: String,
    keys: Vec<Arc<DevKey>>,
}

impl DevIssuerBuilder {
    /// Sets the address to listen on. Default: `127.0.0.1:0`, a free port.
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Sets the default audience of the token endpoint. Default: [`DEFAULT_AUDIENCE`].
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    /// Starts with these keys instead of a fresh one, so a restarted issuer keeps signing
    /// with the same key. The last key signs.
    pub fn keys(mut self, keys: Vec<Arc<DevKey>>) -> Self {
        self.keys = keys;
        self
    }

    /// Binds the listener and starts serving.
    ///
    /// # Errors
    ///
    /// The I/O error of binding the address, or of generating a key.
    pub async fn start(self) -> std::io::Result<DevIssuer> {
        let listener = TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let keys = if self.keys.is_empty() {
            vec![Arc::new(DevKey::generate("dev-key-1")?)]
        } else {
            self.keys
        };
        let state = Arc::new(IssuerState {
            issuer: format!("http://{addr}/"),
            audience: self.audience,
            keys: Mutex::new(keys),
            extra_jwks: Mutex::new(Vec::new()),
            jwks_cache_control: Mutex::new(None),
            jwks_requests: AtomicUsize::new(0),
            discovery_requests: AtomicUsize::new(0),
        });

        let (shutdown, signal) = oneshot::channel::<()>();
        let app = server::router(state.clone());
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = signal.await;
            });
            if let Err(error) = serve.await {
                tracing::error!(
                    error = &error as &dyn std::error::Error,
                    "dev issuer stopped"
                );
            }
        });
        tracing::info!(iss = %state.issuer, "dev issuer listening");
        Ok(DevIssuer {
            state,
            addr,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }
}

impl DevIssuer {
    /// Starts a builder.
    pub fn builder() -> DevIssuerBuilder {
        DevIssuerBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            audience: DEFAULT_AUDIENCE.to_owned(),
            keys: Vec::new(),
        }
    }

    /// Starts an issuer on a free loopback port with a fresh key.
    ///
    /// # Errors
    ///
    /// The I/O error of binding the port.
    pub async fn start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// Returns the issuer, `http://127.0.0.1:PORT/`: the `iss` of its tokens and the value
    /// for `AUTH0_ISSUER_BASE_URL`.
    pub fn issuer(&self) -> &str {
        &self.state.issuer
    }

    /// Returns the listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Returns the default audience of the token endpoint.
    pub fn audience(&self) -> &str {
        &self.state.audience
    }

    /// Returns the token endpoint, `{issuer}oauth/token`.
    pub fn token_endpoint(&self) -> String {
        format!("{}oauth/token", self.state.issuer)
    }

    /// Starts a token with the issuer's defaults: `iss`, `aud`, `sub`, `iat`, `exp` in 10
    /// minutes, and the current key's `kid`.
    pub fn token(&self) -> TokenBuilder {
        TokenBuilder::new(&self.state)
    }

    /// Signs `claims` under `header` with the current key, exactly as given: no claim or
    /// header member is added.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        self.state.signing_key().sign_jws(header, claims)
    }

    /// Returns the current signing key.
    pub fn signing_key(&self) -> Arc<DevKey> {
        self.state.signing_key()
    }

    /// Returns all keys, oldest first.
    pub fn keys(&self) -> Vec<Arc<DevKey>> {
        self.state
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Generates a new key, publishes it beside the old ones, and signs with it from now on.
    /// Returns the new `kid`.
    ///
    /// # Errors
    ///
    /// The error of generating the key.
    pub fn rotate_key(&self) -> std::io::Result<String> {
        let mut keys = self
            .state
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let kid = format!("dev-key-{}", keys.len() + 1);
        keys.push(Arc::new(DevKey::generate(&kid)?));
        tracing::info!(kid = %kid, "dev issuer rotated its signing key");
        Ok(kid)
    }

    /// Stops publishing the key `kid`, unless it is the only key. Returns whether it was
    /// removed.
    pub fn retire_key(&self, kid: &str) -> bool {
        let mut keys = self
            .state
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let before = keys.len();
        if before > 1 {
            keys.retain(|key| key.kid() != kid);
        }
        keys.len() != before
    }

    /// Publishes an extra key-set entry as given, for tests of unusual key sets.
    pub fn publish_jwk(&self, jwk: Value) {
        self.state
            .extra_jwks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(jwk);
    }

    /// Sets the `Cache-Control` header of key-set responses. Default: none.
    pub fn set_jwks_cache_control(&self, value: Option<&str>) {
        *self
            .state
            .jwks_cache_control
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = value.map(str::to_owned);
    }

    /// Returns how many key-set requests the issuer has answered.
    pub fn jwks_requests(&self) -> usize {
        self.state.jwks_requests.load(Ordering::SeqCst)
    }

    /// Returns how many discovery requests the issuer has answered.
    pub fn discovery_requests(&self) -> usize {
        self.state.discovery_requests.load(Ordering::SeqCst)
    }

    /// Stops serving and waits until the listener is closed.
    pub async fn shutdown(mut self) {
        self.stop().await;
    }

    async fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for DevIssuer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
