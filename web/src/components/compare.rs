//! The same workload priced on every model: a sortable, filterable table. Models that cannot
//! price the workload (no image output, mode not offered, no price at that date) say why.

use std::cmp::Ordering;
use std::rc::Rc;

use ratebook::{Decimal, RateBook, format_usd};
use rust_decimal::prelude::ToPrimitive;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::AppContext;
use crate::form::fixed;
use crate::state::{Action, CompareView, SortKey};
use crate::workload::{CompareRow, Shared};

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub derived: Shared,
}

fn provider_name(book: Option<&Rc<RateBook>>, id: &str) -> String {
    book.and_then(|b| b.provider(id))
        .map(|p| p.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// The rows to show, filtered and sorted. Priced rows always come before unpriced ones.
pub fn view<'a>(
    rows: &'a [CompareRow],
    v: &CompareView,
    provider: &dyn Fn(&str) -> String,
) -> Vec<&'a CompareRow> {
    let needle = v.filter.trim().to_ascii_lowercase();
    let mut out: Vec<&CompareRow> = rows
        .iter()
        .filter(|r| !v.hide_unpriced || r.total.is_ok())
        .filter(|r| {
            needle.is_empty()
                || r.name.to_ascii_lowercase().contains(&needle)
                || r.model.to_ascii_lowercase().contains(&needle)
                || provider(&r.provider).to_ascii_lowercase().contains(&needle)
        })
        .collect();
    let by_total = |a: &CompareRow, b: &CompareRow| match (&a.total, &b.total) {
        (Ok(x), Ok(y)) => x.cmp(y),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => Ordering::Equal,
    };
    ratebook::order::sort_by(&mut out, |a, b| {
        let o = match v.sort {
            SortKey::Model => a
                .name
                .to_ascii_lowercase()
                .cmp(&b.name.to_ascii_lowercase()),
            SortKey::Provider => provider(&a.provider)
                .cmp(&provider(&b.provider))
                .then_with(|| by_total(a, b)),
            SortKey::Total => by_total(a, b),
        };
        if v.descending { o.reverse() } else { o }
    });
    if v.sort == SortKey::Total && v.descending {
        // Unpriced rows stay last whichever way the prices run.
        ratebook::order::sort_by_key(&mut out, |r| r.total.is_err());
    }
    out
}

#[function_component(Compare)]
pub fn compare(p: &CompareProps) -> Html {
    let Some(state) = use_context::<AppContext>() else {
        return html! {};
    };
    if state.book.is_none() {
        return html! { <p class="placeholder">{ "Loading prices…" }</p> };
    }
    let book = state.book.as_ref();
    let provider = |id: &str| provider_name(book, id);
    let rows = view(&p.derived.compare, &state.compare, &provider);
    let priced = p.derived.compare.iter().filter(|r| r.total.is_ok()).count();
    // Bars on a log scale: prices across models span three orders of magnitude, and on a
    // linear scale all but the dearest would be slivers.
    #[allow(
        clippy::disallowed_types,
        clippy::disallowed_methods,
        reason = "drawing: bar widths from the exact totals, shown only through form::fixed"
    )]
    let priced_totals: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.total.as_ref().ok())
        .filter_map(|t| t.to_f64())
        .filter(|t| *t > 0.0)
        .collect();
    #[allow(
        clippy::disallowed_types,
        reason = "drawing: bar widths, shown only through form::fixed"
    )]
    let (max, min) = (
        priced_totals.iter().copied().fold(0.0, f64::max),
        priced_totals.iter().copied().fold(f64::INFINITY, f64::min),
    );
    #[allow(
        clippy::disallowed_types,
        reason = "drawing: bar widths, shown only through form::fixed"
    )]
    let bar_width = |t: f64| -> f64 {
        if t <= 0.0 || max <= 0.0 {
            0.0
        } else if max > min {
            8.0 + 92.0 * ((t / min).ln() / (max / min).ln())
        } else {
            100.0
        }
    };
    let selected = p
        .derived
        .compare
        .iter()
        .find(|r| r.model == state.form.model)
        .and_then(|r| r.total.as_ref().ok().copied())
        .filter(|t| *t > Decimal::ZERO);
    let ratio = |t: Decimal| -> Option<String> {
        let r = t.checked_div(selected?)?;
        let places = if r >= Decimal::TEN { 0 } else { 2 };
        Some(format!("{}×", r.round_dp(places).normalize()))
    };
    let cheapest = p
        .derived
        .compare
        .iter()
        .filter(|r| r.total.is_ok())
        .min_by(|a, b| a.total.as_ref().ok().cmp(&b.total.as_ref().ok()));
    let on_filter = {
        let d = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            d.dispatch(Action::FilterCompare(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let on_hide = {
        let d = state.dispatcher();
        Callback::from(move |e: Event| {
            d.dispatch(Action::HideUnpriced(
                e.target_unchecked_into::<HtmlInputElement>().checked(),
            ))
        })
    };
    let header = |key: SortKey, label: &str, class: &'static str| {
        let d = state.dispatcher();
        let active = state.compare.sort == key;
        let sort = match (active, state.compare.descending) {
            (false, _) => None,
            (true, false) => Some("ascending"),
            (true, true) => Some("descending"),
        };
        let arrow = match sort {
            Some("ascending") => " ▲",
            Some(_) => " ▼",
            None => "",
        };
        html! {
            <th scope="col" class={class} aria-sort={sort}>
                <button type="button" class="sort" onclick={Callback::from(move |_| d.dispatch(Action::SortCompare(key)))}>
                    { format!("{label}{arrow}") }
                </button>
            </th>
        }
    };
    let summary = match &p.derived.workload {
        Ok(w) => format!(
            "The workload above priced on {} models on {}, {} mode. {priced} can price it.",
            p.derived.compare.len(),
            w.options.date,
            w.options.mode
        ),
        Err(_) => "Fix the workload above to compare models.".to_string(),
    };
    html! {
        <div class="compare">
            <p class="section-note">
                { summary }
                if let Some(c) = cheapest {
                    { format!(" Cheapest: {} at {}.", c.name, c.total.as_ref().map(|t| format_usd(*t)).unwrap_or_default()) }
                }
            </p>
            if crate::platform::OWN_PRICES && !state.custom.is_empty() {
                <p class="custom-price" id="compare-custom-prices">
                    { format!("Custom prices in effect for the models they name: {}", state.custom.join(", ")) }
                </p>
            }
            <div class="compare-controls">
                <div class="field">
                    <label for="compare-filter">{ "Filter by model or provider" }</label>
                    <input id="compare-filter" type="search" autocomplete="off" placeholder="e.g. gemini, claude, mini" value={state.compare.filter.clone()} oninput={on_filter} />
                </div>
                <div class="check">
                    <input id="compare-hide" type="checkbox" checked={state.compare.hide_unpriced} onchange={on_hide} />
                    <label for="compare-hide">{ "Hide models that can't price this workload" }</label>
                </div>
            </div>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Models compared">
                <table id="compare-table" class="compare-table" data-compute-ms={fixed(p.derived.compare_ms, 3)} data-rows={rows.len().to_string()}>
                    <caption class="sr-only">{ "Cost of the workload on each model" }</caption>
                    <thead>
                        <tr>
                            { header(SortKey::Model, "Model", "") }
                            { header(SortKey::Provider, "Provider", "provider-col") }
                            { header(SortKey::Total, "Per request", "num") }
                            <th scope="col" class="num month-col">{ "Per month" }</th>
                            <th scope="col" class="bar-col">{ "vs. selected" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        if rows.is_empty() {
                            <tr><td colspan="5" class="muted">{ "No model matches the filter." }</td></tr>
                        }
                        { for rows.iter().map(|r| {
                            let current = r.model == state.form.model;
                            let d = state.dispatcher();
                            let id = r.model.clone();
                            let pick = Callback::from(move |_| d.dispatch(Action::SetModel(id.clone())));
                            let model_cell = html! {
                                <td>
                                    <button type="button" class="link" onclick={pick} title="Price this model in the calculator">{ r.name.clone() }</button>
                                    <span class="model-id">{ r.model.clone() }</span>
                                </td>
                            };
                            match &r.total {
                                Ok(t) => {
                                    #[allow(
                                        clippy::disallowed_methods,
                                        reason = "drawing: a bar's width, shown only through form::fixed"
                                    )]
                                    let width = bar_width(t.to_f64().unwrap_or(0.0)).clamp(0.0, 100.0);
                                    html! {
                                        <tr class={classes!(current.then_some("current"))} data-model={r.model.clone()}>
                                            { model_cell }
                                            <td class="provider-col">{ provider(&r.provider) }</td>
                                            <td class="num" data-total-usd={t.to_string()}>{ format_usd(*t) }</td>
                                            <td class="num month-col">{ r.per_month.map(format_usd).unwrap_or_else(|| "—".into()) }</td>
                                            <td class="bar-col">
                                                <div class="bar-cell">
                                                    <span class="bar" style={format!("width:{}%", fixed(width, 0))}></span>
                                                    <span class="ratio">{ if current { "selected".to_string() } else { ratio(*t).unwrap_or_default() } }</span>
                                                </div>
                                            </td>
                                        </tr>
                                    }
                                }
                                Err(why) => html! {
                                    <tr class={classes!("unpriced", current.then_some("current"))} data-model={r.model.clone()}>
                                        { model_cell }
                                        <td class="provider-col">{ provider(&r.provider) }</td>
                                        <td colspan="3" class="why">{ why.clone() }</td>
                                    </tr>
                                },
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}
