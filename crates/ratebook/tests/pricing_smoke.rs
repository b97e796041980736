//! Loads the repository's pricing files and fails with every located error.
#[test]
fn pricing_files_load() {
    let loaded = ratebook::bundled::load_bundled();
    let msgs: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
    assert!(msgs.is_empty(), "{}", msgs.join("\n"));
    assert!(loaded.book.models().len() >= 10);
}
