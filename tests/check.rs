//! `ratebook check` and the loader on each kind of broken pricing file: every problem is
//! reported with its file, line, column and key.

use ratebook::{ErrorKind, SourceFile, load};
use ratebook_tests::run;

/// A valid one-model file; each test breaks one thing in it. Line numbers matter below.
const BASE: &str = r#"[provider]
id = "acme"
name = "Acme"

[image_schemes.tiles]
kind = "openai_tiles"
base = 85
per_tile = 170
fit = 2048
short_side = 768
tile = 512

[models."acme-1"]
name = "Acme 1"
aliases = ["acme-1-latest"]
image_input = "tiles"

[[models."acme-1".prices]]
effective = "2026-01-01"
source = "https://acme.example/pricing"
checked = "2026-11-20"
input = "1.00"
output = "4.00"
cache_read = "0.10"
batch = { multiplier = "0.5", cache_read = true }

[[models."acme-1".prices.long_context]]
threshold = 200000
comparison = ">"
counts = ["input", "cache_read"]
application = "whole_request"
input = "2.00"
output = "6.00"
"#;

/// Loads `text` as `acme.toml` and returns the first error's kind, "line:column" and display.
fn first_error(text: &str) -> (ErrorKind, String, String) {
    let loaded = load(&[SourceFile::new("acme.toml", text)]);
    let e = loaded
        .errors
        .first()
        .unwrap_or_else(|| panic!("expected an error for:\n{text}"));
    let loc = e.location.as_ref().expect("errors from files are located");
    assert_eq!(loc.file, "acme.toml");
    assert_eq!(loaded.rejected_files, vec!["acme.toml".to_string()]);
    (
        e.kind,
        format!("{}:{}", loc.line, loc.column),
        e.to_string(),
    )
}

#[test]
fn the_base_file_is_valid() {
    let loaded = load(&[SourceFile::new("acme.toml", BASE)]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.book.models().len(), 1);
}

#[test]
fn unknown_key() {
    let (kind, at, msg) = first_error(&BASE.replace("output = \"4.00\"", "outptu = \"4.00\""));
    assert_eq!(kind, ErrorKind::UnknownKey);
    assert_eq!(at, "23:1");
    assert!(
        msg.contains("unknown field `outptu`") && msg.contains("models.acme-1.prices[0].outptu"),
        "{msg}"
    );
}

#[test]
fn bare_float_price() {
    let (kind, at, msg) = first_error(&BASE.replace("input = \"1.00\"", "input = 1.0"));
    assert_eq!(kind, ErrorKind::InvalidValue);
    assert_eq!(at, "22:9");
    assert!(
        msg.contains("quoted") && msg.contains("prices[0].input"),
        "{msg}"
    );
}

#[test]
fn syntax_error() {
    let (kind, at, _) = first_error(&BASE.replace("name = \"Acme 1\"", "name = \"Acme 1"));
    assert_eq!(kind, ErrorKind::Syntax);
    assert!(at.starts_with("14:"), "{at}");
}

#[test]
fn missing_source() {
    let (kind, _, msg) =
        first_error(&BASE.replace("source = \"https://acme.example/pricing\"\n", ""));
    assert_eq!(kind, ErrorKind::Validation);
    assert!(
        msg.contains("no `source`") && msg.contains("prices[0].source"),
        "{msg}"
    );
}

#[test]
fn missing_checked_date() {
    let (_, _, msg) = first_error(&BASE.replace("checked = \"2026-11-20\"\n", ""));
    assert!(msg.contains("no `checked` date"), "{msg}");
}

fn with_second_entry(effective: &str) -> String {
    BASE.replace(
        "\n[[models.\"acme-1\".prices.long_context]]",
        &format!(
            "\n[[models.\"acme-1\".prices]]\neffective = \"{effective}\"\nsource = \"https://acme.example/news\"\nchecked = \"2026-11-20\"\ninput = \"0.80\"\n\n[[models.\"acme-1\".prices.long_context]]"
        ),
    )
}

#[test]
fn a_second_dated_entry_is_valid_and_inherits() {
    let loaded = load(&[SourceFile::new(
        "acme.toml",
        with_second_entry("2026-07-01"),
    )]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let m = &loaded.book.models()[0];
    assert_eq!(m.prices.len(), 2);
    assert_eq!(
        m.prices[0].until.map(|d| d.to_string()).as_deref(),
        Some("2026-07-01")
    );
    // Output was not restated, so it is inherited.
    assert_eq!(
        m.prices[1]
            .rates
            .get(ratebook::Meter::OutputText)
            .map(|d| d.to_string())
            .as_deref(),
        Some("4.00")
    );
}

#[test]
fn overlapping_effective_dates() {
    let (_, at, msg) = first_error(&with_second_entry("2026-01-01"));
    assert!(msg.contains("overlaps"), "{msg}");
    assert_eq!(at, "28:13");
}

#[test]
fn out_of_order_effective_dates() {
    let (_, _, msg) = first_error(&with_second_entry("2025-06-01"));
    assert!(msg.contains("out of order"), "{msg}");
}

#[test]
fn duplicate_ids_or_aliases_across_files() {
    let other = BASE
        .replace("id = \"acme\"", "id = \"acme2\"")
        .replace("[models.\"acme-1\"]", "[models.\"acme-2\"]")
        .replace("models.\"acme-1\".prices", "models.\"acme-2\".prices");
    // acme-2 keeps the alias acme-1-latest: a duplicate across files.
    let loaded = load(&[
        SourceFile::new("acme.toml", BASE),
        SourceFile::new("acme2.toml", other),
    ]);
    let e = loaded.errors.first().expect("duplicate alias is an error");
    assert!(e.to_string().starts_with("acme2.toml:13:"), "{e}");
    assert!(
        e.message.contains("duplicate")
            && e.message.contains("acme-1-latest")
            && e.message.contains("acme.toml:13"),
        "{e}"
    );
    // The first file still loads; the second is left out.
    assert_eq!(loaded.book.models().len(), 1);
    assert_eq!(loaded.rejected_files, vec!["acme2.toml".to_string()]);
}

#[test]
fn cached_rate_above_input() {
    let (_, at, msg) = first_error(&BASE.replace("cache_read = \"0.10\"", "cache_read = \"1.50\""));
    assert_eq!(at, "24:14");
    assert!(
        msg.contains("cached rate 1.50 is above the input rate 1.00"),
        "{msg}"
    );
}

#[test]
fn batch_dearer_than_standard() {
    let (_, _, msg) = first_error(&BASE.replace("multiplier = \"0.5\"", "multiplier = \"1.5\""));
    assert!(
        msg.contains("dearer than standard") && msg.contains("batch.multiplier"),
        "{msg}"
    );
    let (_, _, msg) = first_error(&BASE.replace(
        "batch = { multiplier = \"0.5\", cache_read = true }",
        "batch = { multiplier = \"0.5\", cache_read = true, rates = { output = \"5.00\" } }",
    ));
    assert!(
        msg.contains("batch rate 5.00 is above the standard rate 4.00"),
        "{msg}"
    );
}

#[test]
fn tier_rate_below_base() {
    let (_, at, msg) = first_error(&BASE.replace("output = \"6.00\"", "output = \"3.00\""));
    assert!(
        msg.contains("tier rate 3.00 is below the base rate 4.00"),
        "{msg}"
    );
    assert_eq!(at, "33:10");
}

#[test]
fn price_outside_the_sane_range() {
    let (_, _, msg) = first_error(&BASE.replace("output = \"4.00\"", "output = \"4000000\""));
    assert!(msg.contains("outside the sane range"), "{msg}");
    let (_, _, msg) = first_error(&BASE.replace("input = \"1.00\"", "input = \"-1\""));
    assert!(msg.contains("negative"), "{msg}");
}

#[test]
fn impossible_image_scheme() {
    let (_, at, msg) = first_error(&BASE.replace("tile = 512", "tile = 0"));
    assert!(msg.contains("impossible image scheme `tiles`"), "{msg}");
    assert!(at.starts_with("5:") || at.starts_with("6:"), "{at}");
    let (_, _, msg) = first_error(&BASE.replace("short_side = 768", "short_side = 4096"));
    assert!(msg.contains("cannot exceed fit"), "{msg}");
    let (_, _, msg) =
        first_error(&BASE.replace("image_input = \"tiles\"", "image_input = \"nope\""));
    assert!(msg.contains("`nope` is not defined"), "{msg}");
}

#[test]
fn cli_check_prints_file_line_column_and_fails() {
    let dir = std::env::temp_dir().join(format!("ratebook-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("acme.toml"),
        BASE.replace("input = \"1.00\"", "input = 1.0"),
    )
    .unwrap();
    let out = run(&["check", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let expected = format!("{}:22:9: bare float", dir.join("acme.toml").display());
    assert!(stdout.contains(&expected), "{stdout}");
    std::fs::write(dir.join("acme.toml"), BASE).unwrap();
    let out = run(&["check", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: 1 files, 1 models"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_repository_book_passes_check() {
    let out = run(&["check", "pricing"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
