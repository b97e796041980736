//! The READMEs' Rust: every ```rust block of the repository's README is one of the crate
//! README's examples, which run as doctests (`ratebook::ReadmeDoctests`), so what a reader
//! copies compiles and prints what it says.

use ratebook_tests::root;

/// The contents of the ```rust blocks of `text`, in order.
fn rust_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```rust") => current = Some(String::new()),
            (Some(_), "```") => blocks.push(current.take().unwrap_or_default()),
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_readmes_rust_is_the_crates_doctested_examples() {
    let repo = std::fs::read_to_string(root().join("README.md")).unwrap();
    let krate = std::fs::read_to_string(root().join("crates/ratebook/README.md")).unwrap();
    let ours = rust_blocks(&repo);
    let doctested = rust_blocks(&krate);
    assert!(!ours.is_empty(), "the README has a Rust example");
    // The crate README shows the four jobs: estimate, budget, responses, own files and prices.
    assert_eq!(doctested.len(), 4);
    for block in &ours {
        assert!(
            doctested.iter().any(|d| d.contains(block.as_str())),
            "README.md's Rust example is not one of crates/ratebook/README.md's doctests:\n{block}"
        );
    }
}
