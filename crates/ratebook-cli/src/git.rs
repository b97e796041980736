//! Reading the pricing directory as it was at a git commit, for `ratebook diff --base REF`.
//!
//! The files are listed with `git ls-tree --name-only REF pricing/` and read with
//! `git show REF:pricing/<file>`, run at the top of the repository that holds the current
//! directory, so nothing is checked out and the working tree is left alone.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use ratebook::SourceFile;

/// The pricing directory's path inside the repository.
const PRICING: &str = "pricing";

/// The top directory of the git work tree holding the current directory.
pub fn toplevel() -> Result<PathBuf> {
    let out = git(None, &["rev-parse", "--show-toplevel"])?;
    if !out.status.success() {
        bail!(
            "--base needs a git repository, and the current directory is not in one ({}); \
             to compare two directories, run `ratebook diff OLD_DIR NEW_DIR`",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Every `pricing/*.toml` file at commit `reference` of the repository at `top`, named
/// `REF:pricing/<file>` in messages.
pub fn pricing_at(top: &Path, reference: &str) -> Result<Vec<SourceFile>> {
    if reference.starts_with('-') || reference.trim().is_empty() {
        bail!("`{reference}` is not a git ref");
    }
    let commit = format!("{reference}^{{commit}}");
    let out = git(Some(top), &["rev-parse", "--verify", "--quiet", &commit])?;
    if !out.status.success() {
        bail!(
            "git ref `{reference}` does not name a commit in {}",
            top.display()
        );
    }
    let out = git(
        Some(top),
        &["ls-tree", "--name-only", reference, &format!("{PRICING}/")],
    )?;
    if !out.status.success() {
        bail!(
            "git ls-tree failed for `{reference}`: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let listing = String::from_utf8(out.stdout).context("git ls-tree printed non-UTF-8 names")?;
    let mut files = Vec::new();
    for path in listing.lines().filter(|p| p.ends_with(".toml")) {
        let spec = format!("{reference}:{path}");
        let out = git(Some(top), &["show", &spec])?;
        if !out.status.success() {
            bail!(
                "git show {spec} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let text = String::from_utf8(out.stdout).with_context(|| format!("{spec} is not UTF-8"))?;
        files.push(SourceFile::new(spec, text));
    }
    if files.is_empty() {
        bail!("no pricing files ({PRICING}/*.toml) at git ref `{reference}`");
    }
    Ok(files)
}

/// The working pricing directory of the repository at `top`.
pub fn working_pricing(top: &Path) -> PathBuf {
    top.join(PRICING)
}

/// Runs git with `args` (in `dir` when given), capturing its output.
fn git(dir: Option<&Path>, args: &[&str]) -> Result<std::process::Output> {
    let mut cmd = Command::new("git");
    if let Some(d) = dir {
        cmd.arg("-C").arg(d);
    }
    cmd.args(args).output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow::anyhow!("--base needs git, and `git` was not found on PATH")
        } else {
            anyhow::anyhow!("cannot run git: {e}")
        }
    })
}
