//! Shared helpers for the integration tests (the workspace's and the `ratebook` binary's): the
//! repository root, its bundled book, dates.

use std::path::PathBuf;

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

/// The date `s` (`YYYY-MM-DD`); panics if it is not one.
pub fn date(s: &str) -> Date {
    s.parse().expect("valid test date")
}
