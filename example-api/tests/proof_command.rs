//! The `dpop-proof` subcommand run as a user runs it.

use std::collections::HashSet;
use std::process::{Command, Output};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

fn dpop_proof(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_example-api"))
        .arg("dpop-proof")
        .args(args)
        .output()
        .expect("the example-api binary runs")
}

fn decode_part(proof: &str, index: usize) -> Value {
    let part = proof.split('.').nth(index).expect("a compact JWS");
    let bytes = URL_SAFE_NO_PAD.decode(part).expect("base64url");
    serde_json::from_slice(&bytes).expect("a JSON part")
}

#[test]
fn count_prints_distinct_proofs() {
    let output = dpop_proof(&[
        "--method",
        "GET",
        "--url",
        "http://127.0.0.1:8000/api/private?page=2",
        "--token",
        "token",
        "--count",
        "3",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("ASCII proofs");
    let proofs: Vec<&str> = stdout.lines().collect();
    assert_eq!(proofs.len(), 3, "{stdout}");

    let mut jtis = HashSet::new();
    for proof in &proofs {
        let header = decode_part(proof, 0);
        let claims = decode_part(proof, 1);
        assert_eq!(header["jwk"], decode_part(proofs[0], 0)["jwk"], "one key");
        assert_eq!(claims["htm"], "GET");
        assert_eq!(claims["htu"], "http://127.0.0.1:8000/api/private");
        assert!(claims["ath"].is_string());
        jtis.insert(claims["jti"].as_str().expect("a jti").to_owned());
    }
    assert_eq!(jtis.len(), 3, "each proof has its own jti");
}

#[test]
fn invalid_count_rejected() {
    for count in ["0", "-1", "many"] {
        let output = dpop_proof(&["--method", "GET", "--url", "http://a/", "--count", count]);
        assert_eq!(output.status.code(), Some(2), "--count {count}");
        assert!(output.stdout.is_empty(), "--count {count}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("--count is invalid"),
            "--count {count}: {stderr}"
        );
    }
}
