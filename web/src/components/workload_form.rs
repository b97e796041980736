//! The workload form: model, date, mode, token counts, cache writes with their TTL, images,
//! volume and the `max_tokens` cap. Every input has a label and a note that reads the value back.

use ratebook::{Date, Mode, format_count};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::AppContext;
use super::fields::CountField;
use super::input_images::InputImages;
use super::model_picker::ModelPicker;
use super::output_images::OutputImages;
use crate::form::{CacheTtl, Field, modes};
use crate::state::Action;
use crate::workload::{FieldErrors, Shared};

#[derive(Properties, PartialEq)]
pub struct WorkloadFormProps {
    pub derived: Shared,
}

fn mode_note(mode: Mode) -> &'static str {
    match mode {
        Mode::Standard => "Standard: the list price.",
        Mode::Batch => "Batch: asynchronous, results within 24 hours, discounted.",
        Mode::Flex => "Flex: slower, may be queued, discounted.",
        Mode::Priority => "Priority: faster, dearer.",
        // A mode the core gains later: its name is its note until one is written here.
        _ => mode.as_str(),
    }
}

#[function_component(WorkloadForm)]
pub fn workload_form(p: &WorkloadFormProps) -> Html {
    let Some(state) = use_context::<AppContext>() else {
        return html! {};
    };
    let form = &state.form;
    let errors: FieldErrors = p
        .derived
        .workload
        .as_ref()
        .err()
        .cloned()
        .unwrap_or_default();
    let model = state
        .book
        .as_ref()
        .and_then(|b| b.resolve(&form.model).ok().cloned());
    let date = form.date.parse::<Date>().ok();
    let offered = match (&model, date) {
        (Some(m), Some(d)) => modes(m, d),
        _ => Mode::ALL.to_vec(),
    };
    let has_cache_writes = model
        .as_ref()
        .zip(date)
        .and_then(|(m, d)| m.price_at(d).ok())
        .is_none_or(|e| {
            e.rates.get(ratebook::Meter::CacheWrite5m).is_some()
                || e.rates.get(ratebook::Meter::CacheWrite1h).is_some()
        });

    let field = |f: Field, hint: Option<&str>, placeholder: Option<String>| {
        let d = state.dispatcher();
        let on_input = Callback::from(move |v: String| d.dispatch(Action::SetField(f, v)));
        html! {
            <CountField
                id={f.param()}
                label={f.label()}
                value={form.get(f).to_string()}
                unit={f.unit()}
                hint={hint.map(|h| AttrValue::from(h.to_string()))}
                placeholder={placeholder.map(AttrValue::from)}
                error={errors.get(f.param()).cloned()}
                {on_input}
            />
        }
    };

    let on_date = {
        let d = state.dispatcher();
        Callback::from(move |e: Event| {
            d.dispatch(Action::SetDate(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let on_date_input = {
        let d = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            d.dispatch(Action::SetDate(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let on_mode = {
        let d = state.dispatcher();
        Callback::from(move |e: Event| {
            if let Ok(m) = e
                .target_unchecked_into::<HtmlSelectElement>()
                .value()
                .parse::<Mode>()
            {
                d.dispatch(Action::SetMode(m));
            }
        })
    };
    let on_ttl = {
        let d = state.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(t) =
                CacheTtl::parse(&e.target_unchecked_into::<HtmlSelectElement>().value())
            {
                d.dispatch(Action::SetCacheTtl(t));
            }
        })
    };
    let reset = {
        let d = state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::Reset))
    };
    let today = state.today.to_string();
    let max_placeholder = model
        .as_ref()
        .and_then(|m| m.max_output_tokens)
        .map(|m| format!("{} (model limit)", format_count(m)));

    html! {
        <form class="workload-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <ModelPicker />
            <div class="row-2">
                <div class={classes!("field", errors.contains_key("date").then_some("invalid"))}>
                    <label for="date">{ "Price date" }</label>
                    <input id="date" type="date" value={form.date.clone()} max="9999-12-31" onchange={on_date} oninput={on_date_input} aria-describedby="date-note" />
                    <p class="field-note" id="date-note">
                        { if form.date == today { "Today. Earlier dates use the prices in force then.".to_string() } else { format!("Prices in force on {}. Today is {today}.", form.date) } }
                    </p>
                </div>
                <div class="field">
                    <label for="mode">{ "Service mode" }</label>
                    <select id="mode" onchange={on_mode} aria-describedby="mode-note">
                        { for offered.iter().map(|m| html! {
                            <option value={m.as_str()} selected={*m == form.mode}>{ m.as_str() }</option>
                        }) }
                    </select>
                    <p class="field-note" id="mode-note">{ mode_note(form.mode) }</p>
                </div>
            </div>
            <fieldset class="group">
                <legend>{ "Tokens per request" }</legend>
                <div class="grid-fields">
                    { field(Field::InputTokens, Some("all prompt tokens, cached and cache-write tokens included"), None) }
                    { field(Field::CachedTokens, Some("read from the prompt cache"), None) }
                    <div class="field-pair">
                            { field(Field::CacheWriteTokens, Some(if has_cache_writes { "written to the prompt cache" } else { "this model has no cache-write price" }), None) }
                            <div class="field ttl">
                                <label for="cache-ttl">{ "Cache TTL" }</label>
                                <select id="cache-ttl" onchange={on_ttl}>
                                    <option value="5m" selected={form.cache_ttl == CacheTtl::FiveMinutes}>{ "5 min" }</option>
                                    <option value="1h" selected={form.cache_ttl == CacheTtl::OneHour}>{ "1 hour" }</option>
                                </select>
                            </div>
                    </div>
                    { field(Field::CacheStorage, Some("explicit caches: tokens × hours stored"), None) }
                    { field(Field::OutputTokens, Some("thinking tokens are billed as output"), None) }
                </div>
            </fieldset>
            <OutputImages errors={errors.clone()} />
            <InputImages errors={errors.clone()} tokens={p.derived.image_tokens.clone()} />
            <fieldset class="group">
                <legend>{ "Volume and limits" }</legend>
                <div class="grid-fields">
                    { field(Field::RequestsPerDay, Some("for the daily and monthly totals"), None) }
                    { field(Field::MaxTokens, Some("output cap for the worst case"), max_placeholder) }
                </div>
            </fieldset>
            <div class="form-actions">
                <button type="button" class="button-quiet" onclick={reset}>{ "Reset to the example" }</button>
            </div>
        </form>
    }
}
