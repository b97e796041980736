//! The model picker: a search box (name, id or alias) narrowing a select grouped by provider.
//! Enter in the search box picks the first match; the select stays fully keyboard-operable.

use ratebook::{Model, RateBook, format_count};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::AppContext;
use crate::state::Action;

/// Does `model` match the search text (case-insensitive, on name, id and aliases)?
pub fn matches(model: &Model, needle: &str) -> bool {
    let needle = needle.trim().to_ascii_lowercase();
    needle.is_empty()
        || model.name.to_ascii_lowercase().contains(&needle)
        || model.id.to_ascii_lowercase().contains(&needle)
        || model
            .aliases
            .iter()
            .any(|a| a.to_ascii_lowercase().contains(&needle))
}

/// Providers in book order, each with its models that match (the current model always shown);
/// with `only_current`, just the current model.
fn groups<'a>(
    book: &'a RateBook,
    needle: &str,
    current: &str,
    only_current: bool,
) -> Vec<(String, Vec<&'a Model>)> {
    book.providers()
        .iter()
        .map(|p| {
            let models = book
                .models()
                .iter()
                .filter(|m| {
                    m.provider == p.id && (m.id == current || (!only_current && matches(m, needle)))
                })
                .collect();
            (p.name.clone(), models)
        })
        .filter(|(_, models): &(String, Vec<&Model>)| !models.is_empty())
        .collect()
}

#[function_component(ModelPicker)]
pub fn model_picker() -> Html {
    let search = use_state(String::new);
    let select_ref = use_node_ref();
    let ctx = use_context::<AppContext>();
    let current = ctx
        .as_ref()
        .map(|s| s.form.model.clone())
        .unwrap_or_default();

    // Keep the select's property in step with the state (attributes alone do not move it once
    // the person has used it).
    {
        let select_ref = select_ref.clone();
        use_effect_with(((*search).clone(), current.clone()), move |(_, current)| {
            if let Some(select) = select_ref.cast::<HtmlSelectElement>() {
                select.set_value(current);
            }
        });
    }
    let Some(state) = ctx else { return html! {} };
    let Some(book) = state.book.clone() else {
        return html! {
            <div class="field">
                <label for="model">{ "Model" }</label>
                <select id="model" disabled=true><option>{ "Loading models…" }</option></select>
            </div>
        };
    };
    // Until the first total has been painted, the select holds just the current model (its
    // other options follow in the next frame, before anyone can open it).
    let groups = groups(&book, &search, &current, !state.settled);
    let match_count: usize = book.models().iter().filter(|m| matches(m, &search)).count();

    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| {
            search.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_key = {
        let d = state.dispatcher();
        let book = book.clone();
        let search = search.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                if let Some(m) = book.models().iter().find(|m| matches(m, &search)) {
                    d.dispatch(Action::SetModel(m.id.clone()));
                }
            }
        })
    };
    let on_change = {
        let d = state.dispatcher();
        Callback::from(move |e: Event| {
            d.dispatch(Action::SetModel(
                e.target_unchecked_into::<HtmlSelectElement>().value(),
            ))
        })
    };
    // A cloud deployment id (`us.anthropic.…`) is kept as written: the select shows it as an
    // option of its own, above the first-party models, and the facts are its model's.
    let deployment = match book.get(&current) {
        Some(_) => None,
        None => book
            .resolve_with(&current)
            .ok()
            .filter(|r| r.resolution.deployment.is_some()),
    };
    let model = match &deployment {
        Some(r) => Some(r.model),
        None => book.get(&current),
    };
    let facts = model.map(|m| {
        let mut parts = vec![m.id.clone()];
        if let Some(d) = deployment
            .as_ref()
            .and_then(|r| r.resolution.deployment.as_ref())
        {
            parts.insert(0, format!("{current} on {}", d.cloud_name));
        }
        if !m.aliases.is_empty() {
            parts.push(format!("aliases: {}", m.aliases.join(", ")));
        }
        if let Some(c) = m.context_window {
            parts.push(format!("context {} tokens", format_count(c)));
        }
        if let Some(o) = m.max_output_tokens {
            parts.push(format!("max output {}", format_count(o)));
        }
        parts.join(" · ")
    });
    let search_note = if search.trim().is_empty() {
        format!("{} models", book.models().len())
    } else {
        format!(
            "{match_count} of {} models match — Enter picks the first",
            book.models().len()
        )
    };
    html! {
        <div class="model-picker">
            <div class="field">
                <label for="model-search">{ "Find a model" }</label>
                <input
                    id="model-search"
                    type="search"
                    placeholder="Name, id or alias — e.g. sonnet, 4o, nano-banana"
                    autocomplete="off"
                    spellcheck="false"
                    value={(*search).clone()}
                    oninput={on_search}
                    onkeydown={on_key}
                    aria-describedby="model-search-note"
                />
                <p class="field-note" id="model-search-note">{ search_note }</p>
            </div>
            <div class="field">
                <label for="model">{ "Model" }</label>
                <select id="model" ref={select_ref} onchange={on_change} aria-describedby="model-facts">
                    if let Some(r) = &deployment {
                        <optgroup label="Deployment">
                            <option value={current.clone()} selected=true>{ format!("{} ({current})", r.model.name) }</option>
                        </optgroup>
                    }
                    { for groups.into_iter().map(|(provider, models)| html! {
                        <optgroup label={provider}>
                            { for models.into_iter().map(|m| html! {
                                <option value={m.id.clone()} selected={m.id == current}>{ m.name.clone() }</option>
                            }) }
                        </optgroup>
                    }) }
                </select>
                <p class="field-note" id="model-facts">{ facts.unwrap_or_default() }</p>
            </div>
        </div>
    }
}
