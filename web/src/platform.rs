//! The few browser calls the page makes outside Yew: the local date, the URL, timing marks, and
//! the overlay file kept in local storage.
//!
//! Every call tolerates a missing `window` or a refused API (returning a default), because a
//! failed browser call must degrade the page, not panic it.

use ratebook::Date;

const OVERLAY_NAME: &str = "ratebook-overlay-name";
const OVERLAY_TEXT: &str = "ratebook-overlay-text";

/// The overlay file kept in the browser's local storage, if any.
pub fn stored_overlay() -> Option<crate::state::OverlayFile> {
    let s = web_sys::window()?.local_storage().ok()??;
    Some(crate::state::OverlayFile {
        name: s.get_item(OVERLAY_NAME).ok()??,
        text: s.get_item(OVERLAY_TEXT).ok()??,
    })
}

/// Keeps `file` in local storage (or forgets it); a refused storage is ignored.
pub fn store_overlay(file: Option<&crate::state::OverlayFile>) {
    let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return;
    };
    match file {
        Some(f) => {
            let _ = s.set_item(OVERLAY_NAME, &f.name);
            let _ = s.set_item(OVERLAY_TEXT, &f.text);
        }
        None => {
            let _ = s.remove_item(OVERLAY_NAME);
            let _ = s.remove_item(OVERLAY_TEXT);
        }
    }
}

/// Whether this build applies own prices (feature `own-prices`). The first download does not:
/// it links to `own-prices=1`, for which `index.html` starts the build that does.
pub const OWN_PRICES: bool = cfg!(feature = "own-prices");

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

pub use crate::address::{location_search, replace_query};

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
