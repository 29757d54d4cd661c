//! Compile-time behaviour of the macros, checked with trybuild.
//!
//! Compiler messages change between releases, so the `.stderr` snapshots hold for the
//! compiler recorded in `ui/COMPILER_VERSION` only, and the test skips itself on any other.
//! Re-bless with `TRYBUILD=overwrite cargo test -p auth0-tests --test ui`, review the
//! `.stderr` diff, and update `ui/COMPILER_VERSION` to the output of `rustc --version`.

use std::path::Path;
use std::process::Command;

#[test]
fn ui() {
    let blessed = include_str!("../ui/COMPILER_VERSION").trim();
    let current = rustc_version();
    if current != blessed {
        eprintln!(
            "skipping the ui tests: the snapshots were blessed with `{blessed}`, but this is `{current}`"
        );
        return;
    }

    let cases = trybuild::TestCases::new();
    cases.pass("ui/*/pass/*.rs");
    cases.compile_fail("ui/*/fail/*.rs");
}

#[test]
fn snapshots_report_no_panic() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut checked = 0;
    for macro_dir in std::fs::read_dir(&ui).expect("read the ui directory") {
        let fail_dir = macro_dir.expect("read a ui entry").path().join("fail");
        let Ok(entries) = std::fs::read_dir(&fail_dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("read a snapshot entry").path();
            if path
                .extension()
                .is_some_and(|extension| extension == "stderr")
            {
                let snapshot = std::fs::read_to_string(&path).expect("read a snapshot");
                assert!(
                    !snapshot.contains("proc macro panicked"),
                    "{} records a macro panic",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked > 0,
        "no .stderr snapshots found under {}",
        ui.display()
    );
}

/// Returns the output of `rustc --version` for the compiler Cargo uses.
fn rustc_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .arg("--version")
        .output()
        .expect("run `rustc --version`");
    assert!(output.status.success(), "`rustc --version` failed");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
