//! Records when the page first showed a computed total, for `cargo xtask bench-web`.

use std::cell::Cell;

use yew::prelude::*;

use crate::platform;

thread_local! {
    static MARKED: Cell<bool> = const { Cell::new(false) };
}

/// Sets `data-first-total-ms` on `<html>` (milliseconds since navigation start) once the first
/// total has been painted: the first time `has_total` is true, the mark is scheduled for just
/// after the browser's next frame. (Scheduled while rendering, not in an effect: Yew runs
/// effects after the browser's frame when rendering took more than 16 ms and before it
/// otherwise, so a mark set in an effect would sometimes include the paint and sometimes not.)
#[hook]
pub fn use_first_total_mark(has_total: bool) {
    if has_total && !MARKED.with(Cell::get) {
        MARKED.with(|m| m.set(true));
        platform::after_paint(Box::new(|| {
            platform::mark("first-total-ms", &crate::form::fixed(platform::now_ms(), 1));
        }));
    }
}
