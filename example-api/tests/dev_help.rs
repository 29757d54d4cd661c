//! Runs the DPoP commands that `example-api --dev` prints, exactly as printed, in bash with
//! curl, so the walkthrough stays copy-pasteable.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Kills the API when the test ends, pass or fail.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn dev_dpop_commands_work() {
    let temp = std::env::temp_dir().join(format!("example-api-dev-help-{}", std::process::id()));
    std::fs::create_dir_all(&temp).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_example-api"))
        .arg("--dev")
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .env("RUST_LOG", "warn")
        .env("TMPDIR", &temp)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the example-api binary starts");
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);

    let mut commands = Vec::new();
    let mut in_section = false;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("readable output");
        if line.starts_with("Call the private route with a DPoP-bound token") {
            in_section = true;
            continue;
        }
        if in_section && line.is_empty() {
            break;
        }
        if in_section {
            commands.push(line);
        }
    }
    assert_eq!(commands.len(), 3, "{commands:?}");

    let script = format!("set -euo pipefail\n{}\n", commands.join("\n"));
    for attempt in ["first run", "second run with the saved key"] {
        let output = Command::new("bash")
            .args(["-c", &script])
            .output()
            .expect("bash runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{attempt}: {stdout}");
        assert!(stdout.starts_with("HTTP/1.1 200"), "{attempt}: {stdout}");
        assert!(stdout.contains("dev-client@clients"), "{attempt}: {stdout}");
    }
    let _ = std::fs::remove_dir_all(&temp);
}
