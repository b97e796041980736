//! Embeds the rate book for the `bundled` feature, after checking it.
//!
//! The files are `pricing/*.toml` next to this crate's manifest (in the repository a link to
//! the repository's `pricing/`; in a packaged crate, the copy `cargo package` made of it). They
//! are loaded here with the crate's own reader and loader (the modules below are the crate's
//! sources, compiled into this build script), so a missing, empty or broken pricing directory
//! fails the build with every problem as `file:line:column: message`: the embedded book is
//! always the whole book, never an empty or partial one.

// A build script runs on the build machine, not in the page: the size rules of clippy.toml do
// not apply; of the crate's modules it uses only what loading needs.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    dead_code,
    unused
)]

use std::path::PathBuf;

#[path = "src/book.rs"]
mod book;
#[path = "src/date.rs"]
mod date;
#[path = "src/error.rs"]
mod error;
#[path = "src/image.rs"]
mod image;
#[path = "src/load.rs"]
mod load;
#[path = "src/map.rs"]
mod map;
#[path = "src/money.rs"]
mod money;
#[path = "src/order.rs"]
mod order;
#[path = "src/overlay.rs"]
mod overlay;
#[path = "src/raw.rs"]
mod raw;
#[path = "src/read.rs"]
mod read;
#[path = "src/resolve.rs"]
mod resolve;
#[path = "src/source.rs"]
mod source;
#[path = "src/suggest.rs"]
mod suggest;

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("pricing");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut out = String::from(
        "/// The bundled pricing files: (file name, text).\npub static FILES: &[(&str, &str)] = &[\n",
    );
    if std::env::var_os("CARGO_FEATURE_BUNDLED").is_some() {
        let files = match pricing_files(&dir) {
            Ok(f) => f,
            Err(e) => fail(&[e]),
        };
        let sources: Vec<source::SourceFile> = files
            .iter()
            .map(|(name, _, text)| source::SourceFile::new(format!("pricing/{name}"), text.clone()))
            .collect();
        let loaded = load::load(&sources);
        if !loaded.errors.is_empty() {
            let errors: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
            fail(&errors);
        }
        for (name, path, _) in &files {
            println!("cargo:rerun-if-changed={}", path.display());
            out.push_str(&format!(
                "    (\"pricing/{name}\", include_str!({:?})),\n",
                path.display().to_string()
            ));
        }
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("bundled.rs");
    std::fs::write(dest, out).unwrap();
}

/// The `*.toml` files of `dir`, sorted: (name, absolute path, text).
fn pricing_files(dir: &std::path::Path) -> Result<Vec<(String, PathBuf, String)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        format!(
            "{}: cannot read the pricing directory ({e}); the `bundled` feature embeds it",
            dir.display()
        )
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(format!("{}: no pricing files (*.toml)", dir.display()));
    }
    let mut files = Vec::new();
    for p in paths {
        let abs = p
            .canonicalize()
            .map_err(|e| format!("{}: {e}", p.display()))?;
        let text = std::fs::read_to_string(&abs).map_err(|e| format!("{}: {e}", abs.display()))?;
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        files.push((name, abs, text));
    }
    Ok(files)
}

/// Stops the build with every problem, one per line.
fn fail(errors: &[String]) -> ! {
    for e in errors {
        println!("cargo:warning={e}");
    }
    eprintln!("the bundled rate book does not load:");
    for e in errors {
        eprintln!("  {e}");
    }
    std::process::exit(1);
}
