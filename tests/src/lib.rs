//! Shared helpers for the integration tests: serving routers on loopback and starting the
//! example API against a development issuer.

use std::net::SocketAddr;
use std::time::Duration;

use auth0_runtime::dev::DevIssuer;
use auth0_runtime::{Config, ConfigBuilder, JwksSettings, Verifier};
use axum::Router;
use reqwest::header::WWW_AUTHENTICATE;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub mod fault_issuer;
pub mod oidc_provider;

/// A router served on a free 127.0.0.1 port until dropped.
#[derive(Debug)]
pub struct Served {
    /// The address it listens on.
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Served {
    /// Returns `http://ADDR{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `router` on a free loopback port.
pub async fn serve(router: Router) -> Served {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("read the bound address");
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .await
            .expect("serve the test router");
    });
    Served { addr, task }
}

/// Key-fetch settings for tests: short cooldowns so refetch behaviour shows within a test.
pub fn test_jwks_settings() -> JwksSettings {
    let mut settings = JwksSettings::default();
    settings.fetch_timeout = Duration::from_secs(2);
    settings.refresh_cooldown = Duration::from_millis(300);
    settings
}

/// Builds a verifier from `config` and serves the example API with it.
///
/// # Panics
///
/// When the verifier cannot be built.
pub async fn serve_example_api(config: Config) -> (Verifier, Served) {
    let verifier = Verifier::new(config).expect("build the verifier");
    let api = serve(example_api::app(verifier.clone(), &[])).await;
    (verifier, api)
}

/// A configuration for verifying the dev issuer's tokens.
pub fn config_for(issuer: &DevIssuer) -> ConfigBuilder {
    Config::builder()
        .issuer_base_url(issuer.issuer())
        .audience(issuer.audience())
        .jwks(test_jwks_settings())
}

/// The example API served against a fresh development issuer.
#[derive(Debug)]
pub struct ExampleApi {
    /// The issuer whose tokens the API accepts.
    pub issuer: DevIssuer,
    /// The served API.
    pub api: Served,
    /// The verifier the API uses.
    pub verifier: Verifier,
}

impl ExampleApi {
    /// Starts an issuer and the example API with the default test configuration.
    pub async fn start() -> Self {
        Self::start_with(|builder| builder).await
    }

    /// Starts an issuer and the example API, letting `configure` change the configuration.
    pub async fn start_with(configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Self {
        let issuer = DevIssuer::start().await.expect("start the dev issuer");
        let config = configure(config_for(&issuer))
            .build()
            .expect("valid test configuration");
        let verifier = Verifier::new(config).expect("build the verifier");
        let api = serve(example_api::app(verifier.clone(), &[])).await;
        Self {
            issuer,
            api,
            verifier,
        }
    }

    /// Returns the URL of `path` on the API.
    pub fn url(&self, path: &str) -> String {
        self.api.url(path)
    }
}

/// A response reduced to what the tests compare.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The status code.
    pub status: u16,
    /// Every `WWW-Authenticate` value, in order.
    pub challenges: Vec<String>,
    /// The body as JSON, or `Value::Null` when it is not JSON.
    pub body: Value,
}

/// Sends `GET url` with an optional `Authorization` value and reduces the response.
pub async fn get(url: &str, authorization: Option<&str>) -> Outcome {
    let client = reqwest::Client::new();
    let mut request = client.get(url);
    if let Some(value) = authorization {
        request = request.header(reqwest::header::AUTHORIZATION, value);
    }
    outcome(request.send().await.expect("send the request")).await
}

/// Sends `GET url` with a bearer token.
pub async fn get_bearer(url: &str, token: &str) -> Outcome {
    get(url, Some(&format!("Bearer {token}"))).await
}

/// Reduces a response to its status, challenges and JSON body.
pub async fn outcome(response: reqwest::Response) -> Outcome {
    let status = response.status().as_u16();
    let challenges = response
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .map(|value| value.to_str().unwrap_or("<non-ascii>").to_owned())
        .collect();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    Outcome {
        status,
        challenges,
        body,
    }
}

/// The challenges of a request without credentials, DPoP enabled.
pub fn no_credentials_challenges() -> Vec<String> {
    vec![
        "Bearer realm=\"api\"".to_owned(),
        "DPoP algs=\"ES256\"".to_owned(),
    ]
}

/// The `Bearer` challenge of an `invalid_token` rejection with `description`.
pub fn invalid_token_challenge(description: &str) -> Vec<String> {
    vec![format!(
        "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"{description}\""
    )]
}

/// The JSON body of a rejection.
pub fn error_body(error: &str, description: &str) -> Value {
    serde_json::json!({ "error": error, "error_description": description })
}

/// Compiles the README's Rust examples as doctests, so the usage shown there stays true.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
