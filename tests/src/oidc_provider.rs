//! node-oidc-provider as a second, independent issuer: `tests/oidc-provider/issuer.mjs` run
//! by Node.js on a free loopback port.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

/// How long Node.js may take to load oidc-provider, generate its key and listen.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// The clients the issuer is configured with, all sharing the secret it prints at start-up.
pub mod clients {
    /// Auth0-shaped tokens without extra roles.
    pub const READER: &str = "m2m-reader";
    /// Auth0-shaped tokens with `https://myapp.example.com/roles` = `["admin"]`.
    pub const ADMIN: &str = "m2m-admin";
    /// oidc-provider's own RFC 9068 tokens: `typ: at+jwt`, `sub` = client ID, no Auth0 claims.
    pub const RFC9068: &str = "m2m-rfc9068";
}

#[derive(Debug, Deserialize)]
struct Ready {
    issuer: String,
    token_endpoint: String,
    client_secret: String,
}

/// A running node-oidc-provider. Dropping it kills the Node.js process.
#[derive(Debug)]
pub struct OidcProvider {
    /// The issuer, `http://127.0.0.1:PORT/`: the value for `AUTH0_ISSUER_BASE_URL`.
    pub issuer: String,
    /// The API identifier its tokens are issued for.
    pub audience: String,
    token_endpoint: String,
    client_secret: String,
    stderr: Arc<Mutex<String>>,
    // Kept open: the script exits when its standard input closes, so the process ends
    // even if this test process is killed before `Drop` runs.
    _stdin: ChildStdin,
    child: Child,
}

impl OidcProvider {
    /// Starts the issuer for `audience` and waits for its ready line.
    ///
    /// # Panics
    ///
    /// When Node.js is missing, `npm ci` was not run in `tests/oidc-provider`, or the
    /// issuer does not become ready within 30 s; the message carries its error output.
    pub async fn start(audience: &str) -> Self {
        let folder = script_folder();
        assert!(
            folder.join("node_modules/oidc-provider").is_dir(),
            "oidc-provider is not installed: run `npm ci` in {}",
            folder.display()
        );
        let mut child = Command::new("node")
            .arg("issuer.mjs")
            .current_dir(&folder)
            .env("AUDIENCE", audience)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start node (install it with: apt-get install nodejs npm)");

        let stderr = Arc::new(Mutex::new(String::new()));
        let mut stderr_pipe = child.stderr.take().expect("stderr is piped");
        let sink = stderr.clone();
        tokio::spawn(async move {
            let mut buffer = [0u8; 4096];
            while let Ok(read) = stderr_pipe.read(&mut buffer).await {
                if read == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buffer[..read]);
                sink.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push_str(&text);
            }
        });

        let stdout = child.stdout.take().expect("stdout is piped");
        let ready = tokio::time::timeout(READY_TIMEOUT, read_ready_line(stdout)).await;
        let ready = match ready {
            Ok(Some(ready)) => ready,
            outcome => {
                let _ = child.start_kill();
                let reason = if outcome.is_err() {
                    "timed out"
                } else {
                    "exited"
                };
                let output = stderr.lock().unwrap_or_else(PoisonError::into_inner);
                panic!("oidc-provider {reason} before its ready line; its stderr:\n{output}");
            }
        };
        let stdin = child.stdin.take().expect("stdin is piped");
        Self {
            issuer: ready.issuer,
            audience: audience.to_owned(),
            token_endpoint: ready.token_endpoint,
            client_secret: ready.client_secret,
            stderr,
            _stdin: stdin,
            child,
        }
    }

    /// Requests a client-credentials token for the audience, with `scope` when given.
    ///
    /// # Panics
    ///
    /// When the token endpoint does not return an access token.
    pub async fn client_credentials(&self, client_id: &str, scope: Option<&str>) -> String {
        self.token_response(client_id, scope, None).await["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no access token for client {client_id}"))
            .to_owned()
    }

    /// Requests a DPoP-bound client-credentials token, sending `proof` as the `DPoP` header
    /// of the token request (RFC 9449 section 5). The proof's `htu` must be
    /// [`OidcProvider::token_endpoint`] and its `htm` `POST`.
    ///
    /// # Panics
    ///
    /// When the token endpoint does not return a `DPoP` access token.
    pub async fn dpop_bound_token(
        &self,
        client_id: &str,
        scope: Option<&str>,
        proof: &str,
    ) -> String {
        let body = self.token_response(client_id, scope, Some(proof)).await;
        assert_eq!(body["token_type"], "DPoP", "token response: {body}");
        body["access_token"]
            .as_str()
            .expect("a DPoP access token")
            .to_owned()
    }

    /// Returns the token endpoint, `{issuer}oauth/token`.
    pub fn token_endpoint(&self) -> &str {
        &self.token_endpoint
    }

    /// Generates a new signing key, publishes it before the old ones and signs with it
    /// from now on. Returns the new `kid`.
    ///
    /// # Panics
    ///
    /// When the issuer does not confirm the rotation.
    pub async fn rotate_key(&self) -> String {
        let response = reqwest::Client::new()
            .post(format!("{}__test/rotate", self.issuer))
            .send()
            .await
            .expect("send the rotation request");
        let body: Value = response.json().await.expect("a JSON rotation response");
        body["kid"].as_str().expect("the new kid").to_owned()
    }

    /// Returns how many key-set requests the issuer has served.
    ///
    /// # Panics
    ///
    /// When the issuer does not respond.
    pub async fn jwks_requests(&self) -> u64 {
        let response = reqwest::get(format!("{}__test/stats", self.issuer))
            .await
            .expect("send the stats request");
        let body: Value = response.json().await.expect("a JSON stats response");
        body["jwks_requests"].as_u64().expect("a request count")
    }

    /// Returns what the issuer wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn token_response(
        &self,
        client_id: &str,
        scope: Option<&str>,
        proof: Option<&str>,
    ) -> Value {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", self.client_secret.as_str()),
            ("resource", self.audience.as_str()),
        ];
        if let Some(scope) = scope {
            form.push(("scope", scope));
        }
        let mut request = reqwest::Client::new()
            .post(&self.token_endpoint)
            .form(&form);
        if let Some(proof) = proof {
            request = request.header("dpop", proof);
        }
        let response = request.send().await.expect("send the token request");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(
            status,
            200,
            "token request for {client_id} failed: {body}; stderr:\n{}",
            self.stderr()
        );
        body
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn script_folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("oidc-provider")
}

async fn read_ready_line(stdout: tokio::process::ChildStdout) -> Option<Ready> {
    let mut lines = BufReader::new(stdout).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(json) = line.strip_prefix("READY ") {
            return serde_json::from_str(json).ok();
        }
    }
    None
}
