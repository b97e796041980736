//! Your own prices: discount rules (`discount=PROVIDER_OR_MODEL:PERCENT` in the link, the CLI's
//! `--discount`) and an overlay file (TOML, kept in the browser's local storage, never
//! uploaded). Problems are listed with their location; the rule or file is then ignored.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::AppContext;
use crate::platform;
use crate::state::{Action, OverlayFile};

#[function_component(OwnPrices)]
pub fn own_prices() -> Html {
    let Some(state) = use_context::<AppContext>() else {
        return html! {};
    };
    // Applied when the field is committed (Enter or leaving it), not on every keystroke: a
    // half-typed rule is not an error.
    let on_discounts = {
        let d = state.dispatcher();
        Callback::from(move |e: Event| {
            d.dispatch(Action::SetDiscounts(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let on_file = {
        let d = state.dispatcher();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|l| l.get(0)) {
                let d = d.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let name = file.name();
                    if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                        let f = OverlayFile {
                            name,
                            text: text.as_string().unwrap_or_default(),
                        };
                        platform::store_overlay(Some(&f));
                        d.dispatch(Action::SetOverlay(Some(f)));
                    }
                });
            }
        })
    };
    let on_remove = {
        let d = state.dispatcher();
        Callback::from(move |_: MouseEvent| {
            platform::store_overlay(None);
            d.dispatch(Action::SetOverlay(None));
        })
    };
    html! {
        <fieldset class="group" id="own-prices">
            <legend>{ "Your own prices" }</legend>
            <div class="field">
                <label for="discount">{ "Discounts (provider or model : percent)" }</label>
                <input id="discount" type="text" autocomplete="off" spellcheck="false"
                    placeholder="openai:20, claude-sonnet-4-5:10"
                    value={state.form.discounts.join(", ")}
                    aria-describedby="discount-note" onchange={on_discounts} />
                <p class="field-note" id="discount-note">{ "Comma-separated, as the CLI's --discount (Enter applies); a markup goes in an overlay file." }</p>
            </div>
            <div class="field">
                <label for="overlay-file">{ "Overlay file (TOML; stays in this browser)" }</label>
                <input id="overlay-file" type="file" accept=".toml,text/plain" onchange={on_file} aria-describedby="overlay-note" />
                <p class="field-note" id="overlay-note">
                    { state.overlay.as_ref().map(|f| format!("Using {}.", f.name)).unwrap_or_default() }
                </p>
                if state.overlay.is_some() {
                    <button type="button" class="button-quiet" id="overlay-remove" onclick={on_remove}>{ "Remove the overlay file" }</button>
                }
            </div>
            if !state.custom_problems.is_empty() {
                <ul class="estimate-error" id="custom-problems" role="alert">
                    { for state.custom_problems.iter().map(|p| html! { <li>{ p.clone() }</li> }) }
                </ul>
            }
        </fieldset>
    }
}
