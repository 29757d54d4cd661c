//! Serves the quickstart API on 127.0.0.1:8000, verifying tokens from the Auth0 tenant in
//! `.env`, or, with `--dev`, from an in-process development issuer. `dpop-proof` prints a
//! DPoP proof for curl.

mod proof_command;

use std::net::SocketAddr;
use std::process::ExitCode;

use auth0_runtime::dev::DevIssuer;
use auth0_runtime::{Config, Verifier};
use axum::http::HeaderValue;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "\
usage: example-api [--dev]
       example-api dpop-proof --method METHOD --url URL [--token TOKEN] [--key-file FILE]

Serves the quickstart API on HOST:PORT (default 127.0.0.1:8000).

  --dev        start a development issuer in this process and verify its tokens,
               so no Auth0 account is needed; prints curl commands to try
  dpop-proof   print a DPoP proof for one request (see dpop-proof --help)
  --help       print this help

Environment (also read from .env): AUTH0_DOMAIN, AUTH0_AUDIENCE or AUTH0_ISSUER_BASE_URL,
AUTH0_DPOP_ENABLED (default true), AUTH0_DPOP_REQUIRED (default false),
AUTH0_DPOP_REDIS_URL (Redis for DPoP replay detection shared by all instances; default:
in memory), AUTH0_TRUST_PROXY (default false), AUTH0_PUBLIC_BASE_URL, HOST, PORT,
CORS_ALLOWED_ORIGINS (comma-separated origins allowed to call the API from a browser),
RUST_LOG (log filter, default info).";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Before logging starts, so the proof is the only output.
    if args.first().map(String::as_str) == Some("dpop-proof") {
        return match proof_command::run(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        };
    }

    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

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
    if let Err(error) = verifier.connect_replay_store().await {
        tracing::warn!(
            error = &error as &dyn std::error::Error,
            "could not reach the DPoP replay store at start-up; DPoP requests get 503 until it is reachable"
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
    print_dpop_help(issuer, api);
}

/// Prints commands that get a DPoP-bound token and call the private route with it. The
/// `dpop-proof` subcommand signs each proof, with a key kept in a file between commands.
fn print_dpop_help(issuer: &DevIssuer, api: SocketAddr) {
    let program = std::env::current_exe()
        .map(|path| shell_quote(&path.display().to_string()))
        .unwrap_or_else(|_| "cargo run -q -p example-api --".to_owned());
    let key_file = std::env::temp_dir().join("example-api-dpop-key.json");
    let key_file = shell_quote(&key_file.display().to_string());
    let token_endpoint = issuer.token_endpoint();
    let body = format!(
        "{{\"grant_type\":\"client_credentials\",\"client_id\":\"dev-client\",\"audience\":\"{}\"}}",
        issuer.audience()
    );
    let private = format!("http://{api}/api/private");
    println!(
        "Call the private route with a DPoP-bound token:\n  \
         PROOF=$({program} dpop-proof --key-file {key_file} --method POST --url {token_endpoint})\n  \
         DPOP_TOKEN=$(curl -s {token_endpoint} -H \"DPoP: $PROOF\" -H 'content-type: application/json' -d '{body}' | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')\n  \
         curl -i {private} -H \"Authorization: DPoP $DPOP_TOKEN\" -H \"DPoP: $({program} dpop-proof --key-file {key_file} --method GET --url {private} --token \"$DPOP_TOKEN\")\"\n\n\
         Each proof is valid once: repeat the last command to make a new one.\n"
    );
}

/// Quotes `text` for a POSIX shell.
fn shell_quote(text: &str) -> String {
    if text
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || b"/._-".contains(&byte))
    {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', "'\\''"))
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
