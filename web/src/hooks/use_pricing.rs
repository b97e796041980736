//! Fetches the rate book: `pricing/index.json` (the list of files), then every file, from the
//! site the page is served from, and loads them with the core.
//!
//! A file that fails to fetch is reported and left out; a file that fails validation is left
//! out by the core with its located errors; the rest of the book stays usable.

use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCache, RequestInit, Response};
use yew::prelude::*;

use crate::state::{Action, AppState};

/// Longest index accepted: a hostile or broken server should not make the page parse megabytes.
const MAX_INDEX: usize = 64 * 1024;

/// Reads the index: a JSON array of plain `*.toml` file names. Names with a path, a query or
/// anything unusual are refused, so the page only ever fetches `pricing/<name>.toml`.
pub fn parse_index(text: &str) -> Result<Vec<String>, String> {
    if text.len() > MAX_INDEX {
        return Err("the index is too large".into());
    }
    let inner = text
        .trim()
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .ok_or("the index is not a JSON list")?;
    let mut names = Vec::new();
    for item in inner.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let name = item
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .ok_or_else(|| format!("index entry {item} is not a string"))?;
        let plain = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !plain || !name.ends_with(".toml") || name.starts_with('.') {
            return Err(format!(
                "index entry \"{name}\" is not a plain .toml file name"
            ));
        }
        names.push(name.to_string());
    }
    Ok(names)
}

/// A fetch under way: the browser's `fetch`, started when this is made (so starting several
/// before awaiting any fetches them in parallel). No stale prices: the request revalidates
/// with the server every time the page opens.
struct Fetch {
    url: String,
    response: Result<JsFuture, String>,
}

impl Fetch {
    fn start(url: String) -> Fetch {
        let init = RequestInit::new();
        init.set_cache(RequestCache::NoCache);
        let response = web_sys::window()
            .map(|w| JsFuture::from(w.fetch_with_str_and_init(&url, &init)))
            .ok_or_else(|| "no window to fetch from".to_string());
        Fetch { url, response }
    }

    /// The response's text, or why there is none.
    async fn text(self) -> Result<String, String> {
        let url = &self.url;
        let failed = |e: JsValue| format!("{url}: {}", js_message(&e));
        let response: Response = self
            .response?
            .await
            .map_err(failed)?
            .dyn_into()
            .map_err(failed)?;
        if !response.ok() {
            return Err(format!(
                "{url}: HTTP {} {}",
                response.status(),
                response.status_text()
            ));
        }
        let text = JsFuture::from(response.text().map_err(failed)?)
            .await
            .map_err(failed)?;
        text.as_string()
            .ok_or_else(|| format!("{url}: the response is not text"))
    }
}

/// What a JavaScript exception says (`TypeError: Failed to fetch`).
fn js_message(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(err) => format!(
            "{}: {}",
            String::from(err.name()),
            String::from(err.message())
        ),
        None => e.as_string().unwrap_or_else(|| "the request failed".into()),
    }
}

async fn fetch_text(url: &str) -> Result<String, String> {
    Fetch::start(url.to_string()).text().await
}

/// Fetches and loads everything, giving each result to `deliver`; never fails, it reports.
///
/// When the model the page opens on can be priced from one pricing file alone, that file is
/// loaded first and delivered as a preview (`Action::Preview`), and the whole book is loaded
/// after the preview's total has been painted: the first total waits for one file's parse, not
/// the book's.
pub async fn fetch_book(wanted: String, deliver: fn(Action)) {
    stage("start-ms");
    let index = match fetch_text("pricing/index.json").await {
        Ok(text) => text,
        Err(e) => {
            return deliver(Action::LoadFailed(format!(
                "Could not fetch the list of pricing files ({e})."
            )));
        }
    };
    let names = match parse_index(&index) {
        Ok(n) if n.is_empty() => {
            return deliver(Action::LoadFailed(
                "The list of pricing files is empty.".into(),
            ));
        }
        Ok(n) => n,
        Err(e) => {
            return deliver(Action::LoadFailed(format!(
                "Could not read pricing/index.json: {e}."
            )));
        }
    };
    // Every file is requested before any answer is awaited, so they download in parallel.
    let fetches: Vec<Fetch> = names
        .iter()
        .map(|n| Fetch::start(format!("pricing/{n}")))
        .collect();
    stage("index-ms");
    let mut sources = Vec::new();
    let mut files = Vec::new();
    let mut fetch_errors = Vec::new();
    for (name, fetch) in names.into_iter().zip(fetches) {
        match fetch.text().await {
            Ok(t) => {
                sources.push(ratebook::SourceFile::new(name.clone(), t));
                files.push(name);
            }
            Err(e) => fetch_errors.push(format!(
                "Could not fetch {name} ({e}); its models are left out."
            )),
        }
    }
    stage("fetched-ms");
    if let Some(book) = preview(&sources, &wanted) {
        deliver(Action::Preview(Rc::new(book)));
        stage("preview-ms");
        next_paint().await;
    }
    let action = Action::loaded(ratebook::load(&sources), files, fetch_errors);
    stage("loaded-ms");
    deliver(action);
}

/// The book of the one file that prices `wanted` by itself, if there is one: a file that
/// names the id (quoted, as a key or an alias), loads without an error on its own, and
/// resolves the id to a model that bills no other model (no reroute after a shutdown). A model
/// that needs another file — a cloud offer, a scheme or a successor defined elsewhere — fails
/// one of these tests and waits for the whole book. Costs a text search of each file, then one
/// file's load.
fn preview(sources: &[ratebook::SourceFile], wanted: &str) -> Option<ratebook::RateBook> {
    let wanted = wanted.trim();
    if sources.len() < 2 || wanted.is_empty() {
        return None;
    }
    let quoted = format!("\"{wanted}\"");
    let key = format!("models.{wanted}]");
    sources
        .iter()
        .filter(|s| s.text.contains(&quoted) || s.text.contains(&key))
        .find_map(|s| {
            let one = ratebook::load(std::slice::from_ref(s));
            let fits = one.errors.is_empty()
                && one
                    .book
                    .resolve_with(wanted)
                    .is_ok_and(|r| r.model.lifecycle.replaced_by.is_none());
            fits.then_some(one.book)
        })
}

/// Resolves once the browser has painted the current frame.
async fn next_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        crate::platform::after_paint(Box::new(move || {
            let _ = resolve.call0(&JsValue::NULL);
        }));
    });
    let _ = JsFuture::from(promise).await;
}

/// Marks a stage of the first load on `<html>` (milliseconds since navigation start), for the
/// page's timing benchmark.
fn stage(key: &str) {
    crate::platform::mark(key, &crate::form::fixed(crate::platform::now_ms(), 1));
}

/// The load [`begin`] started: the results not yet given to the app, and the app's dispatcher
/// once it has mounted.
struct Early {
    pending: Vec<Action>,
    dispatcher: Option<UseReducerDispatcher<AppState>>,
}

thread_local! {
    static EARLY: std::cell::RefCell<Early> = const {
        std::cell::RefCell::new(Early { pending: Vec::new(), dispatcher: None })
    };
}

/// Gives `action` to the app, or keeps it until the app mounts.
fn deliver(action: Action) {
    // The dispatcher is cloned out before dispatching: the reducer may run at once, and nothing
    // may hold the cell then.
    match EARLY.with(|e| e.borrow().dispatcher.clone()) {
        Some(d) => d.dispatch(action),
        None => EARLY.with(|e| e.borrow_mut().pending.push(action)),
    }
}

/// Starts fetching and loading the book as soon as the module runs, before the app's first
/// render (which takes a while on a cold page): the prices download while the page draws.
pub fn begin() {
    let wanted = crate::query::parse(
        &crate::platform::location_search(),
        crate::platform::today(),
    )
    .0
    .model;
    wasm_bindgen_futures::spawn_local(fetch_book(wanted, deliver));
}

/// Connects the app to the load [`begin`] started: what it has delivered so far, and the rest
/// as it comes.
#[hook]
pub fn use_pricing(dispatcher: UseReducerDispatcher<AppState>) {
    use_effect_with((), move |_| {
        let pending = EARLY.with(|e| {
            let mut e = e.borrow_mut();
            e.dispatcher = Some(dispatcher.clone());
            std::mem::take(&mut e.pending)
        });
        for action in pending {
            dispatcher.dispatch(action);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index() {
        assert_eq!(
            parse_index(r#"["a.toml", "b-c.toml"]"#).unwrap(),
            vec!["a.toml", "b-c.toml"]
        );
        assert_eq!(parse_index(" [ ] ").unwrap(), Vec::<String>::new());
        assert!(parse_index(r#"["../etc/passwd.toml"]"#).is_err());
        assert!(parse_index(r#"["a.txt"]"#).is_err());
        assert!(parse_index(r#"{"a": 1}"#).is_err());
        assert!(parse_index(r#"[1]"#).is_err());
    }

    /// The repository's pricing files, as the page fetches them.
    fn repository_sources() -> Vec<ratebook::SourceFile> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pricing");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("pricing/")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        ratebook::order::sort(&mut names);
        names
            .into_iter()
            .map(|n| {
                let text = std::fs::read_to_string(dir.join(&n)).expect("pricing file");
                ratebook::SourceFile::new(n, text)
            })
            .collect()
    }

    /// A preview never shows a total the whole book would not: for every id and alias in the
    /// book, and cloud ids, a preview (when there is one) prices a mixed usage exactly as the
    /// whole book does, at every date the model's prices change.
    #[test]
    fn a_preview_prices_as_the_whole_book() {
        let sources = repository_sources();
        let full = ratebook::load(&sources);
        assert!(full.errors.is_empty(), "{:?}", full.errors);
        let usage = ratebook::Usage {
            input_text: 30_000,
            cached: 10_000,
            cache_write_5m: 2_000,
            output_text: 1_500,
            ..ratebook::Usage::default()
        };
        let mut ids: Vec<String> = Vec::new();
        for m in full.book.models() {
            ids.push(m.id.clone());
            ids.extend(m.aliases.iter().cloned());
        }
        ids.push("us.anthropic.claude-sonnet-4-5-20250929-v1:0".into());
        ids.push("azure/gpt-4o".into());
        let mut previewed = 0;
        for id in &ids {
            let Some(partial) = preview(&sources, id) else {
                continue;
            };
            previewed += 1;
            let model = full
                .book
                .resolve_with(id)
                .expect("resolves in the whole book")
                .model;
            for entry in &model.prices {
                let options = ratebook::EstimateOptions::at(entry.effective);
                let want = full.book.estimate(id, &usage, options).map(|e| e.total);
                let got = partial.estimate(id, &usage, options).map(|e| e.total);
                assert_eq!(
                    got.as_ref().ok(),
                    want.as_ref().ok(),
                    "{id} at {}",
                    entry.effective
                );
            }
        }
        // Most first-party ids preview; cloud ids (their card needs the first-party file) do not.
        assert!(previewed * 2 > ids.len(), "{previewed} of {}", ids.len());
        assert!(preview(&sources, "us.anthropic.claude-sonnet-4-5-20250929-v1:0").is_none());
        assert!(preview(&sources, "claude-sonnet-4-5").is_some());
        assert!(preview(&sources, "no-such-model").is_none());
    }
}
