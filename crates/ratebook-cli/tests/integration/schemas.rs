//! Every command's real `--json` output validated against the schema `ratebook schema --output
//! COMMAND` prints for it: every key of the output is a property of the schema (objects are
//! closed), every required key is there, and every value has the schema's type, format, enum
//! or constant. The validator covers the part of JSON Schema 2020-12 that the schemas use
//! (`$ref` into `$defs`, `type`, `properties`, `required`, `additionalProperties`, `items`,
//! `anyOf`, `oneOf`, `enum`, `const`, `minimum`, `format`); its own tests below show it
//! rejects what it should.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::support::{root, run, run_json};

const DATE: &str = "2026-11-23";

/// The schema of `command`'s `--json` output, as the binary prints it.
fn schema(command: &str) -> Value {
    run_json(&["schema", "--output", command])
}

/// Every place where `value` breaks `schema`, as `path: problem`.
fn violations(schema: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    check(schema, schema, value, "$", &mut out);
    out
}

fn resolve<'a>(root: &'a Value, reference: &str) -> &'a Value {
    let name = reference
        .strip_prefix("#/$defs/")
        .unwrap_or_else(|| panic!("unsupported $ref {reference}"));
    root.get("$defs")
        .and_then(|d| d.get(name))
        .unwrap_or_else(|| panic!("$ref {reference} names no definition"))
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        other => panic!("unsupported type {other}"),
    }
}

fn check(root: &Value, schema: &Value, v: &Value, path: &str, out: &mut Vec<String>) {
    if schema == &Value::Bool(true) {
        return;
    }
    if schema == &Value::Bool(false) {
        out.push(format!("{path}: not allowed"));
        return;
    }
    let Some(s) = schema.as_object() else {
        panic!("{path}: schema is not an object: {schema}");
    };
    let known = [
        "$ref",
        "$schema",
        "$defs",
        "title",
        "description",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "anyOf",
        "oneOf",
        "enum",
        "const",
        "minimum",
        "format",
        "pattern",
    ];
    for k in s.keys() {
        assert!(
            known.contains(&k.as_str()),
            "{path}: the validator does not know the keyword `{k}`"
        );
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        check(root, resolve(root, r), v, path, out);
    }
    if let Some(t) = s.get("type") {
        let ok = match t {
            Value::String(t) => type_matches(t, v),
            Value::Array(ts) => ts
                .iter()
                .filter_map(Value::as_str)
                .any(|t| type_matches(t, v)),
            _ => panic!("{path}: bad type {t}"),
        };
        if !ok {
            out.push(format!("{path}: {v} is not of type {t}"));
            return;
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        out.push(format!("{path}: {v} is not one of {e:?}"));
    }
    if let Some(c) = s.get("const")
        && c != v
    {
        out.push(format!("{path}: {v} is not {c}"));
    }
    if let (Some(min), Some(n)) = (s.get("minimum").and_then(Value::as_f64), v.as_f64())
        && n < min
    {
        out.push(format!("{path}: {n} is below {min}"));
    }
    match (s.get("format").and_then(Value::as_str), v) {
        (Some("date"), Value::String(d)) if d.parse::<ratebook::Date>().is_err() => {
            out.push(format!("{path}: `{d}` is not a date"));
        }
        (Some(f), Value::Number(n)) if f.starts_with("uint") && !n.is_u64() => {
            out.push(format!("{path}: {n} is not a non-negative integer"));
        }
        _ => {}
    }
    for (key, exactly_one) in [("anyOf", false), ("oneOf", true)] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            let matching = alts
                .iter()
                .filter(|a| violations_under(root, a, v, path).is_empty())
                .count();
            if matching == 0 || (exactly_one && matching > 1) {
                out.push(format!(
                    "{path}: {matching} of the {key} alternatives match {v}"
                ));
            }
        }
    }
    if let Value::Object(fields) = v {
        let props = s.get("properties").and_then(Value::as_object);
        let extra = s.get("additionalProperties");
        for (k, fv) in fields {
            let at = format!("{path}.{k}");
            match (props.and_then(|p| p.get(k)), extra) {
                (Some(p), _) => check(root, p, fv, &at, out),
                (None, Some(e)) => check(root, e, fv, &at, out),
                // Closed objects: a key the schema does not declare is a violation, unless the
                // schema only constrains through `$ref` or alternatives (checked there).
                (None, None) if props.is_some() => out.push(format!("{at}: not in the schema")),
                (None, None) => {}
            }
        }
        for r in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().unwrap_or_default();
            if !fields.contains_key(r) {
                out.push(format!("{path}: required key `{r}` is missing"));
            }
        }
    }
    if let (Some(items), Value::Array(vs)) = (s.get("items"), v) {
        for (i, iv) in vs.iter().enumerate() {
            check(root, items, iv, &format!("{path}[{i}]"), out);
        }
    }
}

fn violations_under(root: &Value, schema: &Value, v: &Value, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    check(root, schema, v, path, &mut out);
    out
}

/// Asserts that `output` follows `command`'s schema, and returns how many keys it has in all
/// (so a test can also insist the output was not trivially small).
#[track_caller]
pub(crate) fn assert_follows(command: &str, output: &Value) -> usize {
    let v = violations(&schema(command), output);
    assert!(
        v.is_empty(),
        "`{command} --json` does not follow its schema:\n{}",
        v.join("\n")
    );
    count_keys(output)
}

fn count_keys(v: &Value) -> usize {
    match v {
        Value::Object(m) => m.len() + m.values().map(count_keys).sum::<usize>(),
        Value::Array(a) => a.iter().map(count_keys).sum(),
        _ => 0,
    }
}

#[test]
fn the_validator_rejects_unknown_missing_and_mistyped_keys() {
    let s = schema("compare");
    let good = json!({
        "date": DATE, "mode": "standard",
        "models": [{ "model": "m", "total_usd": "1", "daily_usd": null, "monthly_usd": "30", "overlays": [] }],
        "unpriced": [],
    });
    assert_eq!(violations(&s, &good), Vec::<String>::new());
    let mut extra = good.clone();
    extra["models"][0]["total"] = json!("1");
    assert_eq!(
        violations(&s, &extra),
        ["$.models[0].total: not in the schema"]
    );
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("unpriced");
    assert_eq!(
        violations(&s, &missing),
        ["$: required key `unpriced` is missing"]
    );
    let mut float = good.clone();
    float["models"][0]["total_usd"] = json!(1.5);
    assert_eq!(
        violations(&s, &float),
        [r#"$.models[0].total_usd: 1.5 is not of type "string""#]
    );
    let mut date = good;
    date["date"] = json!("2026-13-01");
    assert_eq!(
        violations(&s, &date).len(),
        1,
        "{:?}",
        violations(&s, &date)
    );
}

#[test]
fn every_schema_is_json_schema_2020_12_and_the_pricing_schema_is_still_the_default() {
    for command in [
        "estimate",
        "compare",
        "image-tokens",
        "models",
        "check",
        "diff",
        "cost",
        "scenario",
        "reconcile",
    ] {
        let s = schema(command);
        assert_eq!(
            s["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{command}"
        );
        assert!(s["title"].is_string(), "{command}: {s}");
    }
    let pricing = run_json(&["schema"]);
    assert_eq!(pricing["title"], "PricingFile");
    let bad = run(&["schema", "--output", "nonsense"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn estimate_output_follows_its_schema() {
    // A plain estimate, a cloud deployment id (resolution.deployment) and a retired model
    // rerouted (lifecycle), with an input image (image_tokens) and a tier.
    let plain = run_json(&[
        "estimate",
        "--model",
        "gpt-4o",
        "--input-tokens",
        "1200",
        "--cached-tokens",
        "200",
        "--output-tokens",
        "300",
        "--image",
        "1024x1024",
        "--date",
        DATE,
        "--json",
    ]);
    assert!(assert_follows("estimate", &plain) > 30);
    assert_eq!(plain["image_tokens"].as_array().map(Vec::len), Some(1));
    let cloud = run_json(&[
        "estimate",
        "--model",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "--input-tokens",
        "250000",
        "--output-tokens",
        "100",
        "--date",
        DATE,
        "--json",
    ]);
    assert_follows("estimate", &cloud);
    assert!(cloud["resolution"]["deployment"].is_object(), "{cloud}");
    let models = run_json(&["models", "--json", "--date", DATE]);
    let retired = models["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["status"] == "retired" && m["replaced_by"].is_string())
        .expect("the book has a retired, rerouted model");
    let id = retired["id"].as_str().unwrap();
    let rerouted = run_json(&[
        "estimate",
        "--model",
        id,
        "--input-tokens",
        "10",
        "--date",
        DATE,
        "--json",
    ]);
    assert_follows("estimate", &rerouted);
    assert!(rerouted["lifecycle"].is_object(), "{rerouted}");
}

#[test]
fn compare_and_image_tokens_outputs_follow_their_schemas() {
    // Image output: the text-only models land in `unpriced`.
    let v = run_json(&[
        "compare",
        "--input-tokens",
        "1000",
        "--output-images",
        "1@1K",
        "--date",
        DATE,
        "--json",
    ]);
    assert_follows("compare", &v);
    assert!(!v["models"].as_array().unwrap().is_empty());
    assert!(!v["unpriced"].as_array().unwrap().is_empty());
    let v = run_json(&[
        "image-tokens",
        "--model",
        "gpt-4o",
        "1024x1024",
        "--detail",
        "high",
        "--json",
    ]);
    assert_follows("image-tokens", &v);
    assert_eq!(v["tokens"], 765);
}

#[test]
fn models_output_follows_its_schema() {
    let v = run_json(&["models", "--json", "--date", DATE]);
    assert!(assert_follows("models", &v) > 1_000);
    assert!(!v["clouds"].as_array().unwrap().is_empty());
}

#[test]
fn check_output_follows_its_schema_with_errors_and_warnings() {
    let ok = run_json(&["check", "pricing", "--json"]);
    assert_follows("check", &ok);
    assert_eq!(ok["ok"], true);

    // A file with an unknown key (an error) and a rate moving 10× (a warning).
    let dir = temp_dir("check");
    std::fs::write(
        dir.join("p.toml"),
        r#"schema_version = 1
[provider]
id = "p"
name = "P"
[models.m]
name = "M"
colour = "blue"
[[models.m.prices]]
effective = "2025-01-01"
source = "https://example.com"
checked = "2025-01-01"
input = "1"
output = "2"
[[models.m.prices]]
effective = "2026-01-01"
source = "https://example.com"
checked = "2026-01-01"
input = "10"
"#,
    )
    .unwrap();
    let out = run(&["check", dir.to_str().unwrap(), "--json", "--today", DATE]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_follows("check", &v);
    assert_eq!(v["ok"], false);
    assert_eq!(v["errors"][0]["kind"], "unknown_key", "{v}");
    assert!(v["errors"][0]["location"]["line"].is_u64(), "{v}");
}

#[test]
fn diff_output_follows_its_schema() {
    let v = run_json(&["diff", "--from", "2024-01-01", "--to", DATE, "--json"]);
    assert_follows("diff", &v);
    let changes = v["changes"].as_array().unwrap();
    assert!(changes.len() > 10);
    assert_eq!(v["count"].as_u64(), Some(changes.len() as u64));
    assert!(
        changes
            .iter()
            .any(|c| c["unit"].is_string() && c["relative_change"].is_string()),
        "some change has a unit and a relative change"
    );
}

#[test]
fn cost_output_follows_its_schema() {
    // Priced, failed and rejected lines all in one file.
    let path = root().join("tests/data/usage/bad_lines.jsonl");
    let v = run_json(&[
        "cost",
        path.to_str().unwrap(),
        "--json",
        "--date",
        DATE,
        "--budget",
        "100",
    ]);
    assert!(assert_follows("cost", &v) > 50);
    assert!(v["budget"].is_object());
    // 22 rejected lines, of which the first 20 are listed; 3 records priced.
    assert_eq!(v["rejected"], 22, "{v}");
    assert_eq!(v["rejected_lines"].as_array().map(Vec::len), Some(20));
    assert_eq!(v["records"], 3);
    let without_budget = run_json(&["cost", path.to_str().unwrap(), "--json", "--date", DATE]);
    assert_follows("cost", &without_budget);
    assert!(without_budget.get("budget").is_none());
}

#[test]
fn scenario_outputs_follow_their_schema() {
    let base = [
        "scenario",
        "--model",
        "gemini-3.1-flash-lite",
        "--requests-per-day",
        "10000",
        "--input-tokens",
        "500",
        "--output-tokens",
        "100",
        "--batch-share",
        "0.5",
        "--pass-rate",
        "0.9",
        "--fallback-model",
        "gemini-2.5-pro",
        "--date",
        DATE,
        "--json",
    ];
    let one = run_json(&base);
    assert_follows("scenario", &one);
    assert!(one["scenario"].is_object() && one.get("rank").is_none());
    let mut compare = base.to_vec();
    compare.extend(["--compare", "all"]);
    let ranked = run_json(&compare);
    assert_follows("scenario", &ranked);
    assert_eq!(ranked["ranked"][0]["rank"], 1);
    assert!(!ranked["cannot_run"].as_array().unwrap().is_empty());
}

fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ratebook-schemas-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
