//! A labelled count field: text input with a numeric keyboard, thousands separators accepted,
//! the value read back formatted (or the problem) underneath.

use ratebook::format_count;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::form::parse_count;

#[derive(Properties, PartialEq)]
pub struct CountFieldProps {
    /// Element id (also the URL parameter for the main fields).
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    /// Shown after the formatted value: `tokens`, `token-hours`, `requests`.
    pub unit: AttrValue,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub error: Option<String>,
    pub on_input: Callback<String>,
    #[prop_or_default]
    pub class: Classes,
}

/// `1 token`, `2 tokens`: the unit in the singular for one.
fn unit_for(n: u64, unit: &str) -> String {
    match unit.strip_suffix('s') {
        Some(one) if n == 1 => one.to_string(),
        _ => unit.to_string(),
    }
}

#[function_component(CountField)]
pub fn count_field(p: &CountFieldProps) -> Html {
    let oninput = {
        let cb = p.on_input.clone();
        Callback::from(move |e: InputEvent| {
            cb.emit(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let note_id = format!("{}-note", p.id);
    let note = match (&p.error, parse_count(&p.value)) {
        (Some(e), _) => {
            html! { <p class="field-note error" id={note_id.clone()}>{ e.clone() }</p> }
        }
        (None, Ok(n)) if n > 0 => html! {
            <p class="field-note" id={note_id.clone()}>
                { format!("{} {}", format_count(n), unit_for(n, &p.unit)) }
                { for p.hint.iter().map(|h| html! { <span class="hint">{ format!(" · {h}") }</span> }) }
            </p>
        },
        (None, Err(e)) => html! { <p class="field-note error" id={note_id.clone()}>{ e }</p> },
        _ => html! {
            <p class="field-note" id={note_id.clone()}>
                { for p.hint.iter().map(|h| html! { <span class="hint">{ h.clone() }</span> }) }
            </p>
        },
    };
    let invalid = p.error.is_some() || parse_count(&p.value).is_err();
    html! {
        <div class={classes!("field", p.class.clone(), invalid.then_some("invalid"))}>
            <label for={p.id.clone()}>{ p.label.clone() }</label>
            <input
                id={p.id.clone()}
                name={p.id.clone()}
                type="text"
                inputmode="numeric"
                autocomplete="off"
                spellcheck="false"
                placeholder={p.placeholder.clone().unwrap_or_else(|| AttrValue::from("0"))}
                value={p.value.clone()}
                aria-invalid={invalid.then_some("true")}
                aria-describedby={note_id.clone()}
                {oninput}
            />
            { note }
        </div>
    }
}
