//! Finding, and on a fresh machine installing, the tools the site and its tests need.
//!
//! - the `wasm32-unknown-unknown` target (rustup);
//! - `wasm-bindgen` of exactly the version `web/Cargo.toml` pins (a mismatched CLI produces
//!   glue that does not fit the module), installed with `cargo install` into `target/tools`
//!   when the one on PATH differs;
//! - `wasm-opt` from npm's `binaryen` (Debian's is too old for what rustc emits), installed
//!   into `target/tools` with npm;
//! - Chromium and chromedriver for the browser tests: Debian packages; never downloaded here;
//! - Python packages for the reports that compare with other tools (`crosscheck`, `bench`):
//!   pinned versions from PyPI in a throwaway virtual environment under the target directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, output, root, run, target_dir};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The binaryen release line whose `wasm-opt` reads rustc 1.95's output.
pub const BINARYEN: &str = "binaryen@^132";
/// The JavaScript minifier for wasm-bindgen's glue (the first download's budget).
pub const TERSER: &str = "terser@5.51.4";

/// Paths of the tools the site build runs.
#[derive(Debug, Clone)]
pub struct Tools {
    pub wasm_bindgen: PathBuf,
    pub wasm_opt: PathBuf,
    pub terser: PathBuf,
}

/// The browser and its driver for the browser tests.
#[derive(Debug, Clone)]
pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

fn tools_dir() -> PathBuf {
    target_dir().join("tools")
}

/// The wasm-bindgen version pinned in `web/Cargo.toml` (`wasm-bindgen = "=X.Y.Z"`).
pub fn pinned_wasm_bindgen() -> Result<String> {
    let path = root().join("web").join("Cargo.toml");
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("wasm-bindgen"))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .filter_map(|rest| rest.trim().strip_prefix("\"="))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .next()
        .ok_or_else(|| {
            format!(
                "{} does not pin wasm-bindgen as `wasm-bindgen = \"=X.Y.Z\"`",
                path.display()
            )
        })
}

fn version_of(program: &Path) -> Option<String> {
    let out = output(Command::new(program).arg("--version"))?;
    // `wasm-bindgen 0.2.130` / `wasm-opt version 132 (version_132)`
    out.split_whitespace()
        .nth(1)
        .map(str::to_string)
        .filter(|v| v != "version")
        .or_else(|| out.split_whitespace().nth(2).map(str::to_string))
}

/// Makes sure the wasm32 target is installed.
pub fn ensure_wasm_target() -> Result {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|l| l.trim() == WASM_TARGET) => Ok(()),
        Some(_) => run(Command::new("rustup").args(["target", "add", WASM_TARGET])),
        None => {
            // No rustup: accept a toolchain that ships the target's standard library.
            let sysroot =
                output(Command::new("rustc").args(["--print", "sysroot"])).unwrap_or_default();
            let lib = Path::new(sysroot.trim())
                .join("lib/rustlib")
                .join(WASM_TARGET);
            if lib.is_dir() {
                Ok(())
            } else {
                Err(format!(
                    "the {WASM_TARGET} target is missing and rustup is not available to add it"
                ))
            }
        }
    }
}

/// Finds the pinned wasm-bindgen CLI, installing it into `target/tools` if needed.
pub fn ensure_wasm_bindgen() -> Result<PathBuf> {
    let want = pinned_wasm_bindgen()?;
    let local = tools_dir().join("bin").join("wasm-bindgen");
    for candidate in [PathBuf::from("wasm-bindgen"), local.clone()] {
        if version_of(&candidate).as_deref() == Some(want.as_str()) {
            return Ok(candidate);
        }
    }
    eprintln!(
        "  wasm-bindgen {want} not found; installing it into {} (takes a few minutes)",
        tools_dir().display()
    );
    run(
        Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["install", "wasm-bindgen-cli", "--version", &want, "--root"])
            .arg(tools_dir()),
    )?;
    match version_of(&local) {
        Some(v) if v == want => Ok(local),
        other => Err(format!(
            "installed wasm-bindgen reports version {other:?}, expected {want}"
        )),
    }
}

/// Finds npm's `wasm-opt` in `target/tools`, installing `binaryen` with npm if needed.
pub fn ensure_wasm_opt() -> Result<PathBuf> {
    let bin = tools_dir()
        .join("node_modules")
        .join(".bin")
        .join("wasm-opt");
    if !bin.exists() {
        if output(Command::new("npm").arg("--version")).is_none() {
            return Err(
                "npm is needed to install binaryen's wasm-opt (apt-get install -y npm)".into(),
            );
        }
        std::fs::create_dir_all(tools_dir())
            .map_err(|e| format!("creating {}: {e}", tools_dir().display()))?;
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(tools_dir())
            .arg(BINARYEN))?;
    }
    if version_of(&bin).is_none() {
        return Err(format!("{} does not run", bin.display()));
    }
    Ok(bin)
}

/// Finds npm's `terser` in `target/tools`, installing it with npm if needed.
pub fn ensure_terser() -> Result<PathBuf> {
    let bin = tools_dir().join("node_modules").join(".bin").join("terser");
    if !bin.exists() {
        std::fs::create_dir_all(tools_dir())
            .map_err(|e| format!("creating {}: {e}", tools_dir().display()))?;
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(tools_dir())
            .arg(TERSER))?;
    }
    if output(Command::new(&bin).arg("--version")).is_none() {
        return Err(format!("{} does not run", bin.display()));
    }
    Ok(bin)
}

/// Everything the site build needs.
pub fn ensure_build_tools() -> Result<Tools> {
    ensure_wasm_target()?;
    let wasm_bindgen = ensure_wasm_bindgen()?;
    let wasm_opt = ensure_wasm_opt()?;
    let terser = ensure_terser()?;
    Ok(Tools {
        wasm_bindgen,
        wasm_opt,
        terser,
    })
}

fn find(env: &str, names: &[&str], fallbacks: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        // An explicit path that does not exist is an error to report, not a reason to search.
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    fallbacks.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// Chromium and chromedriver (`RATEBOOK_CHROME` / `RATEBOOK_CHROMEDRIVER` override).
pub fn find_browser() -> Result<Browser> {
    let chromium = find(
        "RATEBOOK_CHROME",
        &["chromium", "chromium-browser", "google-chrome"],
        &["/usr/bin/chromium"],
    );
    let chromedriver = find(
        "RATEBOOK_CHROMEDRIVER",
        &["chromedriver"],
        &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"],
    );
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => Ok(Browser {
            chromium,
            chromedriver,
        }),
        (c, d) => Err(format!(
            "the browser tests need Chromium and chromedriver, and {} missing.\n  Install them with: apt-get update && apt-get install -y chromium chromium-driver\n  (or point RATEBOOK_CHROME / RATEBOOK_CHROMEDRIVER at them)",
            match (c.is_none(), d.is_none()) {
                (true, true) => "both are",
                (true, false) => "chromium is",
                _ => "chromedriver is",
            }
        )),
    }
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// A Python virtual environment in `venv` with exactly `requirements` (`name==version`)
/// installed from PyPI; reused while they match. Returns its Python. The base interpreter is
/// `python3`, or `CROSSCHECK_PYTHON` if set.
pub fn python_venv(venv: &Path, requirements: &[String]) -> Result<PathBuf> {
    let python = venv_python(venv);
    let stamp = venv.join("xtask-requirements.txt");
    let wanted: String = requirements.iter().map(|r| format!("{r}\n")).collect();
    if python.is_file() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted) {
        return Ok(python);
    }
    crate::step(&format!(
        "installing {} into {}",
        requirements.join(", "),
        venv.display()
    ));
    if !python.is_file() {
        if venv.exists() {
            std::fs::remove_dir_all(venv)
                .map_err(|e| format!("removing the broken {}: {e}", venv.display()))?;
        }
        let base = std::env::var("CROSSCHECK_PYTHON").unwrap_or_else(|_| "python3".into());
        run(Command::new(&base).arg("-m").arg("venv").arg(venv)).map_err(|e| {
            format!("{e}\ncould not create a Python virtual environment; install Python 3 with its venv module, or set CROSSCHECK_PYTHON")
        })?;
    }
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
        ])
        .args(requirements))
    .map_err(|e| {
        format!(
            "{e}\ncould not install {} from PyPI (network? version?)",
            requirements.join(", ")
        )
    })?;
    std::fs::write(&stamp, wanted).map_err(|e| format!("writing {}: {e}", stamp.display()))?;
    Ok(python)
}
