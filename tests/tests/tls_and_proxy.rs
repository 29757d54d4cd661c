//! Key fetching over https from an issuer whose certificate chains to a private CA, the
//! `AUTH0_DOMAIN` spellings, and fetching through an `HTTPS_PROXY`.
//!
//! The issuer runs on `https://localhost:PORT/` with a certificate from a CA made for the
//! test. `SSL_CERT_FILE` and `HTTPS_PROXY` are read from the process environment, which
//! a test cannot change safely, so those cases run the `fetch-keys` binary.

use std::net::SocketAddr;
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use auth0_runtime::dev::DevKey;
use auth0_runtime::{Config, Verifier};
use auth0_tests::fault_issuer::FaultIssuer;
use auth0_tests::{error_body, get_bearer, serve, test_jwks_settings};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

const AUDIENCE: &str = "https://tls.api.example.com";

/// A CA and an https issuer whose certificate it signed, for `localhost` and 127.0.0.1.
struct TlsIssuer {
    port: u16,
    ca_pem: String,
    key: Arc<DevKey>,
    state: Arc<TlsState>,
}

struct TlsState {
    issuer: Mutex<String>,
    key: Arc<DevKey>,
    /// Request paths, in order.
    paths: Mutex<Vec<String>>,
    /// When set, the key-set endpoint redirects to this URL instead of serving keys.
    redirect: Mutex<Option<String>>,
    stopped: AtomicBool,
}

impl TlsIssuer {
    async fn start() -> Self {
        let ca_key = KeyPair::generate().expect("generate the CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "auth0-runtime test CA");
        let ca_cert = ca_params.self_signed(&ca_key).expect("self-sign the CA");
        let ca = Issuer::new(ca_params, ca_key);

        let leaf_key = KeyPair::generate().expect("generate the server key");
        let leaf_params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .expect("server parameters");
        let leaf = leaf_params
            .signed_by(&leaf_key, &ca)
            .expect("sign the server certificate");

        let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
        let tls = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(leaf.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )
            .expect("a server certificate");
        let acceptor = TlsAcceptor::from(Arc::new(tls));

        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a port");
        let port = listener.local_addr().expect("the bound address").port();
        let key = Arc::new(DevKey::generate("k1").expect("generate an RSA key"));
        let state = Arc::new(TlsState {
            issuer: Mutex::new(format!("https://localhost:{port}/")),
            key: key.clone(),
            paths: Mutex::new(Vec::new()),
            redirect: Mutex::new(None),
            stopped: AtomicBool::new(false),
        });
        let router = Router::new()
            .route(
                "/.well-known/openid-configuration",
                axum::routing::get(discovery),
            )
            .route("/.well-known/jwks.json", axum::routing::get(jwks))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                record_path,
            ))
            .with_state(state.clone());
        let serving = state.clone();
        tokio::spawn(async move {
            while !serving.stopped.load(Ordering::SeqCst) {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let service = TowerToHyperService::new(router.clone());
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(stream).await else {
                        return;
                    };
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            port,
            ca_pem: ca_cert.pem(),
            key,
            state,
        }
    }

    fn issuer(&self) -> String {
        self.state
            .issuer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn paths(&self) -> Vec<String> {
        self.state
            .paths
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn token(&self) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("a clock after 1970")
            .as_secs();
        self.key.sign_jws(
            &json!({ "alg": "RS256", "typ": "JWT", "kid": "k1" }),
            &json!({ "iss": self.issuer(), "sub": "tls-user", "aud": AUDIENCE, "exp": now + 600 }),
        )
    }

    /// Writes the CA certificate to a file, for `SSL_CERT_FILE`.
    fn ca_file(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let path = dir.join("test-ca.pem");
        std::fs::write(&path, &self.ca_pem).expect("write the CA file");
        path
    }
}

impl Drop for TlsIssuer {
    fn drop(&mut self) {
        self.state.stopped.store(true, Ordering::SeqCst);
    }
}

async fn record_path(
    State(state): State<Arc<TlsState>>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    state
        .paths
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(request.uri().path().to_owned());
    next.run(request).await
}

async fn discovery(State(state): State<Arc<TlsState>>) -> Response {
    let issuer = state
        .issuer
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    axum::Json(json!({ "issuer": issuer, "jwks_uri": format!("{issuer}.well-known/jwks.json") }))
        .into_response()
}

async fn jwks(State(state): State<Arc<TlsState>>) -> Response {
    let redirect = state
        .redirect
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    if let Some(location) = redirect {
        return (StatusCode::FOUND, [(header::LOCATION, location)]).into_response();
    }
    axum::Json(json!({ "keys": [state.key.public_jwk()] })).into_response()
}

fn config_with_ca(issuer: &TlsIssuer) -> Config {
    Config::builder()
        .issuer_base_url(issuer.issuer())
        .audience(AUDIENCE)
        .jwks(test_jwks_settings())
        .add_root_certificate_pem(issuer.ca_pem.clone())
        .build()
        .expect("valid configuration")
}

#[tokio::test]
async fn private_ca_setting_loads_keys() {
    let issuer = TlsIssuer::start().await;
    let verifier = Verifier::new(config_with_ca(&issuer)).expect("build the verifier");
    let api = serve(example_api::app(verifier, &[])).await;
    let outcome = get_bearer(&api.url("/api/private"), &issuer.token()).await;
    assert_eq!(outcome.status, 200, "{:?}", outcome.body);
    assert_eq!(
        issuer.paths(),
        [
            "/.well-known/openid-configuration",
            "/.well-known/jwks.json"
        ]
    );
}

#[tokio::test]
async fn unknown_ca_gives_503_and_says_why() {
    let issuer = TlsIssuer::start().await;
    let config = Config::builder()
        .issuer_base_url(issuer.issuer())
        .audience(AUDIENCE)
        .jwks(test_jwks_settings())
        .build()
        .expect("valid configuration");
    let verifier = Verifier::new(config).expect("build the verifier");
    let error = verifier
        .prefetch_keys()
        .await
        .expect_err("the CA is not trusted");
    let text = chain(&error);
    assert!(
        text.contains("/.well-known/openid-configuration"),
        "the error names the URL: {text}"
    );
    assert!(
        text.to_lowercase().contains("certificate"),
        "the error says the certificate is the problem: {text}"
    );

    let api = serve(example_api::app(verifier, &[])).await;
    let outcome = get_bearer(&api.url("/api/private"), &issuer.token()).await;
    assert_eq!(outcome.status, 503);
    assert_eq!(
        outcome.body,
        error_body(
            "temporarily_unavailable",
            "the token signing keys are temporarily unavailable"
        )
    );
    assert!(
        issuer.paths().is_empty(),
        "no request got past the handshake"
    );
}

#[tokio::test]
async fn domain_spellings_give_one_issuer_and_key_url() {
    let issuer = TlsIssuer::start().await;
    let host = format!("localhost:{}", issuer.port);
    for domain in [
        host.clone(),
        format!("https://{host}"),
        format!("https://{host}/"),
    ] {
        let config = Config::builder()
            .domain(&domain)
            .audience(AUDIENCE)
            .add_root_certificate_pem(issuer.ca_pem.clone())
            .build()
            .expect("valid configuration");
        assert_eq!(config.issuer(), format!("https://{host}/"), "{domain}");
        let verifier = Verifier::new(config).expect("build the verifier");
        let api = serve(example_api::app(verifier, &[])).await;
        assert_eq!(
            get_bearer(&api.url("/api/private"), &issuer.token())
                .await
                .status,
            200
        );

        // `iss` is still compared exactly: without the slash it is another issuer.
        let without_slash = issuer.key.sign_jws(
            &json!({ "alg": "RS256", "typ": "JWT", "kid": "k1" }),
            &json!({ "iss": format!("https://{host}"), "sub": "u", "aud": AUDIENCE, "exp": 4_000_000_000u64 }),
        );
        assert_eq!(
            get_bearer(&api.url("/api/private"), &without_slash)
                .await
                .status,
            401
        );
    }
    let paths = issuer.paths();
    assert_eq!(paths.len(), 6, "{paths:?}");
    for pair in paths.chunks(2) {
        assert_eq!(
            pair,
            [
                "/.well-known/openid-configuration",
                "/.well-known/jwks.json"
            ]
        );
    }
}

#[tokio::test]
async fn https_downgrade_redirect_refused() {
    let issuer = TlsIssuer::start().await;
    let verifier = Verifier::new(config_with_ca(&issuer)).expect("build the verifier");
    let api = serve(example_api::app(verifier, &[])).await;
    let valid = issuer.token();
    assert_eq!(
        get_bearer(&api.url("/api/private"), &valid).await.status,
        200
    );

    let plain = FaultIssuer::start().await;
    *issuer
        .state
        .redirect
        .lock()
        .unwrap_or_else(PoisonError::into_inner) = Some(format!(
        "http://localhost:{}/.well-known/jwks.json",
        plain.addr().port()
    ));
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let unknown = issuer.key.sign_jws(
        &json!({ "alg": "RS256", "typ": "JWT", "kid": "k2" }),
        &json!({ "iss": issuer.issuer(), "sub": "u", "aud": AUDIENCE, "exp": 4_000_000_000u64 }),
    );
    let outcome = get_bearer(&api.url("/api/private"), &unknown).await;
    assert_eq!(outcome.status, 401);
    assert_eq!(
        outcome.body["error_description"],
        "the access token is signed with an unknown key"
    );
    assert_eq!(plain.jwks_requests(), 0, "the http URL was never requested");
    assert_eq!(
        get_bearer(&api.url("/api/private"), &valid).await.status,
        200
    );
}

/// A forward proxy that serves `CONNECT host:port` and records each target.
struct ConnectProxy {
    addr: SocketAddr,
    targets: Arc<Mutex<Vec<String>>>,
}

impl ConnectProxy {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a port");
        let addr = listener.local_addr().expect("the bound address");
        let targets = Arc::new(Mutex::new(Vec::new()));
        let recorded = targets.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let recorded = recorded.clone();
                tokio::spawn(async move {
                    let _ = tunnel(client, &recorded).await;
                });
            }
        });
        Self { addr, targets }
    }

    fn targets(&self) -> Vec<String> {
        self.targets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

async fn tunnel(client: TcpStream, recorded: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut client = BufReader::new(client);
    let mut request_line = String::new();
    client.read_line(&mut request_line).await?;
    loop {
        let mut line = String::new();
        client.read_line(&mut line).await?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
    }

    let mut words = request_line.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
        client
            .get_mut()
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };

    recorded
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(target.to_owned());

    // Only loopback targets: this proxy exists for the tests and must reach nothing else.
    let port = target
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse::<u16>().ok());
    let Some(port) = port else {
        return Ok(());
    };
    let mut upstream = TcpStream::connect(("127.0.0.1", port)).await?;
    client
        .get_mut()
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .await?;
    tokio::io::copy_bidirectional(client.get_mut(), &mut upstream).await?;
    Ok(())
}

/// Runs `fetch-keys` against the issuer with extra environment variables.
async fn fetch_keys(issuer: &TlsIssuer, env: &[(&str, String)]) -> Output {
    let dir = std::env::temp_dir().join(format!("fetch-keys-{}", issuer.port));
    std::fs::create_dir_all(&dir).expect("create a work folder");
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_fetch-keys"));
    command
        .current_dir(&dir)
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .env_remove("AUTH0_DOMAIN")
        .env("AUTH0_ISSUER_BASE_URL", issuer.issuer())
        .env("AUTH0_AUDIENCE", AUDIENCE)
        .kill_on_drop(true);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().await.expect("run fetch-keys")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[tokio::test]
async fn ssl_cert_file_trusts_private_ca() {
    let issuer = TlsIssuer::start().await;
    let dir = tempdir(&issuer);
    let ca_file = issuer.ca_file(&dir);

    let output = fetch_keys(&issuer, &[]).await;
    assert!(
        !output.status.success(),
        "untrusted without the CA: {}",
        stdout(&output)
    );
    assert!(
        stdout(&output).to_lowercase().contains("certificate"),
        "{}",
        stdout(&output)
    );

    let ca = ca_file.display().to_string();
    let output = fetch_keys(&issuer, &[("SSL_CERT_FILE", ca)]).await;
    assert_eq!(stdout(&output), "keys loaded");
    assert!(output.status.success());
}

#[tokio::test]
async fn https_proxy_carries_key_fetches() {
    let issuer = TlsIssuer::start().await;
    let dir = tempdir(&issuer);
    let ca = issuer.ca_file(&dir).display().to_string();
    let proxy = ConnectProxy::start().await;

    let proxy_url = format!("http://{}", proxy.addr);
    let output = fetch_keys(
        &issuer,
        &[("SSL_CERT_FILE", ca), ("HTTPS_PROXY", proxy_url)],
    )
    .await;
    assert_eq!(stdout(&output), "keys loaded");
    // One tunnel carries both requests, because the client keeps the connection alive.
    let target = format!("localhost:{}", issuer.port);
    assert_eq!(proxy.targets(), [target]);
    assert_eq!(
        issuer.paths(),
        [
            "/.well-known/openid-configuration",
            "/.well-known/jwks.json"
        ]
    );
}

fn tempdir(issuer: &TlsIssuer) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tls-ca-{}", issuer.port));
    std::fs::create_dir_all(&dir).expect("create a temporary folder");
    dir
}

fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
