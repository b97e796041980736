//! Records when the page first showed a computed total, for `cargo xtask bench-web`.

use std::cell::Cell;

use yew::prelude::*;

use crate::platform;

thread_local! {
    static MARKED: Cell<bool> = const { Cell::new(false) };
}

/// Sets `data-first-total-ms` on `<html>` (milliseconds since navigation start) the first time
/// `has_total` is true.
#[hook]
pub fn use_first_total_mark(has_total: bool) {
    use_effect_with(has_total, |&has| {
        if has && !MARKED.with(Cell::get) {
            MARKED.with(|m| m.set(true));
            platform::mark("first-total-ms", &crate::form::fixed(platform::now_ms(), 1));
        }
    });
}
