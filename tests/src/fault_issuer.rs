//! An issuer whose key-set endpoint misbehaves on request: slow, hanging, failing,
//! redirecting, or serving whatever document a test sets.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use auth0_runtime::dev::DevKey;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// What the key-set endpoint does with the next request.
#[derive(Debug, Clone)]
pub enum JwksBehavior {
    /// Serves the issuer's published keys (see [`FaultIssuer::publish`]).
    Keys {
        /// The `Cache-Control` value of the response, if any.
        cache_control: Option<String>,
    },
    /// Waits, then serves the keys.
    Slow(Duration),
    /// Accepts the request and never responds.
    Hang,
    /// Responds with this status, content type and body.
    Status {
        /// The status code.
        status: u16,
        /// The `Content-Type`.
        content_type: &'static str,
        /// The body.
        body: String,
    },
    /// Responds 200 with this body as `application/json`, valid or not.
    Body(Vec<u8>),
    /// Answers 302 to this location.
    Redirect(String),
}

struct FaultState {
    issuer: String,
    behavior: Mutex<JwksBehavior>,
    keys: Mutex<Vec<Value>>,
    jwks_requests: AtomicUsize,
    discovery_requests: AtomicUsize,
}

/// A discovery and key-set server on a fixed loopback port, which can be stopped and
/// started again on the same port to play an issuer that goes down and comes back.
pub struct FaultIssuer {
    state: Arc<FaultState>,
    addr: SocketAddr,
    running: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
    /// The key that signs [`FaultIssuer::token`]s, published as `k1` unless replaced.
    pub key: Arc<DevKey>,
}

impl std::fmt::Debug for FaultIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultIssuer")
            .field("issuer", &self.state.issuer)
            .finish_non_exhaustive()
    }
}

impl FaultIssuer {
    /// Starts serving on a free loopback port with one RSA key, `k1`.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound or the key cannot be generated.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("read the bound address");
        let key = Arc::new(DevKey::generate("k1").expect("generate an RSA key"));
        let state = Arc::new(FaultState {
            issuer: format!("http://{addr}/"),
            behavior: Mutex::new(JwksBehavior::Keys {
                cache_control: None,
            }),
            keys: Mutex::new(vec![key.public_jwk()]),
            jwks_requests: AtomicUsize::new(0),
            discovery_requests: AtomicUsize::new(0),
        });
        let mut issuer = Self {
            state,
            addr,
            running: None,
            key,
        };
        issuer.serve(listener);
        issuer
    }

    /// Returns the issuer, `http://127.0.0.1:PORT/`.
    pub fn issuer(&self) -> &str {
        &self.state.issuer
    }

    /// Returns the key-set URL, `{issuer}.well-known/jwks.json`.
    pub fn jwks_uri(&self) -> String {
        format!("{}.well-known/jwks.json", self.state.issuer)
    }

    /// Returns the listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sets what the key-set endpoint does from now on.
    pub fn set_behavior(&self, behavior: JwksBehavior) {
        *self
            .state
            .behavior
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = behavior;
    }

    /// Replaces the published key-set entries.
    pub fn publish(&self, keys: Vec<Value>) {
        *self
            .state
            .keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = keys;
    }

    /// Returns how many key-set requests arrived, answered or not.
    pub fn jwks_requests(&self) -> usize {
        self.state.jwks_requests.load(Ordering::SeqCst)
    }

    /// Returns how many discovery requests arrived.
    pub fn discovery_requests(&self) -> usize {
        self.state.discovery_requests.load(Ordering::SeqCst)
    }

    /// Starts a valid token for `audience`: `iss`, `sub`, `aud`, `iat`, `exp` in 10 minutes,
    /// signed by [`FaultIssuer::key`] with `kid: k1`.
    pub fn token(&self, audience: &str) -> FaultToken {
        let now = now();
        let header = json!({ "alg": "RS256", "typ": "JWT", "kid": self.key.kid() });
        let claims = json!({
            "iss": self.state.issuer,
            "sub": "fault-user",
            "aud": audience,
            "iat": now,
            "exp": now + 600,
        });
        FaultToken {
            key: self.key.clone(),
            header: into_object(header),
            claims: into_object(claims),
        }
    }

    /// Stops serving and closes idle connections, so the next key fetch fails to connect.
    pub async fn stop(&mut self) {
        if let Some((shutdown, task)) = self.running.take() {
            let _ = shutdown.send(());
            task.abort();
            let _ = task.await;
        }
    }

    /// Serves again on the same port after [`FaultIssuer::stop`].
    ///
    /// # Panics
    ///
    /// When the port cannot be bound again.
    pub async fn restart(&mut self) {
        self.stop().await;
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("bind the issuer's port again");
        self.serve(listener);
    }

    fn serve(&mut self, listener: TcpListener) {
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/.well-known/jwks.json", get(jwks))
            .route("/elsewhere/jwks.json", get(jwks_elsewhere))
            .with_state(self.state.clone());
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = signal.await;
                })
                .await;
        });
        self.running = Some((shutdown, task));
    }
}

impl Drop for FaultIssuer {
    fn drop(&mut self) {
        if let Some((shutdown, task)) = self.running.take() {
            let _ = shutdown.send(());
            task.abort();
        }
    }
}

/// A token of a [`FaultIssuer`] under construction.
#[derive(Debug, Clone)]
pub struct FaultToken {
    key: Arc<DevKey>,
    header: Map<String, Value>,
    claims: Map<String, Value>,
}

impl FaultToken {
    /// Sets a header member, such as `kid`.
    pub fn header(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.header.insert(name.to_owned(), value.into());
        self
    }

    /// Sets a claim.
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(name.to_owned(), value.into());
        self
    }

    /// Signs with `key` instead of the issuer's key; the `kid` header stays as it is.
    pub fn signed_by(mut self, key: Arc<DevKey>) -> Self {
        self.key = key;
        self
    }

    /// Signs with RS256 and returns the compact token.
    pub fn sign(&self) -> String {
        self.key.sign_jws(
            &Value::Object(self.header.clone()),
            &Value::Object(self.claims.clone()),
        )
    }
}

fn into_object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(object) => object,
        _ => Map::new(),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

async fn discovery(State(state): State<Arc<FaultState>>) -> Response {
    state.discovery_requests.fetch_add(1, Ordering::SeqCst);
    let issuer = &state.issuer;
    axum::Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}.well-known/jwks.json"),
    }))
    .into_response()
}

async fn jwks(State(state): State<Arc<FaultState>>) -> Response {
    state.jwks_requests.fetch_add(1, Ordering::SeqCst);
    let behavior = state
        .behavior
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    match behavior {
        JwksBehavior::Keys { cache_control } => keys_response(&state, cache_control.as_deref()),
        JwksBehavior::Slow(delay) => {
            tokio::time::sleep(delay).await;
            keys_response(&state, None)
        }
        JwksBehavior::Hang => std::future::pending().await,
        JwksBehavior::Status {
            status,
            content_type,
            body,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
        }
        JwksBehavior::Body(body) => {
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        JwksBehavior::Redirect(location) => {
            let mut response = StatusCode::FOUND.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
    }
}

/// Serves the published keys whatever the behaviour, as the target of same-origin redirects.
async fn jwks_elsewhere(State(state): State<Arc<FaultState>>) -> Response {
    keys_response(&state, None)
}

fn keys_response(state: &FaultState, cache_control: Option<&str>) -> Response {
    let keys = state
        .keys
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let mut response = axum::Json(json!({ "keys": keys })).into_response();
    if let Some(value) = cache_control.and_then(|value| HeaderValue::from_str(value).ok()) {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    response
}
