//! Serves the quickstart API on 127.0.0.1:8000, verifying tokens from the Auth0 tenant in
//! `.env`, or, with `--dev`, from an in-process development issuer.

use std::net::SocketAddr;
use std::process::ExitCode;

use auth0_runtime::dev::DevIssuer;
use auth0_runtime::{Config, Verifier};
use axum::http::HeaderValue;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "\
usage: example-api [--dev]

Serves the quickstart API on HOST:PORT (default 127.0.0.1:8000).

  --dev    start a development issuer in this process and verify its tokens,
           so no Auth0 account is needed; prints curl commands to try
  --help   print this help

Environment (also read from .env): AUTH0_DOMAIN, AUTH0_AUDIENCE or AUTH0_ISSUER_BASE_URL,
AUTH0_DPOP_ENABLED, AUTH0_DPOP_REQUIRED, AUTH0_TRUST_PROXY, HOST, PORT,
CORS_ALLOWED_ORIGINS (comma-separated origins allowed to call the API from a browser),
RUST_LOG (log filter, default info).";

#[tokio::main]
async fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let args: Vec<String> = std::env::args().skip(1).collect();
    let dev = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => false,
        ["--dev"] => true,
        ["--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("error: unexpected arguments {args:?}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    match run(dev).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(dev: bool) -> Result<(), Box<dyn std::error::Error>> {
    let addr = listen_addr()?;
    let cors_origins = cors_origins()?;

    // The issuer must outlive the server, so it is held here until shutdown.
    let (config, dev_issuer) = if dev {
        let issuer = DevIssuer::start().await?;
        let config = Config::from_lookup(|name| match name {
            "AUTH0_ISSUER_BASE_URL" => Some(issuer.issuer().to_owned()),
            "AUTH0_AUDIENCE" => Some(issuer.audience().to_owned()),
            "AUTH0_DOMAIN" => None,
            other => std::env::var(other).ok(),
        })?;
        (config, Some(issuer))
    } else {
        (Config::from_env()?, None)
    };

    let verifier = Verifier::new(config)?;
    if let Err(error) = verifier.prefetch_keys().await {
        tracing::warn!(
            error = &error as &dyn std::error::Error,
            "could not load signing keys at start-up; requests will answer 503 until the issuer is reachable"
        );
    }

    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tracing::info!(addr = %local, iss = verifier.config().issuer(), aud = verifier.config().audience(), "example-api listening");
    if let Some(issuer) = &dev_issuer {
        print_dev_help(issuer, local);
    }

    let app = example_api::app(verifier, &cors_origins);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("example-api stopped");
    Ok(())
}

fn listen_addr() -> Result<SocketAddr, String> {
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    let port = std::env::var("PORT").unwrap_or_else(|_| "8000".to_owned());
    let port: u16 = port
        .parse()
        .map_err(|_| format!("PORT is invalid ({port:?}): write a port number such as 8000"))?;
    let ip = host.parse().map_err(|_| {
        format!("HOST is invalid ({host:?}): write an IP address such as 127.0.0.1")
    })?;
    Ok(SocketAddr::new(ip, port))
}

fn cors_origins() -> Result<Vec<HeaderValue>, String> {
    let Ok(list) = std::env::var("CORS_ALLOWED_ORIGINS") else {
        return Ok(Vec::new());
    };
    list.split(',')
        .map(str::trim)
        .filter(|origin| !origin.is_empty())
        .map(|origin| {
            HeaderValue::from_str(origin)
                .map_err(|_| format!("CORS_ALLOWED_ORIGINS has an invalid origin {origin:?}"))
        })
        .collect()
}

fn print_dev_help(issuer: &DevIssuer, api: SocketAddr) {
    let token_endpoint = issuer.token_endpoint();
    let audience = issuer.audience();
    let request = |scope: &str| {
        format!(
            "curl -s {token_endpoint} -H 'content-type: application/json' -d '{{\"grant_type\":\"client_credentials\",\"client_id\":\"dev-client\",\"audience\":\"{audience}\",\"scope\":\"{scope}\"}}'"
        )
    };
    let extract = "sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/'";
    println!(
        "\nDevelopment issuer at {iss} (tokens from it are accepted; never use --dev in production)\n\n\
         Public route, no token needed:\n  curl -i http://{api}/api/public\n\n\
         Get a token without scopes, then call the private route:\n  TOKEN=$({plain} | {extract})\n  curl -i http://{api}/api/private -H \"Authorization: Bearer $TOKEN\"\n\n\
         The scoped route answers 403 to that token:\n  curl -i http://{api}/api/private-scoped -H \"Authorization: Bearer $TOKEN\"\n\n\
         Get a token with read:messages, then call the scoped route:\n  SCOPED=$({scoped} | {extract})\n  curl -i http://{api}/api/private-scoped -H \"Authorization: Bearer $SCOPED\"\n\n\
         Other routes: /api/protected, /api/profile\n",
        iss = issuer.issuer(),
        plain = request(""),
        scoped = request("read:messages"),
    );
}

async fn shutdown_signal() {
    if let Err(error) = tokio::signal::ctrl_c().await {
        tracing::error!(
            error = &error as &dyn std::error::Error,
            "could not listen for Ctrl-C"
        );
        std::future::pending::<()>().await;
    }
}
