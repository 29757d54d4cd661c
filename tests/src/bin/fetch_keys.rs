//! Builds a verifier from the environment, as the example API does, and fetches the keys
//! once. The TLS and proxy tests run it to set `SSL_CERT_FILE` and `HTTPS_PROXY`, which a
//! test cannot change inside its own process.
//!
//! Prints `keys loaded` and exits 0, or prints the error with its causes and exits 1.

use std::process::ExitCode;

use auth0_runtime::Verifier;

#[tokio::main]
async fn main() -> ExitCode {
    let verifier = match Verifier::from_env() {
        Ok(verifier) => verifier,
        Err(error) => {
            println!("configuration failed: {}", chain(&error));
            return ExitCode::FAILURE;
        }
    };
    match verifier.prefetch_keys().await {
        Ok(()) => {
            println!("keys loaded");
            ExitCode::SUCCESS
        }
        Err(error) => {
            println!("key fetch failed: {}", chain(&error));
            ExitCode::FAILURE
        }
    }
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
