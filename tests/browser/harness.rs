//! The browser tests' harness: the site as the native core sees it (its own pricing files), the
//! site served on a loopback port, and a headless Chromium session driven through chromedriver
//! (one at a time, each with a fresh profile, ended on drop).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use ratebook::{Date, EstimateOptions, ImageCount, Mode, RateBook, SourceFile, Usage};
use serde_json::{Value, json};

/// One browser at a time: tests hold this while their session runs.
pub static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
static UNIQUE: AtomicUsize = AtomicUsize::new(0);

/// The models the page compares when the URL names none.
pub const DEFAULT_MODELS: [&str; 3] = ["claude-sonnet-4-5", "gpt-4o", "gemini-2.5-pro"];
const WAIT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------------------------
// The site, natively

/// The built site (`$RATEBOOK_DIST`).
pub fn dist() -> PathBuf {
    match std::env::var_os("RATEBOOK_DIST") {
        Some(d) => PathBuf::from(d),
        None => panic!(
            "RATEBOOK_DIST is not set: run the browser tests with `cargo xtask test`, which builds the site first"
        ),
    }
}

/// `tests/artifacts/` (gitignored): screenshots and timings.
pub fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).expect("create tests/artifacts");
    dir
}

/// The pricing files in `dir`, by name.
pub fn pricing_sources(dir: &Path) -> Vec<SourceFile> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read the site's pricing/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(dir.join(&n)).expect("read pricing file");
            SourceFile::new(n, text)
        })
        .collect()
}

/// The book the page should have: the site's own pricing files, loaded natively.
pub fn native_book() -> RateBook {
    let loaded = ratebook::load(&pricing_sources(&dist().join("pricing")));
    assert!(
        loaded.errors.is_empty(),
        "the site's pricing files do not load: {:?}",
        loaded.errors
    );
    loaded.book
}

/// The date `s` (`YYYY-MM-DD`).
pub fn date(s: &str) -> Date {
    s.parse().expect("test date")
}

/// A usage of text tokens (input including cache reads and writes) and generated images.
pub fn usage(
    input: u64,
    cached: u64,
    w5m: u64,
    w1h: u64,
    output: u64,
    images: &[(&str, u64)],
) -> Usage {
    Usage {
        input_text: input,
        cached,
        cache_write_5m: w5m,
        cache_write_1h: w1h,
        output_text: output,
        output_images: images
            .iter()
            .map(|(r, c)| ImageCount {
                resolution: r.to_string(),
                count: *c,
            })
            .collect(),
        ..Usage::default()
    }
}

/// The exact total the native core gives, as the page shows it (`data-total-usd`).
pub fn native_total(book: &RateBook, model: &str, u: &Usage, day: &str, mode: Mode) -> String {
    let options = EstimateOptions {
        date: date(day),
        mode,
        residency: false,
        allow_over_limits: false,
    };
    match book.estimate(model, u, options) {
        Ok(e) => e.total.to_string(),
        Err(e) => panic!("native estimate of {model} failed: {e}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The site served (the tests may serve a modified copy)

/// Serves `root` on a free loopback port for the rest of the process (the static server of
/// `cargo xtask serve`); returns the base URL.
pub fn serve(root: &Path) -> String {
    let addr = site_server::spawn(root, 0).expect("serve the site on a loopback port");
    format!("http://{addr}")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// A fresh, empty directory for this process.
pub fn temp_dir(what: &str) -> PathBuf {
    let n = UNIQUE.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("ratebook-{what}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Copies the tree `from` to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy file");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A browser session

fn chrome_path() -> String {
    std::env::var("RATEBOOK_CHROME").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

fn chromedriver_path() -> String {
    std::env::var("RATEBOOK_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into())
}

/// chromedriver (and the Chromium it starts, in the same process group) ended on drop, so a
/// failing test leaves no browser behind.
struct Driver {
    child: Child,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A headless Chromium session on the served site.
pub struct Page {
    /// The WebDriver session.
    pub client: Client,
    base: String,
    _driver: Driver,
}

impl Page {
    /// Starts chromedriver and a fresh headless Chromium, at `width` × `height`.
    pub async fn start(base: &str, width: u32, height: u32) -> Page {
        use std::os::unix::process::CommandExt;
        let port = free_port();
        let profile = temp_dir("chromium-profile");
        let child = Command::new(chromedriver_path())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start chromedriver ({e}); apt-get install -y chromium-driver")
            });
        let driver = Driver {
            child,
            profile: profile.clone(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut options = json!({
            "binary": chrome_path(),
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars",
                format!("--window-size={},{height}", width.max(500)),
                format!("--user-data-dir={}", profile.display()),
            ],
        });
        if width < 500 {
            // Headless windows are at least 500 px wide: emulate a phone's viewport instead.
            options["mobileEmulation"] =
                json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0 } });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("cannot start a Chromium session: {e}"));
        Page {
            client,
            base: base.to_string(),
            _driver: driver,
        }
    }

    /// Ends the session and the browser.
    pub async fn close(self) {
        let Page {
            client, _driver, ..
        } = self;
        let _ = client.close().await;
        drop(_driver);
    }

    /// Opens `query` (`?model=…`) and waits until the prices have loaded.
    pub async fn open(&self, query: &str) {
        let url = format!("{}/{query}", self.base);
        self.client.goto(&url).await.expect("navigate");
        self.wait_for(
            "const s = document.querySelector('.app')?.dataset.status; return (s === 'ready' || s === 'failed') && typeof window.ratebookEstimateLines === 'function' ? s : null;",
            "the page to load its prices",
        )
        .await;
    }

    /// Opens a view of the second module (`?view=scenario…`, `?view=log`) and waits until it
    /// has loaded its prices.
    pub async fn open_view(&self, query: &str) {
        let url = format!("{}/{query}", self.base);
        self.client.goto(&url).await.expect("navigate");
        self.wait_for(
            "const s = document.querySelector('.app[data-view]')?.dataset.status; return s === 'ready' || s === 'failed' ? s : null;",
            "the view to load its prices",
        )
        .await;
    }

    /// The attribute `attr` of the first element matching `selector`, once it has one.
    pub async fn attr(&self, selector: &str, attr: &str) -> String {
        let v = self
            .wait_for(
                &format!(
                    "return document.querySelector({})?.getAttribute({}) ?? null;",
                    json!(selector),
                    json!(attr)
                ),
                &format!("{selector}[{attr}]"),
            )
            .await;
        v.as_str().expect("a string").to_string()
    }

    /// Waits until `selector`'s attribute `attr` is exactly `expected`.
    pub async fn expect_attr(&self, selector: &str, attr: &str, expected: &str) {
        let script = format!(
            "return document.querySelector({})?.getAttribute({}) ?? null;",
            json!(selector),
            json!(attr)
        );
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.js(&script, vec![]).await;
            if v.as_str() == Some(expected) {
                return;
            }
            if Instant::now() > deadline {
                let text = self
                    .js("return document.body.innerText.slice(0, 2000);", vec![])
                    .await;
                panic!(
                    "{selector}[{attr}] is {v}, expected {expected}; the page says:\n{}",
                    text.as_str().unwrap_or("")
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Runs `script` in the page with `args` and returns its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls `script` until it returns something other than null/false.
    pub async fn wait_for(&self, script: &str, what: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.js(script, vec![]).await;
            if !v.is_null() && v != Value::Bool(false) {
                return v;
            }
            if Instant::now() > deadline {
                let text = self
                    .js("return document.body.innerText.slice(0, 3000);", vec![])
                    .await;
                panic!(
                    "timed out waiting for {what}; the page says:\n{}",
                    text.as_str().unwrap_or("")
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The exact total the page shows (`data-total-usd`), once there is one.
    pub async fn total(&self) -> String {
        let v = self
            .wait_for(
                "return document.getElementById('total')?.dataset.totalUsd ?? null;",
                "#total[data-total-usd]",
            )
            .await;
        v.as_str().expect("a string").to_string()
    }

    /// Waits for the sections drawn after the first total: the compare table and the history.
    pub async fn sections(&self) {
        self.wait_for(
            "return document.getElementById('compare-table') && document.getElementById('history-from') ? true : null;",
            "the compare table and the price history",
        )
        .await;
    }

    /// Waits until the total is exactly `expected`.
    pub async fn expect_total(&self, expected: &str, what: &str) {
        let script = "return document.getElementById('total')?.dataset.totalUsd ?? null;";
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.js(script, vec![]).await;
            if v.as_str() == Some(expected) {
                return;
            }
            if Instant::now() > deadline {
                let err = self.text_of("#estimate-error, #form-errors").await;
                panic!("{what}: the page shows total {v} but the core says {expected} {err}");
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// The value of the input `#id`.
    pub async fn value_of(&self, id: &str) -> String {
        let v = self
            .js(
                "return document.getElementById(arguments[0])?.value ?? null;",
                vec![json!(id)],
            )
            .await;
        v.as_str()
            .unwrap_or_else(|| panic!("no element #{id}"))
            .to_string()
    }

    /// The text of the first element matching `selector` (empty if none).
    pub async fn text_of(&self, selector: &str) -> String {
        let v = self
            .js(
                "return document.querySelector(arguments[0])?.innerText ?? '';",
                vec![json!(selector)],
            )
            .await;
        v.as_str().unwrap_or_default().to_string()
    }

    /// Replaces a text field's content by typing, as a person would.
    pub async fn type_into(&self, id: &str, text: &str) {
        let el = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("no #{id}: {e}"));
        el.clear().await.expect("clear");
        // Select-all + delete as well: `clear` does not fire an input event.
        el.send_keys("\u{E009}a\u{E017}")
            .await
            .expect("select all and delete");
        el.send_keys(text).await.expect("type");
    }

    /// Chooses `value` in the select `#id`.
    pub async fn select(&self, id: &str, value: &str) {
        let el = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("no #{id}: {e}"));
        el.select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("#{id} has no option {value}: {e}"));
    }

    /// Saves a screenshot as `tests/artifacts/NAME` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let path = artifacts().join(name);
        std::fs::write(&path, png).expect("write screenshot");
        path
    }
}

/// One browser at a time; each test gets a fresh profile.
pub async fn page(width: u32, height: u32) -> (tokio::sync::MutexGuard<'static, ()>, Page) {
    let guard = BROWSER.lock().await;
    let base = serve(&dist());
    (guard, Page::start(&base, width, height).await)
}
