//! The Python package (`crates/ratebook-py`).
//!
//! - [`package`]: `maturin build --release` (one abi3 wheel for CPython 3.9+) into
//!   `target/packages/python/`; maturin is installed from PyPI, pinned, into a virtual
//!   environment of its own under `target/`.
//! - [`test`]: builds the wheel once, installs it into a fresh virtual environment with the
//!   pinned test dependencies (pytest, pyarrow, pandas, PySpark), makes sure Java is there for
//!   Spark (Debian's `openjdk-17-jre-headless` when `java` is missing; Python likewise, from
//!   `python3` and `python3-venv`), and runs pytest on
//!   `crates/ratebook-py/tests/`, comparing totals with the `ratebook` command built here.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, cargo, output, root, run, step, target_dir};

/// maturin, pinned: the wheel is built the same way everywhere.
pub const MATURIN: &str = "maturin==1.9.6";

/// What the tests install beside the wheel, pinned. PySpark 4.0 runs on Java 17.
pub const TEST_DEPS: [&str; 4] = [
    "pytest==8.3.5",
    "pyarrow==20.0.0",
    "pandas==2.2.3",
    "pyspark==4.0.1",
];

/// Where `cargo xtask package` writes the wheel.
pub fn wheel_dir() -> PathBuf {
    target_dir().join("packages").join("python")
}

/// A Python 3.9+ interpreter on the PATH, installed from Debian's packages when missing.
fn python() -> Result<String> {
    if let Some(exe) = find_python() {
        return Ok(exe);
    }
    eprintln!("  python3 is missing: installing python3 and python3-venv");
    run(apt().arg("update"))
        .and_then(|()| run(apt().args(["install", "-y", "python3", "python3-venv"])))
        .map_err(|e| format!("Python 3.9+ is needed and could not be installed ({e})"))?;
    find_python().ok_or_else(|| "no Python 3.9 or newer on the PATH (python3)".into())
}

/// `apt-get`, without questions.
fn apt() -> Command {
    let mut c = Command::new("apt-get");
    c.env("DEBIAN_FRONTEND", "noninteractive");
    c
}

fn find_python() -> Option<String> {
    for exe in ["python3", "python"] {
        let ok = output(Command::new(exe).args([
            "-c",
            "import sys; assert sys.version_info >= (3, 9); print(sys.version.split()[0])",
        ]));
        if let Some(v) = ok {
            eprintln!("  python: {exe} {}", v.trim());
            return Some(exe.to_string());
        }
    }
    None
}

fn bin(venv: &Path, exe: &str) -> PathBuf {
    venv.join("bin").join(exe)
}

/// A virtual environment at `dir` (made afresh when `fresh`) with `packages` installed.
fn venv(dir: &Path, fresh: bool, packages: &[&str]) -> Result<PathBuf> {
    if fresh && dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("removing {}: {e}", dir.display()))?;
    }
    if !bin(dir, "python").exists() {
        run(Command::new(python()?).args(["-m", "venv"]).arg(dir))?;
    }
    run(Command::new(bin(dir, "python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(packages))?;
    Ok(dir.to_path_buf())
}

/// The wheel in [`wheel_dir`].
fn wheel() -> Result<PathBuf> {
    let dir = wheel_dir();
    std::fs::read_dir(&dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .ok_or_else(|| format!("no wheel in {}", dir.display()))
}

/// `cargo xtask package`'s Python part: the wheel in `target/packages/python/`.
pub fn package() -> Result {
    step("Python wheel (maturin build --release, abi3)");
    let tools = venv(&target_dir().join("python-tools"), false, &[MATURIN])?;
    let dir = wheel_dir();
    if dir.exists() {
        // One wheel in the directory: the one just built.
        std::fs::remove_dir_all(&dir).map_err(|e| format!("clearing {}: {e}", dir.display()))?;
    }
    run(Command::new(bin(&tools, "maturin"))
        .current_dir(root())
        .args([
            "build",
            "--release",
            "--manifest-path",
            "crates/ratebook-py/Cargo.toml",
            "--interpreter",
        ])
        .arg(bin(&tools, "python"))
        .arg("--out")
        .arg(&dir))?;
    let wheel = wheel()?;
    let size = std::fs::metadata(&wheel).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "  wheel: {} ({:.1} MB)",
        wheel.display(),
        size as f64 / 1_000_000.0
    );
    Ok(())
}

/// Java for PySpark: present, or installed from Debian's packages when we may.
fn ensure_java() -> Result {
    if output(Command::new("java").arg("-version")).is_some() {
        return Ok(());
    }
    eprintln!("  java is missing: installing openjdk-17-jre-headless");
    run(apt().arg("update"))
        .and_then(|()| run(apt().args(["install", "-y", "openjdk-17-jre-headless"])))
        .map_err(|e| format!("Spark needs Java 17 and it could not be installed ({e})"))
}

/// `cargo xtask test`'s Python step: the wheel built once, installed in a fresh virtual
/// environment, and pytest on `crates/ratebook-py/tests/` (Spark in local mode included).
pub fn test() -> Result {
    package()?;
    let wheel = wheel()?;
    ensure_java()?;
    step("Python tests (a fresh venv with the wheel; pytest, PySpark local[2])");
    let wheel = wheel.to_string_lossy().into_owned();
    let mut packages = vec![wheel.as_str()];
    packages.extend(TEST_DEPS);
    let env = venv(&target_dir().join("python-test-venv"), true, &packages)?;
    // The totals are compared with the command's.
    run(cargo().args(["build", "-p", "ratebook-cli"]))?;
    let cli = target_dir().join("debug").join("ratebook");
    run(Command::new(bin(&env, "python"))
        // From outside the source tree: `import ratebook` is the installed wheel.
        .current_dir(root().join("crates").join("ratebook-py").join("tests"))
        .env("RATEBOOK_CLI", cli)
        .env("PYSPARK_PYTHON", bin(&env, "python"))
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "."]))
}
