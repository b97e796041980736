//! The npm package `ratebook` (`crates/ratebook-js`): built by `cargo xtask package`, tested by
//! `cargo xtask test`.
//!
//! ```text
//! target/packages/npm/ratebook-<version>.tgz     npm pack of:
//! target/packages/npm-stage/
//!   package.json  README.md
//!   index.js  index.mjs  index.d.ts        the API (crates/ratebook-js/js/)
//!   ratebook_js.js  ratebook_js.d.ts       wasm-bindgen --target nodejs glue
//!   ratebook_js_bg.wasm                    the core with the bundled book, wasm-opt -Oz
//! ```
//!
//! [`test`] packages, then runs `node --test` on `crates/ratebook-js/tests/*.test.mjs` against
//! the staged package with the `ratebook` command beside it (the tests compare with its
//! totals), installs the tarball into a fresh Node project and prices requests there with
//! `require` and `import` (the same totals as `ratebook estimate --json`), runs the README's
//! example there (its output must be the one the README shows), type-checks code using it with
//! `tsc --strict` (TypeScript from npm, pinned, in `target/tools`), and times estimates per
//! second.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::build::{gzipped_len, kb};
use crate::tools;
use crate::{Result, cargo, describe, root, run, step, target_dir};

const CRATE: &str = "ratebook-js";
const STEM: &str = "ratebook_js";
/// The package name on npm.
pub const NAME: &str = "ratebook";
/// What rustc enables for wasm32-unknown-unknown, and so what wasm-opt may assume (Node 18+
/// has every one).
const WASM_FEATURES: [&str; 8] = [
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-call-indirect-overlong",
    "--enable-multivalue",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
];

/// What `package` made.
#[derive(Debug, Clone)]
pub struct Package {
    /// The `npm pack` tarball.
    pub tarball: PathBuf,
    /// The directory it was packed from (the package as installed).
    pub staged: PathBuf,
    pub wasm: u64,
    pub wasm_gz: u64,
    pub tarball_len: u64,
    /// Every file of the package, unpacked.
    pub unpacked: u64,
}

impl Package {
    /// One line of sizes.
    pub fn describe(&self) -> String {
        format!(
            "npm {}: tarball {}, unpacked {}; .wasm {} ({} gzipped)",
            self.tarball
                .file_name()
                .unwrap_or_default()
                .to_string_lossy(),
            kb(self.tarball_len),
            kb(self.unpacked),
            kb(self.wasm),
            kb(self.wasm_gz)
        )
    }
}

fn io<T>(what: impl std::fmt::Display, r: std::io::Result<T>) -> Result<T> {
    r.map_err(|e| format!("{what}: {e}"))
}

fn copy(from: &Path, to: &Path) -> Result {
    io(
        format!("copying {} to {}", from.display(), to.display()),
        fs::copy(from, to),
    )
    .map(|_| ())
}

fn fresh_dir(dir: &Path) -> Result {
    if dir.exists() {
        io(dir.display(), fs::remove_dir_all(dir))?;
    }
    io(dir.display(), fs::create_dir_all(dir))
}

fn crate_dir() -> PathBuf {
    root().join("crates").join(CRATE)
}

/// Where the tarball goes.
pub fn out_dir() -> PathBuf {
    target_dir().join("packages").join("npm")
}

fn stage_dir() -> PathBuf {
    target_dir().join("packages").join("npm-stage")
}

/// The package's `package.json`, at the workspace's version.
pub fn package_json(version: &str) -> String {
    format!(
        r#"{{
  "name": "{NAME}",
  "version": "{version}",
  "description": "Exact, explained cost estimates for LLM APIs: the ratebook core in WebAssembly, with its pricing data bundled",
  "license": "MIT OR Apache-2.0",
  "keywords": ["llm", "pricing", "cost", "tokens", "openai", "anthropic", "gemini", "wasm"],
  "main": "./index.js",
  "types": "./index.d.ts",
  "exports": {{
    ".": {{
      "types": "./index.d.ts",
      "import": "./index.mjs",
      "require": "./index.js"
    }},
    "./package.json": "./package.json"
  }},
  "files": [
    "index.js",
    "index.mjs",
    "index.d.ts",
    "{STEM}.js",
    "{STEM}.d.ts",
    "{STEM}_bg.wasm",
    "README.md"
  ],
  "engines": {{
    "node": ">=18"
  }},
  "sideEffects": false
}}
"#
    )
}

/// Builds the package into `target/packages/npm/` and returns its sizes.
pub fn package() -> Result<Package> {
    step("npm: ensuring build tools (wasm32 target, wasm-bindgen, wasm-opt)");
    let tools = tools::ensure_build_tools()?;

    step("npm: building the core for wasm32 (crates/ratebook-js)");
    // The page's profile: small (the bundled book is most of the module anyway).
    let wasm = crate::build::build_wasm(CRATE, STEM, None)?;

    step("npm: generating the Node.js glue (wasm-bindgen --target nodejs)");
    let bindgen = target_dir().join("xtask").join("npm-bindgen");
    fresh_dir(&bindgen)?;
    run(Command::new(&tools.wasm_bindgen)
        .args(["--target", "nodejs", "--out-dir"])
        .arg(&bindgen)
        .arg(&wasm))?;

    let stage = stage_dir();
    fresh_dir(&stage)?;
    step("npm: optimizing the module (wasm-opt -Oz)");
    let staged_wasm = stage.join(format!("{STEM}_bg.wasm"));
    run(Command::new(&tools.wasm_opt)
        .arg("-Oz")
        .args(WASM_FEATURES)
        .args(["--strip-debug", "--strip-producers"])
        .arg(bindgen.join(format!("{STEM}_bg.wasm")))
        .arg("-o")
        .arg(&staged_wasm))?;
    for name in [format!("{STEM}.js"), format!("{STEM}.d.ts")] {
        copy(&bindgen.join(&name), &stage.join(&name))?;
    }
    let js = crate_dir().join("js");
    for name in ["index.js", "index.mjs", "index.d.ts"] {
        copy(&js.join(name), &stage.join(name))?;
    }
    copy(&crate_dir().join("README.md"), &stage.join("README.md"))?;
    io(
        "writing package.json",
        fs::write(
            stage.join("package.json"),
            package_json(env!("CARGO_PKG_VERSION")),
        ),
    )?;

    step("npm: packing (npm pack)");
    let out = out_dir();
    fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let tarball = out.join(format!("{NAME}-{}.tgz", env!("CARGO_PKG_VERSION")));
    if tarball.exists() {
        io(tarball.display(), fs::remove_file(&tarball))?;
    }
    run(Command::new("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(&out)
        .current_dir(&stage))?;
    if !tarball.is_file() {
        return Err(format!("npm pack did not write {}", tarball.display()));
    }
    let len = |p: &Path| io(p.display(), fs::metadata(p)).map(|m| m.len());
    let mut unpacked = 0;
    for entry in io(stage.display(), fs::read_dir(&stage))? {
        unpacked += len(&io(stage.display(), entry)?.path())?;
    }
    let pkg = Package {
        wasm: len(&staged_wasm)?,
        wasm_gz: gzipped_len(&staged_wasm)?,
        tarball_len: len(&tarball)?,
        unpacked,
        tarball,
        staged: stage,
    };
    step("npm package built");
    eprintln!("  {}", pkg.tarball.display());
    eprintln!("  {}", pkg.describe());
    Ok(pkg)
}

/// Counts from `node --test`'s TAP summary (`# pass 12`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct NodeCounts {
    pub tests: u64,
    pub passed: u64,
    pub failed: u64,
}

/// Reads the counts from `node --test --test-reporter=tap` output.
pub fn node_counts(tap: &str) -> NodeCounts {
    let mut c = NodeCounts::default();
    for line in tap.lines() {
        let mut words = line.split_whitespace();
        if words.next() != Some("#") {
            continue;
        }
        let (Some(key), Some(n)) = (words.next(), words.next().and_then(|n| n.parse().ok())) else {
            continue;
        };
        match key {
            "tests" => c.tests = n,
            "pass" => c.passed = n,
            "fail" => c.failed = n,
            _ => {}
        }
    }
    c
}

/// What [`test`] found.
#[derive(Debug, Clone)]
pub struct Tested {
    pub package: Package,
    pub counts: NodeCounts,
    /// Median estimates per second in Node, and of how many runs.
    pub estimates_per_second: f64,
    pub runs: usize,
}

/// The `ratebook` command, built (debug) for the tests to compare with.
fn cli() -> Result<PathBuf> {
    run(cargo().args(["build", "-p", "ratebook-cli", "--bin", "ratebook"]))?;
    let bin = target_dir()
        .join("debug")
        .join(format!("ratebook{}", std::env::consts::EXE_SUFFIX));
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!("cargo did not produce {}", bin.display()))
    }
}

fn stdout_of(cmd: &mut Command) -> Result<String> {
    eprintln!("  $ {}", describe(cmd));
    let out = cmd
        .output()
        .map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    if !out.status.success() {
        return Err(format!(
            "`{}` failed ({}):\n{}{}",
            describe(cmd),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("`{}`: {e}", describe(cmd)))
}

/// Packages, then runs the package's tests, the fresh-project check and the speed benchmark.
pub fn test() -> Result<Tested> {
    let package = package()?;
    let cli = cli()?;

    step("npm: node --test crates/ratebook-js/tests");
    let tests_dir = crate_dir().join("tests");
    let mut files: Vec<PathBuf> = io(tests_dir.display(), fs::read_dir(&tests_dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.test.mjs in {}", tests_dir.display()));
    }
    let mut cmd = Command::new("node");
    cmd.args(["--test", "--test-reporter=tap"])
        .args(&files)
        .env("RATEBOOK_JS_PACKAGE", &package.staged)
        .env("RATEBOOK_BIN", &cli)
        .current_dir(root());
    eprintln!("  $ {}", describe(&cmd));
    let out = cmd
        .output()
        .map_err(|e| format!("could not start node: {e}"))?;
    let tap = String::from_utf8_lossy(&out.stdout);
    let counts = node_counts(&tap);
    if !out.status.success() || counts.failed > 0 || counts.passed == 0 {
        eprintln!("{tap}{}", String::from_utf8_lossy(&out.stderr));
        return Err(format!(
            "node --test: {} passed, {} failed ({})",
            counts.passed, counts.failed, out.status
        ));
    }
    eprintln!(
        "  node --test: {} tests, {} passed, 0 failed",
        counts.tests, counts.passed
    );

    fresh_project(&package, &cli)?;

    step("npm: estimates per second in Node");
    let runs = 5;
    let mut rates = Vec::new();
    for _ in 0..runs {
        let text = stdout_of(
            Command::new("node")
                .arg(crate_dir().join("bench").join("estimate.mjs"))
                .env("RATEBOOK_JS_PACKAGE", &package.staged),
        )?;
        let rate: f64 = text
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("the bench printed `{}`", text.trim()))?;
        rates.push(rate);
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    eprintln!(
        "  {median:.0} estimates/s (median of {runs} runs: {})",
        rates
            .iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(Tested {
        package,
        counts,
        estimates_per_second: median,
        runs,
    })
}

/// The README's JavaScript example and the output it shows: the first ```js block of the
/// section `## JavaScript / TypeScript` and the ```text block after it.
pub fn readme_example(readme: &str) -> Result<(String, String)> {
    let section = readme
        .split("\n## JavaScript / TypeScript")
        .nth(1)
        .ok_or("README.md has no section `## JavaScript / TypeScript`")?;
    let section = section.split("\n## ").next().unwrap_or(section);
    let block = |text: &str, fence: &str| -> Option<(String, usize)> {
        let start = text.find(fence)? + fence.len();
        let len = text[start..].find("\n```")?;
        Some((
            text[start..start + len]
                .trim_start_matches('\n')
                .to_string()
                + "\n",
            start + len,
        ))
    };
    let (code, end) =
        block(section, "```js\n").ok_or("README.md's JavaScript section has no ```js block")?;
    let (output, _) = block(&section[end..], "```text\n")
        .ok_or("README.md's JavaScript section has no ```text block of the example's output")?;
    Ok((code, output))
}

/// Installs the tarball into a new Node project and prices with it there.
fn fresh_project(package: &Package, cli: &Path) -> Result {
    step("npm: a fresh Node project with the tarball");
    let dir = target_dir().join("xtask").join("npm-fresh");
    fresh_dir(&dir)?;
    run(Command::new("npm")
        .args(["init", "-y"])
        .current_dir(&dir)
        .stdout(Stdio::null()))?;
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--silent"])
        .arg(&package.tarball)
        .current_dir(&dir))?;

    // The same requests through `require`, `import` and the command.
    let requests: [(&str, &[&str]); 4] = [
        (
            r#"{"model":"gemini-3.1-flash-image","inputTokens":1000,"outputImages":"1@1K","date":"2026-11-23"}"#,
            &[
                "--model",
                "gemini-3.1-flash-image",
                "--input-tokens",
                "1000",
                "--output-images",
                "1@1K",
                "--date",
                "2026-11-23",
            ],
        ),
        (
            r#"{"model":"claude-sonnet-4-5","inputTokens":120000,"cachedTokens":100000,"outputTokens":2000,"date":"2026-11-23"}"#,
            &[
                "--model",
                "claude-sonnet-4-5",
                "--input-tokens",
                "120000",
                "--cached-tokens",
                "100000",
                "--output-tokens",
                "2000",
                "--date",
                "2026-11-23",
            ],
        ),
        (
            r#"{"model":"gpt-4o-mini","inputTokens":5000,"outputTokens":700,"mode":"batch","date":"2026-11-23"}"#,
            &[
                "--model",
                "gpt-4o-mini",
                "--input-tokens",
                "5000",
                "--output-tokens",
                "700",
                "--mode",
                "batch",
                "--date",
                "2026-11-23",
            ],
        ),
        (
            r#"{"model":"gemini-2.5-pro","inputTokens":250000,"outputTokens":4000,"date":"2026-11-23"}"#,
            &[
                "--model",
                "gemini-2.5-pro",
                "--input-tokens",
                "250000",
                "--output-tokens",
                "4000",
                "--date",
                "2026-11-23",
            ],
        ),
    ];
    let list = format!(
        "[{}]",
        requests
            .iter()
            .map(|(r, _)| *r)
            .collect::<Vec<_>>()
            .join(",")
    );
    let cjs = format!(
        "const {{ estimate }} = require('{NAME}');\nfor (const r of {list}) console.log(estimate(r).total);\n"
    );
    let mjs = format!(
        "import {{ estimate }} from '{NAME}';\nfor (const r of {list}) console.log(estimate(r).total);\n"
    );
    io("check.cjs", fs::write(dir.join("check.cjs"), cjs))?;
    io("check.mjs", fs::write(dir.join("check.mjs"), mjs))?;
    let mut expected = String::new();
    for (_, args) in &requests {
        let json = stdout_of(Command::new(cli).arg("estimate").args(*args).arg("--json"))?;
        let v: serde_json::Value =
            serde_json::from_str(&json).map_err(|e| format!("ratebook estimate --json: {e}"))?;
        let total = v["total_usd"]
            .as_str()
            .ok_or("ratebook estimate --json has no total_usd")?;
        expected.push_str(total);
        expected.push('\n');
    }
    for script in ["check.cjs", "check.mjs"] {
        let got = stdout_of(Command::new("node").arg(script).current_dir(&dir))?;
        if got != expected {
            return Err(format!(
                "{script} in a fresh project printed\n{got}but `ratebook estimate --json` totals are\n{expected}"
            ));
        }
    }
    eprintln!(
        "  require and import: the same {} totals as the command ({})",
        requests.len(),
        expected.trim().replace('\n', ", ")
    );

    let readme = io("README.md", fs::read_to_string(root().join("README.md")))?;
    let (code, shown) = readme_example(&readme)?;
    io("example.mjs", fs::write(dir.join("example.mjs"), code))?;
    let got = stdout_of(Command::new("node").arg("example.mjs").current_dir(&dir))?;
    if got != shown {
        return Err(format!(
            "README.md's JavaScript example printed\n{got}but the README shows\n{shown}"
        ));
    }
    eprintln!("  README.md's JavaScript example prints what the README shows");

    type_check(&dir)
}

/// TypeScript, pinned, for checking the package's types.
pub const TYPESCRIPT: &str = "typescript@5.9.3";

/// `tsc` from npm in `target/tools`, installed if missing.
fn ensure_tsc() -> Result<PathBuf> {
    let tools = target_dir().join("tools");
    let bin = tools.join("node_modules").join(".bin").join("tsc");
    if !bin.exists() {
        fs::create_dir_all(&tools).map_err(|e| format!("{}: {e}", tools.display()))?;
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&tools)
            .arg(TYPESCRIPT))?;
    }
    Ok(bin)
}

/// Type-checks code that uses the installed package, from an ES module and from CommonJS, with
/// `tsc --strict`; and checks that a misspelt field and money used as a number do not compile
/// (the types are not `any`).
fn type_check(dir: &Path) -> Result {
    let tsc = ensure_tsc()?;
    let good_esm = "import { estimate, costLines, loadBook, bundledBook, RateBook, type Estimate, type CostSummary } from 'ratebook';\n\
        const e: Estimate = estimate({ model: 'gpt-4o-mini', inputTokens: 5000n, outputTokens: '700', outputImages: ['1@1K'], mode: 'batch', date: new Date() });\n\
        const total: string = e.total;\n\
        const amounts: string[] = e.lineItems.map((l) => l.amount);\n\
        const c: CostSummary = costLines([{ model: 'gpt-4o-mini' }], { date: '2026-11-23' });\n\
        const book: RateBook = loadBook({ 'a.toml': '' }, { bundled: true, discounts: ['openai:20%'] });\n\
        const ids: string[] = bundledBook({ overlays: ['name = \"x\"'] }).models().map((m) => m.id);\n\
        console.log(total, amounts, c.byModel.length, book, ids);\n";
    let good_cjs = "import ratebook = require('ratebook');\n\
        const total: string = ratebook.estimate({ model: 'gpt-4o', inputTokens: 1 }).total;\n\
        console.log(total);\n";
    let bad = "import { estimate } from 'ratebook';\n\
        estimate({ model: 'gpt-4o', inputTokenz: 1 });\n\
        const n: number = estimate({ model: 'gpt-4o' }).total;\n\
        console.log(n);\n";
    io("types.mts", fs::write(dir.join("types.mts"), good_esm))?;
    io("types.cts", fs::write(dir.join("types.cts"), good_cjs))?;
    io("wrong.mts", fs::write(dir.join("wrong.mts"), bad))?;
    let tsc_cmd = |file: &str| {
        let mut c = Command::new(&tsc);
        c.args([
            "--noEmit",
            "--strict",
            "--module",
            "nodenext",
            "--moduleResolution",
            "nodenext",
            file,
        ])
        .current_dir(dir);
        c
    };
    run(&mut tsc_cmd("types.mts"))?;
    run(&mut tsc_cmd("types.cts"))?;
    let wrong = tsc_cmd("wrong.mts")
        .output()
        .map_err(|e| format!("could not start tsc: {e}"))?;
    let said = String::from_utf8_lossy(&wrong.stdout);
    if wrong.status.success() || !said.contains("inputTokenz") || !said.contains("TS2322") {
        return Err(format!(
            "tsc accepted a misspelt request field or a total used as a number:\n{said}"
        ));
    }
    eprintln!("  index.d.ts: tsc --strict passes from import and require, and rejects wrong use");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_node_tap_counts() {
        let tap = "TAP version 13\n# Subtest: x\nok 1 - x\n1..12\n# tests 12\n# suites 3\n# pass 11\n# fail 1\n# cancelled 0\n";
        assert_eq!(
            node_counts(tap),
            NodeCounts {
                tests: 12,
                passed: 11,
                failed: 1
            }
        );
    }

    #[test]
    fn finds_the_readme_example_and_its_output() {
        let readme = "# r\n\n## JavaScript / TypeScript\n\ntext\n\n```js\nconsole.log(1);\n```\n\nprints\n\n```text\n1\n```\n\n## Next\n\n```js\nno\n```\n";
        assert_eq!(
            readme_example(readme).unwrap(),
            ("console.log(1);\n".to_string(), "1\n".to_string())
        );
        assert!(readme_example("# r\n## Other\n").is_err());
    }

    #[test]
    fn the_crate_pins_the_wasm_bindgen_of_the_page() {
        // One wasm-bindgen CLI (the version web/Cargo.toml pins) makes the glue of both.
        let pinned = tools::pinned_wasm_bindgen().unwrap();
        let manifest = fs::read_to_string(crate_dir().join("Cargo.toml")).unwrap();
        assert!(
            manifest.contains(&format!("wasm-bindgen = \"={pinned}\"")),
            "crates/ratebook-js/Cargo.toml must pin wasm-bindgen = \"={pinned}\" as web/Cargo.toml does"
        );
    }

    #[test]
    fn the_package_json_is_json_with_the_version() {
        let v: serde_json::Value = serde_json::from_str(&package_json("1.2.3")).unwrap();
        assert_eq!(v["name"], "ratebook");
        assert_eq!(v["version"], "1.2.3");
        assert_eq!(v["exports"]["."]["require"], "./index.js");
    }
}
