//! `cargo xtask build`: the self-contained static site in `web/dist/`.
//!
//! ```text
//! web/dist/
//!   index.html  style.css  favicon.svg
//!   ratebook_web.js          wasm-bindgen --target web glue
//!   ratebook_web_bg.wasm     wasm-opt (--flatten --rereloop -Oz)×2 -Oz
//!   ratebook_web_extra.js    the second module (scenario planner, pricing a log), loaded
//!   ratebook_web_extra_bg.wasm  with import() only when a view needs it; wasm-opt -Oz
//!   log-worker.js            the Web Worker that prices a log with the second module
//!   pricing/*.toml           copied from pricing/
//!   pricing/index.json       the list the page fetches first
//! ```

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::tools::{self, WASM_TARGET};
use crate::{Result, cargo, dist_dir, root, run, step, target_dir};

pub const PROFILE: &str = "wasm-release";
const CRATE: &str = "ratebook-web";
const STEM: &str = "ratebook_web";
/// The second module: not in the first download, measured and reported on its own.
const EXTRA_CRATE: &str = "ratebook-web-extra";
pub const EXTRA_STEM: &str = "ratebook_web_extra";
/// The calculator built with own prices (feature `own-prices`), started by `index.html` for a
/// link with `discount=` or `own-prices=1`, or with an overlay file kept in the browser.
pub const CUSTOM_STEM: &str = "ratebook_web_custom";
/// The worker script that prices a log with the second module.
pub const WORKER: &str = "log-worker.js";
/// The WebAssembly features rustc enables by default for wasm32-unknown-unknown.
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
/// The download budget for the WASM module and its glue, gzipped: `cargo xtask build` (and so
/// `cargo xtask test`) fails above it.
pub const SIZE_BUDGET: u64 = 250 * 1024;

/// Sizes of what the browser downloads to run the calculator.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub wasm: u64,
    pub wasm_gz: u64,
    pub js: u64,
    pub js_gz: u64,
}

impl Sizes {
    pub fn gz_total(&self) -> u64 {
        self.wasm_gz + self.js_gz
    }
}

fn io<T>(what: impl std::fmt::Display, r: std::io::Result<T>) -> Result<T> {
    r.map_err(|e| format!("{what}: {e}"))
}

/// Bytes of `path` gzipped at the best level (what a server would send).
pub fn gzipped_len(path: &Path) -> Result<u64> {
    let data = io(path.display(), fs::read(path))?;
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    io("gzip", enc.write_all(&data))?;
    let out = io("gzip", enc.finish())?;
    Ok(out.len() as u64)
}

/// Measures the built site's first download.
pub fn sizes(dist: &Path) -> Result<Sizes> {
    module_sizes(dist, STEM)
}

/// Measures one module (`STEM_bg.wasm` + `STEM.js`) of the built site.
pub fn module_sizes(dist: &Path, stem: &str) -> Result<Sizes> {
    let wasm = dist.join(format!("{stem}_bg.wasm"));
    let js = dist.join(format!("{stem}.js"));
    let len = |p: &Path| io(p.display(), fs::metadata(p)).map(|m| m.len());
    Ok(Sizes {
        wasm: len(&wasm)?,
        wasm_gz: gzipped_len(&wasm)?,
        js: len(&js)?,
        js_gz: gzipped_len(&js)?,
    })
}

pub fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

/// Builds the site and returns its sizes.
pub fn build() -> Result<Sizes> {
    step("ensuring build tools (wasm32 target, wasm-bindgen, wasm-opt)");
    let tools = tools::ensure_build_tools()?;

    let bindgen_out = target_dir().join("xtask").join("bindgen");
    if bindgen_out.exists() {
        io(bindgen_out.display(), fs::remove_dir_all(&bindgen_out))?;
    }
    io(bindgen_out.display(), fs::create_dir_all(&bindgen_out))?;
    let dist = dist_dir();
    if dist.exists() {
        io(dist.display(), fs::remove_dir_all(&dist))?;
    }
    io(dist.display(), fs::create_dir_all(dist.join("pricing")))?;

    step("building the calculator for wasm32 (the first download)");
    build_calculator(&tools, &bindgen_out, &dist, None, STEM)?;
    step("building the calculator with own prices (feature own-prices)");
    build_calculator(&tools, &bindgen_out, &dist, Some("own-prices"), CUSTOM_STEM)?;

    build_extra(&tools, &bindgen_out, &dist)?;

    step("copying the page and the pricing files");
    let web = root().join("web");
    for entry in io(web.display(), fs::read_dir(&web))? {
        let path = io("web/", entry)?.path();
        let static_file = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("html" | "css" | "js" | "svg" | "png" | "ico" | "webmanifest")
        );
        if let Some(name) = path.file_name().filter(|_| path.is_file() && static_file) {
            copy(&path, &dist.join(name))?;
        }
    }
    let names = copy_pricing(&root().join("pricing"), &dist.join("pricing"))?;

    let sizes = sizes(&dist)?;
    step("site built");
    eprintln!("  {}", dist.display());
    eprintln!("  pricing files: {}", names.join(", "));
    eprintln!(
        "  {STEM}_bg.wasm {} ({} gzipped), {STEM}.js {} ({} gzipped)",
        kb(sizes.wasm),
        kb(sizes.wasm_gz),
        kb(sizes.js),
        kb(sizes.js_gz)
    );
    let custom = module_sizes(&dist, CUSTOM_STEM)?;
    eprintln!(
        "  with own prices (discount=, an overlay file): {CUSTOM_STEM}_bg.wasm {} gzipped + .js {} gzipped = {}",
        kb(custom.wasm_gz),
        kb(custom.js_gz),
        kb(custom.gz_total())
    );
    let extra = module_sizes(&dist, EXTRA_STEM)?;
    let worker = gzipped_len(&dist.join(WORKER))?;
    eprintln!(
        "  loaded when opened (scenario planner, log view): {EXTRA_STEM}_bg.wasm {} ({} gzipped), {EXTRA_STEM}.js {} ({} gzipped); {WORKER} {} gzipped",
        kb(extra.wasm),
        kb(extra.wasm_gz),
        kb(extra.js),
        kb(extra.js_gz),
        kb(worker)
    );
    eprintln!(
        "  download: {} gzipped of a {} budget",
        kb(sizes.gz_total()),
        kb(SIZE_BUDGET)
    );
    within_budget(sizes)?;
    Ok(sizes)
}

/// Fails when the page's download is over [`SIZE_BUDGET`], saying by how much.
pub fn within_budget(sizes: Sizes) -> Result {
    if sizes.gz_total() <= SIZE_BUDGET {
        return Ok(());
    }
    Err(format!(
        "the page's .wasm + .js are {} gzipped (wasm {} + js {}), over the {} budget by {} bytes \
         (ARCHITECTURE.md says what keeps the download small)",
        kb(sizes.gz_total()),
        kb(sizes.wasm_gz),
        kb(sizes.js_gz),
        kb(SIZE_BUDGET),
        sizes.gz_total() - SIZE_BUDGET
    ))
}

/// The second module: built without the first module's features (its own cargo run, so the
/// core's `ingest` is not switched on for the calculator), bound and optimized for size.
fn build_extra(tools: &tools::Tools, bindgen_out: &Path, dist: &Path) -> Result {
    step("building the second module (scenario planner, log pricing) for wasm32");
    let wasm = build_wasm(EXTRA_CRATE, EXTRA_STEM, None)?;
    run(Command::new(&tools.wasm_bindgen)
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(bindgen_out)
        .arg(&wasm))?;
    run(Command::new(&tools.wasm_opt)
        .args(["--zero-filled-memory", "--low-memory-unused", "-Oz"])
        .args(WASM_FEATURES)
        .arg("--strip-debug")
        .arg("--strip-producers")
        .arg(bindgen_out.join(format!("{EXTRA_STEM}_bg.wasm")))
        .arg("-o")
        .arg(dist.join(format!("{EXTRA_STEM}_bg.wasm"))))?;
    minify(
        tools,
        &bindgen_out.join(format!("{EXTRA_STEM}.js")),
        &dist.join(format!("{EXTRA_STEM}.js")),
    )
}

/// Builds crate `krate` (with `feature`, or none) for wasm32 in the [`PROFILE`] profile:
/// the path of its module `<stem>.wasm`, checked to exist.
pub fn build_wasm(krate: &str, stem: &str, feature: Option<&str>) -> Result<PathBuf> {
    let mut cmd = cargo();
    cmd.args([
        "build",
        "-p",
        krate,
        "--target",
        WASM_TARGET,
        "--profile",
        PROFILE,
    ]);
    if let Some(f) = feature {
        cmd.args(["--features", f]);
    }
    run(&mut cmd)?;
    let wasm = target_dir()
        .join(WASM_TARGET)
        .join(PROFILE)
        .join(format!("{stem}.wasm"));
    if !wasm.is_file() {
        return Err(format!("cargo did not produce {}", wasm.display()));
    }
    Ok(wasm)
}

/// One build of the calculator (with `feature`, or none) bound as `stem` into `dist`: the
/// module optimized for size, the glue minified.
fn build_calculator(
    tools: &tools::Tools,
    bindgen_out: &Path,
    dist: &Path,
    feature: Option<&str>,
    stem: &str,
) -> Result {
    let wasm = build_wasm(CRATE, STEM, feature)?;
    run(Command::new(&tools.wasm_bindgen)
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            stem,
            "--out-dir",
        ])
        .arg(bindgen_out)
        .arg(&wasm))?;
    run(Command::new(&tools.wasm_opt)
        // The module defines its own memory, which starts zeroed, and the stack sits below the
        // data from address 1 MiB down, so the low 1 KiB is never used: both let wasm-opt drop
        // zero stores and fold low addresses (measured: 1.1 KB less gzipped).
        .args(["--zero-filled-memory", "--low-memory-unused"])
        // Flattening and re-building the control flow before the size passes finds more to
        // remove than `-Oz` alone (measured: 264.2 -> 261.4 KB gzipped on one build); a second
        // round finds about 0.5 KB more.
        .args([
            "--flatten",
            "--rereloop",
            "-Oz",
            "--flatten",
            "--rereloop",
            "-Oz",
            "-Oz",
        ])
        // wasm-bindgen drops the target_features section, so tell wasm-opt what rustc's
        // wasm32-unknown-unknown enables by default (every current browser has them).
        .args(WASM_FEATURES)
        .arg("--strip-debug")
        .arg("--strip-producers")
        .arg(bindgen_out.join(format!("{stem}_bg.wasm")))
        .arg("-o")
        .arg(dist.join(format!("{stem}_bg.wasm"))))?;
    minify(
        tools,
        &bindgen_out.join(format!("{stem}.js")),
        &dist.join(format!("{stem}.js")),
    )
}

/// wasm-bindgen's glue minified with terser (an ES module: its exports keep their names;
/// measured: 7.2 -> 5.3 KB gzipped).
fn minify(tools: &tools::Tools, from: &Path, to: &Path) -> Result {
    run(Command::new(&tools.terser)
        .arg(from)
        .args(["--module", "--compress", "passes=2", "--mangle", "-o"])
        .arg(to))
}

fn copy(from: &Path, to: &Path) -> Result {
    io(
        format!("copying {} to {}", from.display(), to.display()),
        fs::copy(from, to),
    )
    .map(|_| ())
}

/// Copies `pricing/*.toml` and writes `index.json` listing them, sorted.
pub fn copy_pricing(from: &Path, to: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for entry in io(from.display(), fs::read_dir(from))? {
        let path: PathBuf = io(from.display(), entry)?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if path.is_file() && name.ends_with(".toml") {
            copy(&path, &to.join(&name))?;
            names.push(name);
        }
    }
    names.sort();
    if names.is_empty() {
        return Err(format!("no pricing files in {}", from.display()));
    }
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    io(
        "writing index.json",
        fs::write(to.join("index.json"), format!("[{}]\n", quoted.join(", "))),
    )?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(wasm_gz: u64, js_gz: u64) -> Sizes {
        Sizes {
            wasm: 4 * wasm_gz,
            wasm_gz,
            js: 4 * js_gz,
            js_gz,
        }
    }

    #[test]
    fn the_budget_fails_the_build_one_byte_over() {
        assert_eq!(within_budget(sizes(SIZE_BUDGET - 10_000, 10_000)), Ok(()));
        let err = within_budget(sizes(SIZE_BUDGET - 10_000, 10_001)).unwrap_err();
        assert!(
            err.starts_with("the page's .wasm + .js are 250.0 KB gzipped (wasm 240.2 KB + js 9.8 KB), over the 250.0 KB budget by 1 bytes"),
            "{err}"
        );
    }
}
