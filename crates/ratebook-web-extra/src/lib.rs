//! ratebook-web-extra: the page's second WASM module, downloaded only when it is needed, so the
//! calculator's first download stays within its budget.
//!
//! - `mount("scenario", root)`: the scenario planner (`?view=scenario`), [`scenario_view`];
//! - `mount("log", root)`: pricing a log of provider responses (`?view=log`), [`log_view`],
//!   which hands the file to a Web Worker (`log-worker.js`) that loads this same module and
//!   prices the file with [`LogPricer`] (the core's `ingest`, the same as `ratebook cost`).
//!
//! `index.html` imports this module with a dynamic `import()` when the link asks for one of
//! these views; the calculator's module is not started then. [`scenario_form`] and [`log`] are
//! pure and unit-tested natively.

#[path = "../../../web/src/address.rs"]
mod address;
pub mod book;
pub mod log;
pub mod log_view;
pub mod nav;
pub mod parity;
/// The calculator's query-string encoding (one file, compiled into both modules).
#[path = "../../../web/src/urlcodec.rs"]
pub mod query;
pub mod scenario_form;
pub mod scenario_view;

pub use address::{location_search, replace_query};

use wasm_bindgen::prelude::*;

#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Renders `view` (`scenario` or `log`) into `root`.
#[wasm_bindgen]
pub fn mount(view: &str, root: web_sys::Element) {
    root.set_text_content(None);
    match view {
        "log" => {
            yew::Renderer::<log_view::LogApp>::with_root(root).render();
        }
        _ => {
            yew::Renderer::<scenario_view::ScenarioApp>::with_root(root).render();
        }
    }
}

/// Today in the person's time zone.
pub fn today() -> ratebook::Date {
    let now = js_sys::Date::new_0();
    let (y, m, d) = (now.get_full_year(), now.get_month() + 1, now.get_date());
    u16::try_from(y)
        .ok()
        .zip(u8::try_from(m).ok())
        .zip(u8::try_from(d).ok())
        .and_then(|((y, m), d)| ratebook::Date::new(y, m, d))
        .unwrap_or(ratebook::Date::UNIX_EPOCH)
}

/// Milliseconds since the page (or worker) started.
pub fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or(0.0, |p| p.now())
}

/// Sets `data-<key>` on `<html>` (timing marks for tests and the benchmark).
pub fn mark(key: &str, value: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = el.set_attribute(&format!("data-{key}"), value);
    }
}

thread_local! {
    static PARITY_BOOK: std::cell::RefCell<Option<std::rc::Rc<ratebook::RateBook>>> =
        const { std::cell::RefCell::new(None) };
}

/// Prices tab-separated workloads (see [`parity`] for the columns) against the site's pricing
/// files — the files the calculator loads — one exact total or `error: …` per line. The
/// calculator's page exposes it as `window.ratebookEstimateLines` (a promise), importing this
/// module on the first call, so the first download does not carry it.
#[wasm_bindgen]
pub async fn estimate_lines(lines: String) -> String {
    let book = match PARITY_BOOK.with(|b| b.borrow().clone()) {
        Some(b) => b,
        None => match book::fetch_sources().await {
            Ok(sources) => {
                let b = std::rc::Rc::new(ratebook::load(&sources).book);
                PARITY_BOOK.with(|c| *c.borrow_mut() = Some(b.clone()));
                b
            }
            Err(e) => return lines.lines().map(|_| format!("error: {e}\n")).collect(),
        },
    };
    parity::estimate_lines(&book, &lines)
}

/// A log priced in a Web Worker: the book is built from the pricing files the page sends, the
/// file arrives in pieces ([`LogPricer::add_chunk`]), and [`LogPricer::finish`] returns the
/// report as JSON.
#[wasm_bindgen]
pub struct LogPricer {
    run: Option<log::LogRun<'static>>,
}

#[wasm_bindgen]
impl LogPricer {
    /// `names[i]` holds `texts[i]`; `what_if` is `mode=batch`, `model=ID` or empty.
    #[wasm_bindgen(constructor)]
    pub fn new(names: Vec<String>, texts: Vec<String>, what_if: &str) -> LogPricer {
        let sources: Vec<ratebook::SourceFile> = names
            .into_iter()
            .zip(texts)
            .map(|(n, t)| ratebook::SourceFile::new(n, t))
            .collect();
        // One book per worker, which ends with its log: leaking it gives the ledger the
        // lifetime the worker has.
        let book: &'static ratebook::RateBook = Box::leak(Box::new(ratebook::load(&sources).book));
        LogPricer {
            run: Some(log::LogRun::new(book, today(), log::parse_what_if(what_if))),
        }
    }

    pub fn add_chunk(&mut self, text: &str) {
        if let Some(r) = self.run.as_mut() {
            r.add_chunk(text);
        }
    }

    /// The report (JSON); the pricer is spent.
    pub fn finish(&mut self) -> String {
        match self.run.take() {
            Some(r) => serde_json::to_string(&r.finish()).unwrap_or_default(),
            None => String::new(),
        }
    }
}
