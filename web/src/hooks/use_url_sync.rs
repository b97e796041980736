//! Keeps the URL's query equal to the form, so the address bar is always a shareable link.

use yew::prelude::*;

use crate::form::Form;
use crate::platform;
use crate::query;

/// Rewrites the query with `history.replaceState` whenever the form changes (no history entry
/// per keystroke).
#[hook]
pub fn use_url_sync(form: &Form) {
    let mut q = query::to_query(form);
    // The build with own prices keeps itself across reloads: `index.html` starts it for
    // `discount=` or `own-prices=1`.
    if platform::OWN_PRICES && form.discounts.is_empty() {
        q.push_str("&own-prices=1");
    }
    use_effect_with(q, |q| platform::replace_query(q));
}
