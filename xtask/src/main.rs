//! `cargo xtask`: the steps cargo alone can't express, as one Rust program instead of shell
//! scripts (the cargo-xtask pattern; the alias lives in `.cargo/config.toml`).
//!
//! - `cargo xtask build` — the static site in `web/dist/`: WASM built with the `wasm-release`
//!   profile, `wasm-bindgen --target web`, `wasm-opt` for size, the HTML/CSS and the pricing
//!   files with their `index.json`. Fails when the page's `.wasm` + `.js` are over 250 KB
//!   gzipped.
//! - `cargo xtask serve [--port 8080]` — builds, then serves `web/dist` on 127.0.0.1.
//! - `cargo xtask test` — the project's one test command: formatting, clippy, the core built
//!   for wasm32, the site, and `cargo test --workspace` with the browser tests switched on.
//! - `cargo xtask package` — the packages in `target/packages/`: the `ratebook` crate
//!   (`crate/`, `cargo package -p ratebook`), the Python wheel (`python/`, maturin, abi3) and
//!   the npm tarball of `crates/ratebook-js` (`npm/`, wasm-bindgen, `npm pack`).
//! - `cargo xtask fuzz [--seconds N] [TARGET…]` — every cargo-fuzz target of `fuzz/` for N
//!   seconds each (default 60), with executions per target; fails on a crash. `test` runs each
//!   briefly.
//! - `cargo xtask bench-web` — the site's download size and, from headless Chromium, the time
//!   to the first total and to recompute the comparison of every model.
//! - `cargo xtask bench [--threads N]` — `ratebook cost` on a generated 1,000,000-line log on
//!   one thread and on every core (lines per second, speed-up, peak memory), against
//!   genai-prices (installed from PyPI into a throwaway virtual environment) on its first lines.
//! - `cargo xtask crosscheck [--json]` — a maintainer's report, not part of `test`: the rate
//!   book against genai-prices and LiteLLM (installed from PyPI into a throwaway virtual
//!   environment): rates that disagree, their models we lack, entries checked long ago.
//!
//! On a fresh machine it installs what it needs (the wasm32 target, the pinned
//! `wasm-bindgen-cli`, npm's `binaryen`, cargo-fuzz), and says clearly what it can't install (Chromium).

mod bench;
mod build;
mod cost_bench;
mod crosscheck;
mod fuzz;
mod krate;
mod npm;
mod python;
mod test;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// A failed step, with what to tell the person.
pub type Result<T = (), E = String> = std::result::Result<T, E>;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  build               build the static site into web/dist
  serve [--port N]    build, then serve web/dist on http://127.0.0.1:N (default 8080)
        [--no-build]  serve what is already built
  package             the packages in target/packages/ (crate/: cargo package -p ratebook;
                      python/: the wheel, abi3; npm/: the npm tarball)
  test                fmt, clippy, core for wasm32, site, every test incl. the browser tests,
                      and each fuzz target for 20 s
  test-npm            the npm package alone: package, node --test, a fresh Node project, estimates/s
  fuzz [--seconds N]  every fuzz target of fuzz/ for N seconds each (default 60), or only the
       [TARGET…]      targets named; reports executions per target, fails on a crash
  bench-web           site size and page timings in headless Chromium
  bench [--threads N] `ratebook cost` on a generated 1,000,000-line log on 1 and N threads
        [--runs N]    (default: one per core; median of --runs, default 3) with peak memory,
        [--sample N]  and genai-prices on its first --sample lines (default 20,000): lines/s,
                      speed-up and ratio (genai-prices from PyPI into a throwaway venv)
  crosscheck [--json] pricing/ vs genai-prices and LiteLLM from PyPI: disagreeing rates,
        [--date D]    their models we lack, entries checked over 90 days ago (a report:
                      exits 0 unless the databases cannot be installed or read)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("build") => build::build().map(|_| ()),
        Some("serve") => serve_command(&args[1..]),
        Some("test") => test::test(),
        Some("test-npm") => npm::test().map(|_| ()),
        Some("package") => package(),
        Some("fuzz") => fuzz::fuzz_command(&args[1..]),
        Some("bench-web") => bench::bench_web(),
        Some("bench") => cost_bench::bench(&args[1..]),
        Some("crosscheck") => crosscheck::crosscheck(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask package`: every package the repository ships, into `target/packages/`.
fn package() -> Result {
    krate::package()?;
    python::package()?;
    npm::package()?;
    Ok(())
}

fn serve_command(args: &[String]) -> Result {
    let mut port = 8080u16;
    let mut build_first = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" | "-p" => {
                let v = it.next().ok_or("--port needs a number")?;
                port = v
                    .parse()
                    .map_err(|_| format!("--port: `{v}` is not a port number"))?;
            }
            "--no-build" => build_first = false,
            other => match other.strip_prefix("--port=") {
                Some(v) => {
                    port = v
                        .parse()
                        .map_err(|_| format!("--port: `{v}` is not a port number"))?
                }
                None => return Err(format!("serve: unknown argument `{other}`\n\n{USAGE}")),
            },
        }
    }
    if build_first {
        build::build()?;
    }
    let dist = dist_dir();
    if !dist.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html; run `cargo xtask build`",
            dist.display()
        ));
    }
    site_server::serve_forever(&dist, port, |addr| {
        println!(
            "Serving {} on http://{addr}/ (Ctrl-C to stop)",
            dist.display()
        )
    })
    .map_err(|e| format!("serving on 127.0.0.1:{port}: {e}"))
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Cargo's target directory, honouring `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => {
            let p = PathBuf::from(d);
            if p.is_absolute() { p } else { root().join(p) }
        }
        None => root().join("target"),
    }
}

/// Where the built site goes.
pub fn dist_dir() -> PathBuf {
    root().join("web").join("dist")
}

/// The cargo that runs us (so `cargo +toolchain xtask` stays on that toolchain).
pub fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(root());
    c
}

/// Runs `cmd`, echoing it, and fails with its exit status.
pub fn run(cmd: &mut Command) -> Result {
    eprintln!("  $ {}", describe(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{}`: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)))
    }
}

/// Runs `cmd` quietly and returns its stdout, or `None` if it can't start or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// A section heading in the output.
pub fn step(title: &str) {
    eprintln!("\n==> {title}");
}
