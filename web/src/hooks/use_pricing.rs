//! Fetches the rate book: `pricing/index.json` (the list of files), then every file, from the
//! site the page is served from, and loads them with the core.
//!
//! A file that fails to fetch is reported and left out; a file that fails validation is left
//! out by the core with its located errors; the rest of the book stays usable.

use futures::future::join_all;
use gloo_net::http::Request;
use web_sys::RequestCache;
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

async fn fetch_text(url: &str) -> Result<String, String> {
    // No stale prices: revalidate with the server every time the page opens.
    let response = Request::get(url)
        .cache(RequestCache::NoCache)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if !response.ok() {
        return Err(format!(
            "{url}: HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    response.text().await.map_err(|e| format!("{url}: {e}"))
}

/// Fetches and loads everything; never fails, it reports.
pub async fn fetch_book() -> Action {
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
    let texts = join_all(
        names
            .iter()
            .map(|n| fetch_text_owned(format!("pricing/{n}"))),
    )
    .await;
    let mut sources = Vec::new();
    let mut files = Vec::new();
    let mut fetch_errors = Vec::new();
    for (name, text) in names.into_iter().zip(texts) {
        match text {
            Ok(t) => {
                sources.push(ratebook::SourceFile::new(name.clone(), t));
                files.push(name);
            }
            Err(e) => fetch_errors.push(format!(
                "Could not fetch {name} ({e}); its models are left out."
            )),
        }
    }
    let action = Action::loaded(ratebook::load(&sources), files, fetch_errors);
    // Share the book with `estimate_lines` before the page shows it as loaded, so a caller
    // that waits for the page never sees the function without a book.
    if let Action::Loaded { book, .. } = &action {
        crate::platform::share_book(book.clone());
    }
    action
}

async fn fetch_text_owned(url: String) -> Result<String, String> {
    fetch_text(&url).await
}

/// Starts loading the book once, when the app mounts.
#[hook]
pub fn use_pricing(dispatcher: UseReducerDispatcher<AppState>) {
    use_effect_with((), move |_| {
        wasm_bindgen_futures::spawn_local(async move {
            dispatcher.dispatch(fetch_book().await);
        });
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
