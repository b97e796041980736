//! ratebook-web: the browser calculator.
//!
//! The page fetches `pricing/index.json` and every pricing file it lists from the site it is
//! served from, loads them with the `ratebook` core (the same code the CLI runs, compiled to
//! WASM), and prices the workload in the form on every change. The URL query holds the whole
//! form, so any state is a shareable link.
//!
//! Code map: [`form`], [`query`], [`workload`] and [`state`] are pure and unit-tested
//! natively; [`hooks`] hold the effects (fetch, URL, timing marks); [`components`] render;
//! [`platform`] wraps the few browser calls. Nothing here may panic on user or pricing data: a
//! panic in WASM kills the page.
//!
//! Built by `cargo xtask build` (wasm-bindgen `--target web`, `wasm-opt -Oz`), never by trunk.

pub mod address;
pub mod components;
pub mod form;
pub mod hooks;
pub mod platform;
pub mod query;
pub mod state;
pub mod urlcodec;
pub mod workload;

use wasm_bindgen::prelude::*;

/// The page's allocator: talc is a few kilobytes smaller than the standard library's dlmalloc
/// in the download, and as fast for the page's small, short-lived allocations.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Starts fetching and loading the book, then mounts the calculator into `#app` (or the body):
/// the prices download while the page draws its form.
#[wasm_bindgen(start)]
pub fn start() {
    hooks::begin_pricing();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            // Replace the "loading" placeholder the HTML shows before the WASM arrives.
            root.set_text_content(None);
            yew::Renderer::<components::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<components::App>::new().render();
        }
    }
}
