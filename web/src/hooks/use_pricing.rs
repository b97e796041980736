//! Fetches the rate book: `pricing/index.json` (the list of files), then every file, from the
//! site the page is served from, and loads them with the core.
//!
//! A file that fails to fetch is reported and left out; a file that fails validation is left
//! out by the core with its located errors; the rest of the book stays usable.

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

/// Fetches and loads everything; never fails, it reports.
pub async fn fetch_book() -> Action {
    stage("start-ms");
    let index = match fetch_text("pricing/index.json").await {
        Ok(text) => text,
        Err(e) => {
            return Action::LoadFailed(format!("Could not fetch the list of pricing files ({e})."));
        }
    };
    let names = match parse_index(&index) {
        Ok(n) if n.is_empty() => {
            return Action::LoadFailed("The list of pricing files is empty.".into());
        }
        Ok(n) => n,
        Err(e) => return Action::LoadFailed(format!("Could not read pricing/index.json: {e}.")),
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
    let action = Action::loaded(ratebook::load(&sources), files, fetch_errors);
    stage("loaded-ms");
    // Share the book with `estimate_lines` before the page shows it as loaded, so a caller
    // that waits for the page never sees the function without a book.
    if let Action::Loaded { book, .. } = &action {
        crate::platform::share_book(book.clone());
    }
    action
}

/// Marks a stage of the first load on `<html>` (milliseconds since navigation start), for the
/// page's timing benchmark.
fn stage(key: &str) {
    crate::platform::mark(key, &crate::form::fixed(crate::platform::now_ms(), 1));
}

/// Where the load started by [`begin`] stands, and who waits for it.
enum Early {
    /// Nothing started (or its result already delivered).
    Idle,
    /// Fetching and loading; nobody waits yet.
    Running,
    /// Loaded before the app mounted: the result, kept for it.
    Done(Action),
    /// The app mounted first: its dispatcher, to give the result to.
    Waiting(UseReducerDispatcher<AppState>),
}

thread_local! {
    static EARLY: std::cell::RefCell<Early> = const { std::cell::RefCell::new(Early::Idle) };
}

fn take_early() -> Early {
    EARLY.with(|e| std::mem::replace(&mut *e.borrow_mut(), Early::Idle))
}

fn put_early(state: Early) {
    EARLY.with(|e| *e.borrow_mut() = state);
}

/// Starts fetching and loading the book as soon as the module runs, before the app's first
/// render (which takes a while on a cold page): the prices arrive while the page draws.
pub fn begin() {
    put_early(Early::Running);
    wasm_bindgen_futures::spawn_local(async {
        let action = fetch_book().await;
        match take_early() {
            Early::Waiting(dispatcher) => dispatcher.dispatch(action),
            _ => put_early(Early::Done(action)),
        }
    });
}

/// Gives the app the book once, when it mounts: the load [`begin`] started (now, or when it
/// ends), or a load of its own if none was started.
#[hook]
pub fn use_pricing(dispatcher: UseReducerDispatcher<AppState>) {
    use_effect_with((), move |_| match take_early() {
        Early::Done(action) => dispatcher.dispatch(action),
        Early::Running => put_early(Early::Waiting(dispatcher)),
        Early::Idle | Early::Waiting(_) => {
            wasm_bindgen_futures::spawn_local(async move {
                dispatcher.dispatch(fetch_book().await);
            });
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
}
