//! Servers and clients shared by the DPoP integration tests: a dev issuer, the example API
//! on a free 127.0.0.1 port, and a redis-server the tests start and stop themselves.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file uses a different subset"
)]

use std::net::{SocketAddr, TcpListener as StdTcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use auth0_runtime::dev::{DevIssuer, DpopKey};
use auth0_runtime::dpop::DpopConfig;
use auth0_runtime::request_url::UrlPolicy;
use auth0_runtime::{Config, Verifier};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;

/// The challenge a request without accepted credentials gets while DPoP is allowed.
pub const BEARER_CHALLENGE: &str = "Bearer realm=\"api\"";
pub const DPOP_CHALLENGE: &str = "DPoP algs=\"ES256\"";

/// Returns the `WWW-Authenticate` value of a 401 for an invalid proof.
pub fn proof_challenge(description: &str) -> String {
    format!(
        "DPoP algs=\"ES256\", error=\"invalid_dpop_proof\", error_description=\"{description}\""
    )
}

/// Returns the `WWW-Authenticate` value of a 401 for an invalid token on the DPoP scheme.
pub fn dpop_token_challenge(description: &str) -> String {
    format!("DPoP algs=\"ES256\", error=\"invalid_token\", error_description=\"{description}\"")
}

/// Builds a client that never goes through a proxy, so every request stays on 127.0.0.1.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("the HTTP client builds")
}

/// The example API served on a free loopback port.
pub struct Api {
    pub base: String,
    pub verifier: Verifier,
    task: JoinHandle<()>,
}

impl Drop for Api {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Api {
    /// Returns the URL of `path` on this API.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Starts the example API, verifying `issuer`'s tokens with these DPoP and URL settings.
pub async fn start_api(issuer: &DevIssuer, dpop: DpopConfig, url_policy: UrlPolicy) -> Api {
    let config = Config::builder()
        .issuer_base_url(issuer.issuer())
        .audience(issuer.audience())
        .dpop(dpop)
        .url_policy(url_policy)
        .build()
        .expect("the test configuration is valid");
    let verifier = Verifier::new(config).expect("the verifier builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let addr = listener.local_addr().unwrap();
    let app = example_api::app(verifier.clone(), &[]);
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("the API serves");
    });
    Api {
        base: format!("http://{addr}"),
        verifier,
        task,
    }
}

/// Returns a token from `issuer` bound to `key`, with the `read:messages` scope.
pub fn bound_token(issuer: &DevIssuer, key: &DpopKey) -> String {
    issuer
        .token()
        .scope("read:messages")
        .jkt(&key.thumbprint())
        .sign()
}

/// Sends `GET url` with `Authorization: DPoP token` and each value of `proofs` as one
/// `DPoP` header line.
pub async fn dpop_get(url: &str, token: &str, proofs: &[&str]) -> reqwest::Response {
    let mut request = client()
        .get(url)
        .header("authorization", format!("DPoP {token}"));
    for proof in proofs {
        request = request.header("dpop", *proof);
    }
    request.send().await.expect("the API responds")
}

/// Asserts the status and the exact list of `WWW-Authenticate` values.
#[track_caller]
pub fn assert_rejection(response: &reqwest::Response, status: StatusCode, challenges: &[&str]) {
    assert_eq!(response.status(), status, "status");
    let values: Vec<&str> = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|value| value.to_str().expect("an ASCII challenge"))
        .collect();
    assert_eq!(values, challenges, "WWW-Authenticate");
}

/// Decodes a JWT's payload without verifying it.
pub fn payload(jwt: &str) -> serde_json::Value {
    let part = jwt.split('.').nth(1).expect("a JWT has a payload");
    let bytes = URL_SAFE_NO_PAD.decode(part).expect("base64url payload");
    serde_json::from_slice(&bytes).expect("a JSON payload")
}

/// A redis-server on a free 127.0.0.1 port, killed when dropped. It keeps no data on disk,
/// so a restart loses every key, as it does on a server without persistence.
pub struct RedisServer {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts redis-server and waits until it replies to PING.
    pub async fn start() -> Self {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("auth0-tests-redis-{port}"));
        std::fs::create_dir_all(&dir).expect("a temporary directory for redis-server");
        let mut server = Self {
            port,
            dir,
            child: None,
        };
        server.spawn().await;
        server
    }

    /// Returns the `redis://` URL of this server.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Stops the server and waits until the process has exited.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, with no data.
    pub async fn restart(&mut self) {
        self.stop();
        self.spawn().await;
    }

    async fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (apt-get install redis-server)");
        self.child = Some(child);

        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if ping(addr).await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("redis-server did not reply to PING on port {}", self.port);
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn ping(addr: SocketAddr) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
        return false;
    };
    if stream.write_all(b"PING\r\n").await.is_err() {
        return false;
    }
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply).await.is_ok() && &reply == b"+PONG\r\n"
}

fn free_port() -> u16 {
    let listener = StdTcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    listener.local_addr().unwrap().port()
}
