//! An OpenID provider for `scripts/bench`. It serves discovery and the key set over TLS on
//! 127.0.0.1, so that SDKs which only fetch keys from `https://{domain}/` can verify its
//! tokens. It also mints pools of access tokens and DPoP proofs for the load generator.
//!
//! Never expose it: it hands out valid tokens to anyone who requests them.

mod mint;
mod routes;
mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use auth0_runtime::dev::DevKey;
use tracing_subscriber::EnvFilter;

use crate::mint::Minter;
use crate::tls::TlsListener;

const USAGE: &str = "\
usage: bench-issuer --cert FILE --key FILE --audience AUDIENCE [--addr 127.0.0.1:PORT]
                    [--token-lifetime SECONDS]

Serves an OpenID provider over TLS whose issuer is https://ADDR/ and prints that issuer.

  --cert FILE              PEM certificate chain for ADDR's IP address
  --key FILE               PEM private key of the certificate
  --audience AUDIENCE      the `aud` of minted tokens
  --addr ADDR              loopback address to listen on (default 127.0.0.1:0, a free port)
  --token-lifetime SECONDS seconds from `iat` to `exp` of minted tokens (default 7200)

Endpoints:
  GET /.well-known/openid-configuration, GET /.well-known/jwks.json
  GET /bench/tokens?count=N              N access tokens, one per line
  GET /bench/dpop?count=N&htu=URL[&htm=GET]
                                         a DPoP-bound token, then N proofs, one per line";

#[derive(Debug)]
struct Options {
    cert: PathBuf,
    key: PathBuf,
    audience: String,
    addr: SocketAddr,
    token_lifetime: i64,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let options = match parse_options(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: Options) -> Result<(), String> {
    if !options.addr.ip().is_loopback() {
        return Err(format!(
            "--addr {} is not a loopback address; this issuer hands out tokens to anyone",
            options.addr
        ));
    }
    let tls_config = tls::server_config(&options.cert, &options.key)?;
    let tcp = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", options.addr))?;
    let addr = tcp
        .local_addr()
        .map_err(|error| format!("cannot read the bound address: {error}"))?;

    let key = DevKey::generate("bench-key-1")
        .map_err(|error| format!("RSA key generation failed: {error}"))?;
    let issuer = format!("https://{addr}/");
    let minter = Minter::new(
        Arc::new(key),
        issuer.clone(),
        options.audience,
        options.token_lifetime,
    );
    tracing::info!(iss = %issuer, "bench issuer listening");
    println!("{issuer}");

    let app = routes::router(Arc::new(minter));
    axum::serve(TlsListener::new(tcp, tls_config), app)
        .await
        .map_err(|error| format!("serving failed: {error}"))
}

/// Parses the command line. Returns `None` for `--help`.
fn parse_options(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut cert = None;
    let mut key = None;
    let mut audience = None;
    let mut addr = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut token_lifetime = 7200;

    let mut args = args;
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Ok(None);
        }
        let Some(value) = args.next() else {
            return Err(format!("{flag} needs a value"));
        };
        match flag.as_str() {
            "--cert" => cert = Some(PathBuf::from(value)),
            "--key" => key = Some(PathBuf::from(value)),
            "--audience" => audience = Some(value),
            "--addr" => {
                addr = value.parse().map_err(|_| {
                    format!(
                        "--addr is invalid ({value:?}): write an address such as 127.0.0.1:8443"
                    )
                })?;
            }
            "--token-lifetime" => {
                token_lifetime = value
                    .parse::<i64>()
                    .ok()
                    .filter(|seconds| *seconds > 0)
                    .ok_or_else(|| {
                        format!("--token-lifetime is invalid ({value:?}): write a positive number of seconds")
                    })?;
            }
            _ => return Err(format!("unknown option {flag:?}")),
        }
    }
    Ok(Some(Options {
        cert: cert.ok_or("--cert is required")?,
        key: key.ok_or("--key is required")?,
        audience: audience.ok_or("--audience is required")?,
        addr,
        token_lifetime,
    }))
}
