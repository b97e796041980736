//! The `ratebook` binary's contract: the flag names, JSON fields and exit codes other tools
//! script against.

use crate::support::{run, run_json};

#[test]
fn estimate_json_has_the_contract_fields() {
    // gemini-3.1-flash-image: 1,000 in × $0.50 + one 1K image (1,120 × $60) = 0.0005 + 0.0672.
    let v = run_json(&[
        "estimate",
        "--model",
        "gemini-3.1-flash-image-preview",
        "--date",
        "2026-11-23",
        "--input-tokens",
        "1000",
        "--output-images",
        "1@1K",
        "--json",
    ]);
    assert_eq!(v["model"], "gemini-3.1-flash-image");
    assert_eq!(v["date"], "2026-11-23");
    assert_eq!(v["mode"], "standard");
    assert_eq!(v["total_usd"], "0.0677");
    let items = v["line_items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["meter"], "output_image");
    assert_eq!(items[1]["quantity"], 1120);
    assert_eq!(items[1]["amount_usd"], "0.0672");
    assert!(items[1]["rule"].as_str().unwrap().contains("standard rate"));
}

#[test]
fn estimate_cache_flags_and_batch() {
    // claude-sonnet-4-5 batch: 10,000 prompt incl. 6,000 cache reads and 2,000 1h writes; 500 out.
    // Batch halves (stacked): 2,000 × $1.50 = 0.003; 6,000 × $0.15 = 0.0009; 2,000 × $3
    // = 0.006; 500 × $7.50 = 0.00375 → 0.01365.
    let v = run_json(&[
        "estimate",
        "--model",
        "claude-sonnet-4-5",
        "--date",
        "2026-11-23",
        "--mode",
        "batch",
        "--input-tokens",
        "10000",
        "--cached-tokens",
        "6000",
        "--cache-write-tokens",
        "2000",
        "--cache-ttl",
        "1h",
        "--output-tokens",
        "500",
        "--json",
    ]);
    assert_eq!(v["total_usd"], "0.01365");
    assert_eq!(v["mode"], "batch");
}

#[test]
fn estimate_with_input_images() {
    // Two 1024×1024 images on gpt-4o: 2 × 765 = 1,530 tokens × $2.50 = 0.003825.
    let v = run_json(&[
        "estimate",
        "--model",
        "gpt-4o",
        "--date",
        "2026-11-23",
        "--image",
        "1024x1024",
        "--image",
        "1024x1024:high",
        "--json",
    ]);
    assert_eq!(v["total_usd"], "0.003825");
    assert_eq!(v["image_tokens"], serde_json::json!([765, 765]));
}

#[test]
fn image_tokens_json() {
    let v = run_json(&[
        "image-tokens",
        "--model",
        "gemini-2.5-flash",
        "960x540",
        "--json",
    ]);
    assert_eq!(v["tokens"], 1548);
    let v = run_json(&[
        "image-tokens",
        "--model",
        "gpt-4o",
        "1024x1024",
        "--detail",
        "low",
        "--json",
    ]);
    assert_eq!(v["tokens"], 85);
}

#[test]
fn models_lists_the_book() {
    let v = run_json(&["models", "--json", "--date", "2026-11-23"]);
    let ids: Vec<&str> = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    for id in ["gemini-3.1-flash-image", "gpt-4o", "claude-sonnet-4-5"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
}

#[test]
fn errors_go_to_stderr_with_a_nonzero_exit() {
    let out = run(&["estimate", "--model", "gpt4o", "--input-tokens", "1"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown model `gpt4o`") && err.contains("did you mean gpt-4o"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let out = run(&["estimate", "--model", "gpt-4o", "--output-images", "x@1K"]);
    assert_eq!(out.status.code(), Some(1));
    let out = run(&["estimate", "--model", "gpt-4o", "--date", "2026-02-30"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid calendar date"));
}

#[test]
fn the_readable_table_shows_sentences() {
    let out = run(&[
        "estimate",
        "--model",
        "gemini-3.1-flash-image",
        "--date",
        "2026-11-23",
        "--output-images",
        "1@1K",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "image output: 1 image at 1K: 1 × 1,120 tokens = 1,120 tokens × $60.00/M = $0.0672"
        ),
        "{text}"
    );
    assert!(text.contains("total: $0.0672"), "{text}");
}

#[test]
fn schema_is_in_sync_with_the_committed_file() {
    // pricing/schema.json is generated from the Rust types by `ratebook schema`; regenerate it
    // with `cargo run -p ratebook-cli -- schema > pricing/schema.json` after changing them.
    let out = run(&["schema"]);
    assert!(out.status.success());
    let committed = std::fs::read_to_string(crate::support::root().join("pricing/schema.json"))
        .expect("pricing/schema.json exists");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        committed,
        "pricing/schema.json is stale"
    );
}

#[test]
fn diff_between_dates_and_directories() {
    // Between two dates with no entry starting in between there is nothing to report.
    let v = run_json(&[
        "diff",
        "--from",
        "2026-11-22",
        "--to",
        "2026-11-23",
        "--json",
    ]);
    assert_eq!(v["count"], 0);
    // Two directories: a copy of the book with one price changed shows exactly that change.
    let dir = std::env::temp_dir().join(format!("ratebook-diff-{}", std::process::id()));
    let (old, new) = (dir.join("old"), dir.join("new"));
    for d in [&old, &new] {
        std::fs::create_dir_all(d).unwrap();
    }
    let root = crate::support::root().join("pricing");
    for entry in std::fs::read_dir(&root).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(old.join(p.file_name().unwrap()), &text).unwrap();
            let changed = if p.file_name().unwrap() == "anthropic.toml" {
                text.replacen("output = \"5.00\"", "output = \"4.00\"", 1)
            } else {
                text
            };
            std::fs::write(new.join(p.file_name().unwrap()), changed).unwrap();
        }
    }
    let v = run_json(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(v["count"], 1, "{v}");
    assert_eq!(v["changes"][0]["field"], "output");
    assert_eq!(v["changes"][0]["old"], "5");
    assert_eq!(v["changes"][0]["new"], "4");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn compare_sorts_by_cost_and_keeps_unpriced_models() {
    // 10,000 in + 1,000 out. gemini-2.5-pro: 10,000 × $1.25 + 1,000 × $10 = 0.0125 + 0.01
    // = 0.0225; gpt-4o: 10,000 × $2.50 + 1,000 × $10 = 0.025 + 0.01 = 0.035. × 100 a day.
    let v = run_json(&[
        "compare",
        "--models",
        "gpt-4o,gemini-2.5-pro,no-such-model",
        "--date",
        "2026-11-23",
        "--input-tokens",
        "10000",
        "--output-tokens",
        "1000",
        "--requests-per-day",
        "100",
        "--json",
    ]);
    let rows = v["models"].as_array().unwrap();
    assert_eq!(rows[0]["model"], "gemini-2.5-pro");
    assert_eq!(rows[0]["total_usd"], "0.0225");
    assert_eq!(rows[0]["daily_usd"], "2.25");
    assert_eq!(rows[0]["monthly_usd"], "67.5");
    assert_eq!(rows[1]["model"], "gpt-4o");
    assert_eq!(rows[1]["total_usd"], "0.035");
    assert_eq!(v["unpriced"][0]["model"], "no-such-model");
    assert!(
        v["unpriced"][0]["error"]
            .as_str()
            .unwrap()
            .contains("unknown model")
    );
}

/// Runs `ratebook ARGS…` with stdout connected to a pipe whose reader has already exited, the
/// earliest a reader can close (`ratebook models | head -0`): the first write fails with a
/// broken pipe, deterministically, however little the command prints.
fn run_into_closed_pipe(args: &[&str]) -> std::process::Output {
    use std::process::{Command, Stdio};
    // The reader: a process that holds the read end of a pipe and exits without reading. Once it
    // has exited, nobody holds the read end (std opens pipes close-on-exec).
    let mut reader = Command::new(crate::support::ratebook_bin())
        .arg("--version")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("reader runs");
    let write_end = reader.stdin.take().expect("piped stdin");
    assert!(reader.wait().expect("reader exits").success());
    Command::new(crate::support::ratebook_bin())
        .args(args)
        .current_dir(crate::support::root())
        .stdout(Stdio::from(write_end))
        .stderr(Stdio::piped())
        .output()
        .expect("ratebook runs")
}

#[test]
fn no_subcommand_panics_on_a_closed_pipe() {
    let cases: &[&[&str]] = &[
        &["estimate", "--model", "gpt-4o", "--input-tokens", "1000"],
        &[
            "estimate",
            "--model",
            "gpt-4o",
            "--input-tokens",
            "1000",
            "--json",
        ],
        &["compare", "--input-tokens", "1000", "--output-tokens", "10"],
        &["compare", "--input-tokens", "1000", "--json"],
        &["image-tokens", "--model", "gpt-4o", "1024x1024"],
        &["image-tokens", "--model", "gpt-4o", "1024x1024", "--json"],
        &["models"],
        &["models", "--json"],
        &["check", "pricing"],
        &["check", "pricing", "--json"],
        &["diff", "--from", "2026-01-01", "--to", "2027-01-01"],
        &[
            "diff",
            "--from",
            "2026-01-01",
            "--to",
            "2027-01-01",
            "--json",
        ],
        &["schema"],
        &["cost", "tests/data/usage/mixed.jsonl"],
        &["cost", "tests/data/usage/mixed.jsonl", "--json"],
        &["scenario", "--file", "tests/data/scenario/flash-lite.toml"],
        &[
            "scenario",
            "--file",
            "tests/data/scenario/flash-lite.toml",
            "--json",
        ],
    ];
    for args in cases {
        let out = run_into_closed_pipe(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "ratebook {args:?}: {stderr}");
        assert_ne!(out.status.code(), Some(101), "ratebook {args:?}: {stderr}");
        // Nobody is left to read the output: the command ends quietly and successfully.
        assert_eq!(out.status.code(), Some(0), "ratebook {args:?}: {stderr}");
        assert!(
            !stderr.contains("Broken pipe"),
            "ratebook {args:?}: {stderr}"
        );
    }
}

/// Runs git in `dir` for a test repository, isolated from the user's and the environment's git
/// settings, and asserts it succeeds.
fn git(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=ratebook tests",
            "-c",
            "user.email=tests@ratebook.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn diff_base_compares_a_git_commit_with_the_working_pricing_directory() {
    use crate::support::run_in;
    let repo = std::env::temp_dir().join(format!("ratebook-diff-base-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&repo);
    let pricing = repo.join("pricing");
    std::fs::create_dir_all(&pricing).unwrap();
    // A small card of its own, so the test does not follow the real book's edits. Claude Haiku
    // 4.5: $1 / $5 (platform.claude.com pricing page).
    let card = "[provider]\nid = \"anthropic\"\nname = \"Anthropic API\"\n\n\
        [image_schemes.claude-patches]\nkind = \"anthropic_patches\"\npatch = 28\n\
        max_long_edge = 1568\nmax_tokens = 1568\n\n\
        [models.\"claude-haiku-4-5\"]\nname = \"Claude Haiku 4.5\"\n\
        aliases = [\"claude-haiku-4-5-20251001\", \"claude-haiku-4.5\"]\n\
        image_input = \"claude-patches\"\ncontext_window = 200000\n\n\
        [[models.\"claude-haiku-4-5\".prices]]\neffective = \"2025-10-15\"\n\
        source = \"https://platform.claude.com/docs/en/about-claude/pricing\"\n\
        checked = \"2026-11-23\"\ninput = \"1.00\"\noutput = \"5.00\"\n\n\
        # ===========================================================================\n\
        # Older models\n";
    std::fs::write(pricing.join("anthropic.toml"), card).unwrap();
    let source = repo.join("committed");
    std::fs::create_dir_all(&source).unwrap();
    std::fs::write(source.join("anthropic.toml"), card).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "pricing"]);
    git(&repo, &["commit", "-q", "-m", "the book"]);

    // The working copy: claude-haiku-4-5 gains an alias, a larger context window and a new
    // entry cutting input 20%; a new model with two entries is added.
    let text = std::fs::read_to_string(pricing.join("anthropic.toml")).unwrap();
    let older =
        "\n# ===========================================================================\n# Older";
    assert_eq!(text.matches(older).count(), 1);
    let entry = |model: &str, date: &str, rates: &str| {
        format!(
            "\n[[models.\"{model}\".prices]]\neffective = \"{date}\"\nsource = \"https://platform.claude.com/docs/en/about-claude/pricing\"\nchecked = \"2026-11-23\"\n{rates}"
        )
    };
    let haiku = "aliases = [\"claude-haiku-4-5-20251001\", \"claude-haiku-4.5\"]\nimage_input = \"claude-patches\"\ncontext_window = 200000";
    assert_eq!(text.matches(haiku).count(), 1);
    let changed = text
        .replace(
            haiku,
            "aliases = [\"claude-haiku-4-5-20251001\", \"claude-haiku-4.5\", \"claude-haiku-4-5-x\"]\nimage_input = \"claude-patches\"\ncontext_window = 400000",
        )
        .replace(
            older,
            &format!(
                "{}{older}",
                entry("claude-haiku-4-5", "2027-03-01", "input = \"0.80\"\n")
            ),
        )
        + "\n[models.\"claude-test-9\"]\nname = \"Claude Test 9\"\n"
        + &entry(
            "claude-test-9",
            "2027-02-01",
            "input = \"2.00\"\noutput = \"10.00\"\n",
        )
        + &entry("claude-test-9", "2027-05-01", "output = \"8.00\"\n");
    std::fs::write(pricing.join("anthropic.toml"), changed).unwrap();

    let out = run_in(&repo, &["diff", "--base", "HEAD", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<String> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {} {} {}",
                c["model"].as_str().unwrap(),
                c["effective"].as_str().unwrap_or("-"),
                c["field"].as_str().unwrap(),
                c["old"].as_str().unwrap_or("-"),
                c["new"].as_str().unwrap_or("-"),
                c["unit"].as_str().unwrap_or("-"),
                c["relative_change"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            "claude-haiku-4-5 - aliases claude-haiku-4-5-20251001, claude-haiku-4.5 \
             claude-haiku-4-5-20251001, claude-haiku-4.5, claude-haiku-4-5-x - -",
            "claude-haiku-4-5 - context_window 200000 400000 tokens 1",
            "claude-haiku-4-5 2027-03-01 entry - 2027-03-01 - -",
            "claude-haiku-4-5 2027-03-01 input 1 0.8 usd_per_1m_tokens -0.2",
            "claude-test-9 2027-02-01 model - Claude Test 9 - -",
            "claude-test-9 2027-02-01 entry - 2027-02-01 - -",
            "claude-test-9 2027-02-01 input - 2 usd_per_1m_tokens -",
            "claude-test-9 2027-02-01 output - 10 usd_per_1m_tokens -",
            "claude-test-9 2027-05-01 entry - 2027-05-01 - -",
            "claude-test-9 2027-05-01 output 10 8 usd_per_1m_tokens -0.2",
        ]
    );
    assert_eq!(v["count"], 10);

    // The table: labelled with each change's own effective date, with units and the change.
    let out = run_in(&repo, &["diff", "--base", "HEAD"]);
    let table = String::from_utf8_lossy(&out.stdout);
    for want in [
        "claude-haiku-4-5 (anthropic)\n",
        "  context_window  200,000 tokens → 400,000 tokens  (+100%)\n",
        "  from 2027-03-01: entry added\n    input           $1.00/M → $0.80/M  (\u{2212}20%)\n",
        "claude-test-9 (anthropic)\n  model added: Claude Test 9\n  from 2027-02-01: entry added\n    input   — → $2.00/M\n",
        "  from 2027-05-01: entry added\n    output  $10.00/M → $8.00/M  (\u{2212}20%)\n",
        "10 change(s)\n",
    ] {
        assert!(table.contains(want), "missing {want:?} in:\n{table}");
    }

    // --pricing DIR replaces the working directory: the committed files give no changes.
    let out = run_in(
        &repo,
        &[
            "diff",
            "--base",
            "HEAD",
            "--pricing",
            source.to_str().unwrap(),
        ],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "no changes\n");

    // A ref that names nothing, a directory outside any repository, no git at all.
    let out = run_in(&repo, &["diff", "--base", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("git ref `no-such-branch` does not name a commit"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outside = repo.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::rename(repo.join(".git"), repo.join("dot-git")).unwrap();
    // (Git looks no further up than the test directory, whatever holds it.)
    let out = std::process::Command::new(crate::support::ratebook_bin())
        .args(["diff", "--base", "HEAD"])
        .current_dir(&outside)
        .env("GIT_CEILING_DIRECTORIES", &repo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--base needs a git repository"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = std::process::Command::new(crate::support::ratebook_bin())
        .args(["diff", "--base", "HEAD"])
        .current_dir(&repo)
        .env("PATH", &outside)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`git` was not found on PATH"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&repo).unwrap();
}
