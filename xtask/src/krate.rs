//! The `ratebook` crate as a dependent gets it: `cargo package -p ratebook` (the rate book ships
//! inside the package, and cargo's verify build compiles it from the package alone), copied to
//! `target/packages/crate/`, then a new cargo project outside the workspace that depends on the
//! packaged crate and prices gpt-5.

use std::fs;
use std::process::Command;

use crate::{Result, cargo, run, step, target_dir};

/// The package's file name for the workspace's version.
fn crate_file() -> String {
    format!("ratebook-{}.crate", env!("CARGO_PKG_VERSION"))
}

/// `cargo package -p ratebook` (verified), copied to `target/packages/crate/`.
pub fn package() -> Result {
    step("the ratebook crate (cargo package -p ratebook)");
    run(cargo().args(["package", "-p", "ratebook", "--allow-dirty"]))?;
    let built = target_dir().join("package").join(crate_file());
    let out = target_dir().join("packages").join("crate");
    fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    fs::copy(&built, out.join(crate_file())).map_err(|e| format!("{}: {e}", built.display()))?;
    let size = fs::metadata(&built).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "  {} ({:.1} KB)",
        out.join(crate_file()).display(),
        size as f64 / 1024.0
    );
    Ok(())
}

/// Packages the crate, unpacks it into a scratch directory and runs a new project that
/// depends on it: it must price 10,000 input and 1,000 output tokens on gpt-5 at $0.0225
/// (10,000 × $1.25/M + 1,000 × $10.00/M, `pricing/openai.toml`).
pub fn test() -> Result {
    package()?;
    step("a new project depending on the packaged crate");
    let scratch = target_dir().join("packages").join("crate-check");
    if scratch.exists() {
        fs::remove_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    }
    fs::create_dir_all(scratch.join("app/src"))
        .map_err(|e| format!("{}: {e}", scratch.display()))?;
    run(Command::new("tar")
        .arg("xzf")
        .arg(target_dir().join("packages/crate").join(crate_file()))
        .arg("-C")
        .arg(&scratch))?;
    let version = env!("CARGO_PKG_VERSION");
    let manifest = format!(
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nratebook = {{ path = \"../ratebook-{version}\" }}\n\n[workspace]\n"
    );
    let main = r#"fn main() -> Result<(), ratebook::Error> {
    let book = ratebook::bundled::book();
    let est = book.estimate(
        "gpt-5",
        &ratebook::Usage::text(10_000, 1_000),
        ratebook::EstimateOptions::at("2026-11-23".parse()?),
    )?;
    println!("{}", est.total);
    Ok(())
}
"#;
    let app = scratch.join("app");
    fs::write(app.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    fs::write(app.join("src/main.rs"), main).map_err(|e| e.to_string())?;
    // Its own target directory: nothing is shared with the workspace's build.
    let out = Command::new(env!("CARGO"))
        .args(["run", "-q", "--manifest-path"])
        .arg(app.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .output()
        .map_err(|e| format!("cargo run: {e}"))?;
    let printed = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || printed != "0.0225" {
        return Err(format!(
            "the new project printed `{printed}`, expected 0.0225: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    eprintln!("  a new project priced gpt-5 with the packaged crate: {printed}");
    Ok(())
}
