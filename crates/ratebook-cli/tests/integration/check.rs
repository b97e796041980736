//! `ratebook check` and the loader on each kind of broken pricing file: every problem is
//! reported with its file, line, column and key.

use crate::support::run;
use ratebook::{ErrorKind, SourceFile, load};

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
        msg.contains("unknown key `outptu`; did you mean `output`?")
            && msg.contains("models.acme-1.prices[0].outptu"),
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
        msg.contains("models.acme-1.prices[0]: missing `source`"),
        "{msg}"
    );
}

#[test]
fn missing_checked_date() {
    let (_, _, msg) = first_error(&BASE.replace("checked = \"2026-11-20\"\n", ""));
    assert!(
        msg.contains("models.acme-1.prices[0]: missing `checked`"),
        "{msg}"
    );
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

#[test]
fn the_reader_accepts_exactly_the_keys_the_schema_lists() {
    use ratebook::read::keys;
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::support::root().join("pricing/schema.json")).unwrap(),
    )
    .unwrap();
    let props = |def: &serde_json::Value| -> Vec<String> {
        let mut v: Vec<String> = def["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        v.sort();
        v
    };
    let sorted = |parts: &[&[&str]]| -> Vec<String> {
        let mut v: Vec<String> = parts
            .iter()
            .flat_map(|p| p.iter().map(|s| s.to_string()))
            .collect();
        v.sort();
        v
    };
    let defs = &schema["$defs"];
    assert_eq!(props(&schema), sorted(&[keys::FILE]));
    assert_eq!(props(&defs["ProviderInfo"]), sorted(&[keys::PROVIDER]));
    assert_eq!(props(&defs["Billing"]), sorted(&[keys::BILLING]));
    assert_eq!(props(&defs["ModelSpec"]), sorted(&[keys::MODEL]));
    assert_eq!(
        props(&defs["PriceEntry"]),
        sorted(&[keys::ENTRY_OTHER, keys::RATES])
    );
    assert_eq!(props(&defs["ModeSpec"]), sorted(&[keys::MODE]));
    assert_eq!(
        props(&defs["TierSpec"]),
        sorted(&[keys::TIER_OTHER, keys::RATES])
    );
    assert_eq!(props(&defs["Fee"]), sorted(&[keys::FEE]));
    let variants = defs["ImageScheme"]["oneOf"].as_array().unwrap();
    assert_eq!(variants.len(), keys::SCHEME_KINDS.len());
    for v in variants {
        let kind = v["properties"]["kind"]["const"].as_str().unwrap();
        let (_, fields) = keys::SCHEME_KINDS
            .iter()
            .find(|(k, _)| *k == kind)
            .expect("kind known to the reader");
        assert_eq!(props(v), sorted(&[&["kind"], fields]), "{kind}");
    }
}

#[test]
fn every_structural_problem_of_a_file_is_reported_at_once() {
    // Two unknown keys and a bare float in one file: three located errors, not just the first.
    let text = BASE
        .replace("output = \"4.00\"", "outptu = \"4.00\"")
        .replace("input = \"1.00\"", "input = 1.0")
        .replace("name = \"Acme 1\"", "name = \"Acme 1\"\ncolour = \"blue\"");
    let loaded = load(&[SourceFile::new("acme.toml", text)]);
    let msgs: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(msgs.len(), 3, "{msgs:#?}");
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("acme.toml:15:1: unknown key `colour`; expected one of `name`")),
        "{msgs:#?}"
    );
    assert!(msgs.iter().any(|m| m.contains("bare float")), "{msgs:#?}");
    assert!(msgs.iter().any(|m| m.contains("`outptu`")), "{msgs:#?}");
}

#[test]
fn wrong_types_and_missing_fields_are_located() {
    let (kind, at, msg) = first_error(&BASE.replace("threshold = 200000", "threshold = \"lots\""));
    assert_eq!(kind, ErrorKind::InvalidValue);
    assert_eq!(at, "28:13");
    assert!(
        msg.contains("expected a whole number, found a string"),
        "{msg}"
    );
    let (_, _, msg) = first_error(&BASE.replace("effective = \"2026-01-01\"\n", ""));
    assert!(
        msg.ends_with("acme.toml:18:1: models.acme-1.prices[0]: missing `effective`"),
        "{msg}"
    );
    // A bare TOML date is read as the date it says.
    let loaded = load(&[SourceFile::new(
        "acme.toml",
        BASE.replace("effective = \"2026-01-01\"", "effective = 2026-01-01"),
    )]);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
}

#[test]
fn read_and_validation_errors_of_a_file_are_reported_in_one_run() {
    // acme-1: a misspelled key (read error) and a batch multiplier above 1 (validation error)
    // in the same entry. acme-2: a bare float (read error; the model cannot be validated).
    // acme-3: an entry without `source` (validation error).
    let extra = r#"
[models."acme-2"]
name = "Acme 2"

[[models."acme-2".prices]]
effective = "2026-01-01"
source = "https://acme.example/pricing"
checked = "2026-11-20"
input = 2.0

[models."acme-3"]
name = "Acme 3"

[[models."acme-3".prices]]
effective = "2026-01-01"
checked = "2026-11-20"
input = "3.00"
"#;
    let text = BASE
        .replace("cache_read = \"0.10\"", "cache_reed = \"0.10\"")
        .replace("multiplier = \"0.5\"", "multiplier = \"1.5\"")
        + extra;
    let loaded = load(&[SourceFile::new("acme.toml", text.as_str())]);
    let mut msgs: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
    msgs.sort();
    assert_eq!(msgs.len(), 4, "{msgs:#?}");
    assert!(
        msgs[0].starts_with("acme.toml:24:1: unknown key `cache_reed`; did you mean `cache_read`?"),
        "{msgs:#?}"
    );
    assert!(
        msgs[1].starts_with("acme.toml:25:24:")
            && msgs[1].contains("batch multiplier 1.5 would make batch dearer"),
        "{msgs:#?}"
    );
    assert!(
        msgs[2].starts_with("acme.toml:42:9: bare float 2.0"),
        "{msgs:#?}"
    );
    assert_eq!(
        msgs[3],
        "acme.toml:47:1: models.acme-3.prices[0]: missing `source` (the URL the prices were read from)"
    );
    assert_eq!(loaded.rejected_files, vec!["acme.toml".to_string()]);
    assert!(loaded.book.models().is_empty());

    // `check` prints them all, sorted by file and line, across files.
    let dir = std::env::temp_dir().join(format!("ratebook-check-both-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("acme.toml"), &text).unwrap();
    let zeta = BASE
        .replace("id = \"acme\"", "id = \"zeta\"")
        .replace("acme-1", "zeta-1")
        .replace("cache_read = \"0.10\"", "cache_read = \"9.00\"")
        .replace(
            "name = \"Acme 1\"",
            "name = \"Zeta 1\"\ncontext_windwo = 1000",
        );
    std::fs::write(dir.join("zeta.toml"), zeta).unwrap();
    let out = run(&["check", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let places: Vec<String> = stdout
        .lines()
        .map(|l| {
            let rest = l.strip_prefix(&format!("{}/", dir.display())).unwrap_or(l);
            rest.split(": ").next().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(
        places,
        [
            "acme.toml:24:1",
            "acme.toml:25:24",
            "acme.toml:42:9",
            "acme.toml:47:1",
            "zeta.toml:15:1",
            "zeta.toml:25:14",
        ],
        "{stdout}"
    );
    assert!(
        stdout.contains("unknown key `context_windwo`; did you mean `context_window`?"),
        "{stdout}"
    );
    assert!(
        stdout.contains("cached rate 9.00 is above the input rate 1.00"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unknown_names_suggest_the_closest_known_one() {
    let msg = |text: String| {
        let loaded = load(&[SourceFile::new("acme.toml", text)]);
        assert!(!loaded.errors.is_empty());
        loaded.errors[0].to_string()
    };
    // A key of a price entry, of a mode, of the provider; a scheme kind; a mode's rate.
    let m = msg(BASE.replace("cache_read = \"0.10\"", "cache_reed = \"0.10\""));
    assert!(
        m.contains("unknown key `cache_reed`; did you mean `cache_read`?"),
        "{m}"
    );
    let m = msg(BASE.replace("multiplier = \"0.5\"", "multiplyer = \"0.5\""));
    assert!(
        m.contains("unknown key `multiplyer`; did you mean `multiplier`?"),
        "{m}"
    );
    let m = msg(BASE.replace("name = \"Acme\"", "name = \"Acme\"\npricing_ulr = \"x\""));
    assert!(
        m.contains("unknown key `pricing_ulr`; did you mean `pricing_url`?"),
        "{m}"
    );
    let m = msg(BASE.replace("kind = \"openai_tiles\"", "kind = \"openai_tile\""));
    assert!(
        m.contains("unknown image scheme kind `openai_tile`; did you mean `openai_tiles`?"),
        "{m}"
    );
    let m = msg(BASE.replace(
        "cache_read = true }",
        "cache_read = true, rates = { inptu = \"0.40\" } }",
    ));
    assert!(
        m.contains("unknown rate `inptu`; did you mean `input`?"),
        "{m}"
    );
    // Nothing close: the list of known keys instead of a guess.
    let m = msg(BASE.replace("output = \"4.00\"", "output = \"4.00\"\nvolume = \"1\""));
    assert!(
        m.contains("unknown key `volume`; expected one of `effective`, `source`")
            && !m.contains("did you mean"),
        "{m}"
    );
}

#[test]
fn a_missing_required_field_names_its_model_table() {
    // Three entries of `gpt-9.1` (a dotted id, quoted in the key path); the third lacks
    // `source` and the model's second tier lacks `application`.
    let text = r#"[provider]
id = "acme"
name = "Acme"

[models."gpt-9.1"]
name = "GPT 9.1"

[[models."gpt-9.1".prices]]
effective = "2026-01-01"
source = "https://acme.example/pricing"
checked = "2026-11-20"
input = "1.00"

[[models."gpt-9.1".prices]]
effective = "2026-02-01"
source = "https://acme.example/pricing"
checked = "2026-11-20"
input = "0.90"

[[models."gpt-9.1".prices]]
effective = "2026-03-01"
checked = "2026-11-20"
input = "0.80"
"#;
    let loaded = load(&[SourceFile::new("acme.toml", text)]);
    let msgs: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        msgs,
        [
            "acme.toml:20:1: models.\"gpt-9.1\".prices[2]: missing `source` (the URL the prices were read from)"
        ]
    );
    assert_eq!(
        loaded.errors[0]
            .location
            .as_ref()
            .and_then(|l| l.key.as_deref()),
        Some("models.\"gpt-9.1\".prices[2]")
    );
    // A field the reader requires (`effective`, a tier's `application`) reads the same way.
    let text = text.replace("effective = \"2026-02-01\"\n", "")
        + "\n[[models.\"gpt-9.1\".prices.long_context]]\nthreshold = 1000\ncomparison = \">\"\ncounts = [\"input\"]\ninput = \"2.00\"\n";
    let loaded = load(&[SourceFile::new("acme.toml", text)]);
    let msgs: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
    assert!(
        msgs.contains(
            &"acme.toml:14:1: models.\"gpt-9.1\".prices[1]: missing `effective`".to_string()
        ),
        "{msgs:#?}"
    );
    assert!(
        msgs.contains(
            &"acme.toml:24:1: models.\"gpt-9.1\".prices[2].long_context[0]: missing `application`"
                .to_string()
        ),
        "{msgs:#?}"
    );
}

#[test]
fn an_unreadable_image_scheme_is_reported_once() {
    // The scheme cannot be read (a string where a number belongs); the model that names it is
    // still validated (its cached rate is above input) but not also told the scheme is undefined.
    let text = BASE
        .replace("tile = 512", "tile = \"512\"")
        .replace("cache_read = \"0.10\"", "cache_read = \"1.50\"");
    let loaded = load(&[SourceFile::new("acme.toml", text)]);
    let msgs: Vec<String> = loaded.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(msgs.len(), 2, "{msgs:#?}");
    assert!(
        msgs[0].starts_with("acme.toml:11:8: expected a whole number, found a string"),
        "{msgs:#?}"
    );
    assert!(
        msgs[1].starts_with("acme.toml:24:14: cached rate 1.50 is above the input rate 1.00"),
        "{msgs:#?}"
    );
}

#[test]
fn a_rate_moving_more_than_five_times_is_a_warning_not_an_error() {
    use ratebook::plausible;
    // BASE without its long-context tier (whose absolute rates would fall below the new output
    // rate), then a second entry that cuts input from 1.00 to 0.10 (10×) and raises output from
    // 4.00 to 25.00 (6.25×); cache_read goes from 0.10 to 0.05 (2×), a plausible change.
    let entry = |date: &str, rates: &str| {
        format!(
            "\n[[models.\"acme-1\".prices]]\neffective = \"{date}\"\nsource = \"https://acme.example/news\"\nchecked = \"2026-11-20\"\n{rates}"
        )
    };
    let untiered = BASE
        .split("\n[[models.\"acme-1\".prices.long_context]]")
        .next()
        .unwrap();
    let text = format!(
        "{untiered}{}",
        entry(
            "2026-07-01",
            "input = \"0.10\"\noutput = \"25.00\"\ncache_read = \"0.05\"\n"
        )
    );
    let files = [SourceFile::new("acme.toml", text.as_str())];
    assert!(load(&files).errors.is_empty());
    let found = plausible::check(&files, crate::support::date("2026-11-26"));
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let warnings: Vec<String> = found.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [
            "acme.toml:31:9: warning: `input` falls 10× from the previous entry (1.00 from \
             2026-01-01 → 0.10 from 2026-07-01); more than 5× is more often a unit mistake (per \
             1K tokens, per token) than a price change",
            "acme.toml:32:10: warning: `output` rises 6.3× from the previous entry (4.00 from \
             2026-01-01 → 25.00 from 2026-07-01); more than 5× is more often a unit mistake (per \
             1K tokens, per token) than a price change",
        ]
    );
    assert_eq!(
        found.warnings[0].location.key.as_deref(),
        Some("models.acme-1.prices[1].input")
    );
    // The rate compared is the one in force: a third entry that does not restate `output`
    // passes 25.00 on, so a fourth at 4.50 falls 5.6× (from the first entry's 4.00 it would not).
    let fourth = format!(
        "{text}{}{}",
        entry("2026-09-01", "cache_read = \"0.06\"\n"),
        entry("2026-10-01", "output = \"4.50\"\n")
    );
    assert!(
        load(&[SourceFile::new("acme.toml", fourth.as_str())])
            .errors
            .is_empty()
    );
    let found = plausible::check(
        &[SourceFile::new("acme.toml", fourth)],
        crate::support::date("2026-11-26"),
    );
    assert_eq!(found.warnings.len(), 3, "{:?}", found.warnings);
    assert!(
        found.warnings[2].message.starts_with(
            "`output` falls 5.6× from the previous entry (25.00 from 2026-07-01 → 4.50 from 2026-10-01)"
        ),
        "{}",
        found.warnings[2]
    );

    // `check` prints the warnings and still succeeds.
    let dir = std::env::temp_dir().join(format!("ratebook-check-warn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("acme.toml"), &text).unwrap();
    let out = run(&["check", dir.to_str().unwrap(), "--today", "2026-11-26"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let file = dir.join("acme.toml").display().to_string();
    assert!(
        stdout.contains(&format!("{file}:31:9: warning: `input` falls 10×")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{file}:32:10: warning: `output` rises 6.3×")),
        "{stdout}"
    );
    assert!(
        stdout.contains("ok: 1 files, 1 models (acme 1); 2 warning(s)"),
        "{stdout}"
    );
    let v: serde_json::Value = serde_json::from_slice(
        &run(&[
            "check",
            dir.to_str().unwrap(),
            "--today",
            "2026-11-26",
            "--json",
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 2);
    assert_eq!(v["warnings"][0]["location"]["line"], 31);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_checked_date_in_the_future_is_rejected() {
    use ratebook::plausible;
    // BASE was checked on 2026-11-20 (line 21).
    let files = [SourceFile::new("acme.toml", BASE)];
    let found = plausible::check(&files, crate::support::date("2026-11-19"));
    let errors: Vec<String> = found.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        errors,
        [
            "acme.toml:21:11: checked date 2026-11-20 is in the future (today is 2026-11-19); \
             `checked` is the day the prices were verified (key `models.acme-1.prices[0].checked`)"
        ]
    );
    assert_eq!(found.errors[0].kind, ErrorKind::Validation);
    assert!(
        plausible::check(&files, crate::support::date("2026-11-20"))
            .errors
            .is_empty()
    );

    // The CLI takes today's date from the clock, or from --today.
    let dir = std::env::temp_dir().join(format!("ratebook-check-today-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("acme.toml"), BASE).unwrap();
    let d = dir.to_str().unwrap();
    let out = run(&["check", d, "--today", "2026-11-19"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(":21:11: checked date 2026-11-20 is in the future"),
        "{stdout}"
    );
    assert_eq!(
        run(&["check", d, "--today", "2026-11-20"]).status.code(),
        Some(0)
    );
    // A checked date far ahead of the real clock is rejected without --today.
    std::fs::write(
        dir.join("acme.toml"),
        BASE.replace("checked = \"2026-11-20\"", "checked = \"9999-01-01\""),
    )
    .unwrap();
    let out = run(&["check", d]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("checked date 9999-01-01 is in the future")
    );
    let out = run(&["check", d, "--today", "2026-13-01"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid calendar date"));
    std::fs::remove_dir_all(&dir).unwrap();
}
