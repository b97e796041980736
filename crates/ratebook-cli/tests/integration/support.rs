//! Running the `ratebook` binary that Cargo built for these tests, and the workspace's shared
//! helpers (the repository's book, dates, the repository root).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub use ratebook_tests::{book, date, root};

/// Path of the `ratebook` binary built from this package's current sources.
pub fn ratebook_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ratebook"))
}

/// Runs `ratebook ARGS…` from the repository root.
pub fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

/// Runs `ratebook ARGS…` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(ratebook_bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("ratebook runs")
}

/// Runs `ratebook ARGS… --json`-style commands and parses stdout as JSON, asserting success.
pub fn run_json(args: &[&str]) -> serde_json::Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "ratebook {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Runs `ratebook ARGS…` from the repository root with `input` on standard input, asserts
/// success and parses stdout as JSON.
pub fn run_json_with_stdin(args: &[&str], input: &str) -> serde_json::Value {
    let mut child = Command::new(ratebook_bin())
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ratebook runs");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("ratebook exits");
    assert!(
        out.status.success(),
        "ratebook {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}
