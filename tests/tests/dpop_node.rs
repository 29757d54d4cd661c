//! Interoperability with the `dpop` npm package: a Node.js client gets a bound token from
//! the dev issuer and calls the example API, both on 127.0.0.1.

mod support;

use std::path::Path;
use std::process::Command;

use auth0_runtime::Algorithm;
use auth0_runtime::dev::DevIssuer;
use auth0_runtime::dpop::DpopConfig;
use auth0_runtime::request_url::UrlPolicy;
use serde_json::Value;
use support::*;

/// Runs tests/node/client.mjs and returns the JSON it prints.
async fn run_client(token_endpoint: &str, api_url: &str, alg: &str) -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("node");
    assert!(
        dir.join("node_modules/dpop").exists(),
        "run `npm ci` in {} first (scripts/test does)",
        dir.display()
    );
    let mut command = Command::new("node");
    command
        .current_dir(&dir)
        .args(["client.mjs", token_endpoint, api_url, alg]);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("node is installed");
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the client prints JSON")
}

#[tokio::test]
async fn node_dpop_client_accepted() {
    let issuer = DevIssuer::start().await.unwrap();
    let dpop =
        DpopConfig::default().algorithms([Algorithm::ES256, Algorithm::RS256, Algorithm::PS256]);
    let api = start_api(&issuer, dpop, UrlPolicy::Direct).await;

    for alg in ["ES256", "RS256", "PS256"] {
        let result = run_client(&issuer.token_endpoint(), &api.url("/api/private"), alg).await;
        assert_eq!(result["tokenStatus"], 200, "{alg}: {result}");
        assert_eq!(result["tokenType"], "DPoP", "{alg}");
        assert_eq!(result["cnfJkt"], result["jkt"], "{alg}: thumbprints agree");
        assert_eq!(result["status"], 200, "{alg}: {result}");
        assert_eq!(result["body"]["user_id"], "node-client@clients", "{alg}");
        assert_eq!(result["replayStatus"], 401, "{alg}");
        assert_eq!(
            result["replayChallenge"],
            "DPoP algs=\"ES256 RS256 PS256\", error=\"invalid_dpop_proof\", error_description=\"the DPoP proof was already used\"",
            "{alg}"
        );
    }
}
