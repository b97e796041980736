//! The rate book, fetched as the calculator fetches it: `pricing/index.json`, then every file
//! it lists (the browser's cache usually has them from the calculator).

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Reads the index: a JSON array of plain `*.toml` file names.
pub fn parse_index(text: &str) -> Result<Vec<String>, String> {
    let names: Vec<String> =
        serde_json::from_str(text).map_err(|e| format!("pricing/index.json: {e}"))?;
    for n in &names {
        let plain = n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !plain || !n.ends_with(".toml") || n.starts_with('.') {
            return Err(format!(
                "index entry \"{n}\" is not a plain .toml file name"
            ));
        }
    }
    Ok(names)
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let failed = |_: JsValue| format!("{url}: the request failed");
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)?;
    if !resp.ok() {
        return Err(format!("{url}: HTTP {}", resp.status()));
    }
    let text = JsFuture::from(resp.text().map_err(failed)?)
        .await
        .map_err(failed)?;
    text.as_string().ok_or_else(|| format!("{url}: not text"))
}

/// Every pricing file, by name.
pub async fn fetch_sources() -> Result<Vec<ratebook::SourceFile>, String> {
    let names = parse_index(&fetch_text("pricing/index.json").await?)?;
    let mut out = Vec::new();
    for n in names {
        let text = fetch_text(&format!("pricing/{n}")).await?;
        out.push(ratebook::SourceFile::new(n, text));
    }
    Ok(out)
}
