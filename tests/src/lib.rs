//! Shared helpers for the workspace's integration tests: the bundled book, dates, and a runner
//! for the `ratebook` binary.

use std::path::PathBuf;
use std::process::{Command, Output};

use ratebook::{Date, RateBook};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The repository's rate book; panics with every located error if it does not load.
pub fn book() -> RateBook {
    let loaded = ratebook::bundled::load_bundled();
    let errors: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "pricing files do not load:\n{}",
        errors.join("\n")
    );
    loaded.book
}

pub fn date(s: &str) -> Date {
    s.parse().expect("valid test date")
}

/// Path of the `ratebook` binary. The first call in a test process runs `cargo build` for
/// it (a no-op when it is fresh), so the tests never run a stale binary.
pub fn ratebook_bin() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .map(|t| if t.is_relative() { root().join(t) } else { t })
                .unwrap_or_else(|| root().join("target"));
            let status = Command::new(env!("CARGO"))
                .args(["build", "-q", "-p", "ratebook-cli"])
                .current_dir(root())
                .status()
                .expect("cargo runs");
            assert!(status.success(), "building ratebook-cli failed");
            target
                .join("debug")
                .join(format!("ratebook{}", std::env::consts::EXE_SUFFIX))
        })
        .clone()
}

/// Runs `ratebook ARGS…` from the repository root.
pub fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

/// Runs `ratebook ARGS…` in `dir`.
pub fn run_in(dir: &std::path::Path, args: &[&str]) -> Output {
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
