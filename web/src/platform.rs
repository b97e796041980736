//! The few browser calls the page makes outside Yew: the local date, the URL, timing marks, and
//! the book shared with the exported `estimate_lines`.
//!
//! Every call tolerates a missing `window` or a refused API (returning a default), because a
//! failed browser call must degrade the page, not panic it.

use std::cell::RefCell;
use std::rc::Rc;

use ratebook::{Date, RateBook};

thread_local! {
    static BOOK: RefCell<Option<Rc<RateBook>>> = const { RefCell::new(None) };
}

/// Makes `book` the one `estimate_lines` prices against.
pub fn share_book(book: Rc<RateBook>) {
    BOOK.with(|b| *b.borrow_mut() = Some(book));
}

/// The book loaded by the page, if it has loaded.
pub fn shared_book() -> Option<Rc<RateBook>> {
    BOOK.with(|b| b.borrow().clone())
}

/// Today in the person's time zone.
pub fn today() -> Date {
    let now = js_sys::Date::new_0();
    let (y, m, d) = (now.get_full_year(), now.get_month() + 1, now.get_date());
    let local = u16::try_from(y)
        .ok()
        .zip(u8::try_from(m).ok())
        .zip(u8::try_from(d).ok())
        .and_then(|((y, m), d)| Date::new(y, m, d));
    local
        .or_else(|| Date::from_unix_days((js_sys::Date::now() / 86_400_000.0).floor() as i64))
        // Only an absurd clock gets here.
        .unwrap_or(Date::UNIX_EPOCH)
}

/// The page's query string, with its `?`.
pub fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Replaces the URL's query without adding a history entry.
pub fn replace_query(query: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if window.location().search().ok().as_deref() == Some(query) {
        return;
    }
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(query));
    }
}

/// Milliseconds since navigation started.
#[allow(
    clippy::disallowed_types,
    reason = "timing: the browser's clock is a float; shown only through form::fixed"
)]
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Sets `data-<key>` on `<html>`, where tests and the benchmark read timing marks.
pub fn mark(key: &str, value: &str) {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element());
    if let Some(el) = root {
        let _ = el.set_attribute(&format!("data-{key}"), value);
    }
}

/// Runs `f` once the browser has painted the current frame: in a timer started from the next
/// animation frame (which runs just before that paint). Without a window, runs it now.
pub fn after_paint(f: Box<dyn FnOnce()>) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Some(window) = web_sys::window() else {
        f();
        return;
    };
    let timer_window = window.clone();
    let frame = Closure::once_into_js(move || {
        let timer = Closure::once_into_js(f);
        let _ = timer_window
            .set_timeout_with_callback_and_timeout_and_arguments_0(timer.unchecked_ref(), 0);
    });
    if window
        .request_animation_frame(frame.unchecked_ref())
        .is_err()
    {
        // No animation frames (a hidden or unusual browser): a timer alone.
        let _ =
            window.set_timeout_with_callback_and_timeout_and_arguments_0(frame.unchecked_ref(), 0);
    }
}
