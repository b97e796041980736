//! The estimate: the request total (exact value in `data-total-usd`), per day and per month,
//! the chart, each line item with the rule that produced it, and the `max_tokens` worst case.

use ratebook::{Decimal, format_count, format_usd};
use yew::prelude::*;

use super::AppContext;
use super::chart::Chart;
use crate::form::DAYS_PER_MONTH;
use crate::hooks::use_first_total_mark;
use crate::state::{LoadStatus, STALE_AFTER_DAYS, stale_days};
use crate::workload::Shared;

#[derive(Properties, PartialEq)]
pub struct ResultsProps {
    pub derived: Shared,
}

/// A link only for web addresses: a pricing file could carry `javascript:`.
fn source_link(url: &str) -> Html {
    if url.starts_with("https://") || url.starts_with("http://") {
        html! { <a href={url.to_string()} target="_blank" rel="noopener noreferrer">{ "source" }</a> }
    } else {
        html! { <span>{ format!("source: {url}") }</span> }
    }
}

fn usd_or_dash(d: Option<Decimal>) -> String {
    d.map(format_usd).unwrap_or_else(|| "—".into())
}

#[function_component(Results)]
pub fn results(p: &ResultsProps) -> Html {
    let has_total = matches!(p.derived.estimate, Some(Ok(_)));
    use_first_total_mark(has_total);
    let Some(state) = use_context::<AppContext>() else {
        return html! {};
    };
    match state.status {
        LoadStatus::Loading => {
            return html! { <p class="placeholder" id="loading">{ "Loading prices…" }</p> };
        }
        LoadStatus::Failed => {
            return html! { <p class="placeholder">{ "No prices could be loaded; see the message above." }</p> };
        }
        LoadStatus::Ready => {}
    }
    if let Err(errors) = &p.derived.workload {
        return html! {
            <div id="form-errors" class="estimate-error" role="alert">
                <p><strong>{ "Fix the fields marked in red to see a price:" }</strong></p>
                <ul>{ for errors.values().map(|e| html! { <li>{ e.clone() }</li> }) }</ul>
            </div>
        };
    }
    let estimate = match &p.derived.estimate {
        Some(Ok(e)) => e,
        Some(Err(msg)) => {
            return html! {
                <div id="estimate-error" class="estimate-error" role="alert">
                    <p><strong>{ "This workload can't be priced on this model:" }</strong></p>
                    <p>{ msg.clone() }</p>
                </div>
            };
        }
        None => return html! { <p class="placeholder">{ "No model to price with." }</p> },
    };
    let name = state
        .book
        .as_ref()
        .and_then(|b| b.get(&estimate.model))
        .map(|m| m.name.clone())
        .unwrap_or_else(|| estimate.model.clone());
    let requests = p
        .derived
        .workload
        .as_ref()
        .map(|w| w.requests_per_day)
        .unwrap_or(0);
    // The own-price rules behind this total's rates, each named once.
    let custom: Vec<&str> = if crate::platform::OWN_PRICES {
        estimate.overlays()
    } else {
        Vec::new()
    };
    let until = estimate
        .price
        .until
        .map(|u| format!(" until {u}"))
        .unwrap_or_default();
    html! {
        <div class="estimate">
            <div class="total-block">
                <p class="total-label">{ "Per request" }</p>
                <p id="total" class="total" data-total-usd={estimate.total.to_string()} data-custom-prices={(!custom.is_empty()).then_some("true")} title={format!("exactly ${}", estimate.total)}>
                    { format_usd(estimate.total) }
                </p>
                if !custom.is_empty() {
                    <p id="custom-prices" class="custom-price">{ format!("Custom prices in effect: {}", custom.join(", ")) }</p>
                }
                <p class="total-meta">
                    { format!("{name} · {} mode", estimate.mode) }
                    if let Some(t) = &estimate.tier {
                        <span class="tier">{ format!(" · long-context tier: {t}") }</span>
                    }
                    <br />
                    { format!("Prices in force from {}{until} · ", estimate.price.effective) }
                    { source_link(&estimate.price.source) }
                    <span id="price-checked" data-checked={estimate.price.checked.to_string()}>
                        { format!(", checked {}", estimate.price.checked) }
                    </span>
                    if estimate.resolution.by != ratebook::ResolvedBy::Exact {
                        <br />
                        <span id="resolution" data-resolved-by={estimate.resolution.by.as_str()}>
                            { estimate.resolution.describe() }
                        </span>
                    }
                    if let Some(note) = &estimate.lifecycle {
                        <br />
                        <span id="lifecycle" class="stale" data-status={note.status.as_str()} style="color: var(--warn); font-weight: 600;">
                            { note.message.clone() }
                        </span>
                    }
                    if let Some(days) = stale_days(estimate.price.checked, state.today) {
                        <span
                            id="price-stale"
                            class="stale"
                            style="color: var(--warn); font-weight: 600;"
                            title={format!("These prices were last checked against the source more than {STALE_AFTER_DAYS} days ago; they may have changed since.")}
                        >
                            { format!(" · stale, checked {days} days ago") }
                        </span>
                    }
                </p>
            </div>
            <div class="scale">
                <div class="scale-item">
                    <p class="scale-label">{ "Per day" }</p>
                    <p id="total-day" class="scale-value" data-total-usd={p.derived.per_day.map(|d| d.to_string())}>{ usd_or_dash(p.derived.per_day) }</p>
                    <p class="scale-note">{ format!("{} requests a day", format_count(requests)) }</p>
                </div>
                <div class="scale-item">
                    <p class="scale-label">{ "Per month" }</p>
                    <p id="total-month" class="scale-value" data-total-usd={p.derived.per_month.map(|d| d.to_string())}>{ usd_or_dash(p.derived.per_month) }</p>
                    <p class="scale-note">{ format!("a month counted as {DAYS_PER_MONTH} days") }</p>
                </div>
            </div>
            <Chart derived={p.derived.clone()} />
            <LineItems derived={p.derived.clone()} />
            if p.derived.worst.is_some() {
                <Worst derived={p.derived.clone()} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LineItemsProps {
    derived: Shared,
}

#[function_component(LineItems)]
fn line_items(p: &LineItemsProps) -> Html {
    let Some(Ok(e)) = &p.derived.estimate else {
        return html! {};
    };
    html! {
        <table class="line-items" id="line-items">
            <caption>{ "Line items — each says which rule produced its rate" }</caption>
            <thead>
                <tr><th scope="col">{ "Item" }</th><th scope="col" class="num">{ "Amount" }</th></tr>
            </thead>
            <tbody>
                if e.line_items.is_empty() {
                    <tr><td colspan="2" class="muted">{ "Nothing metered: enter some tokens or images." }</td></tr>
                }
                { for e.line_items.iter().map(|l| html! {
                    <tr data-meter={l.meter()} data-custom-price={(crate::platform::OWN_PRICES && !l.overlays.is_empty()).then_some("true")}>
                        <td>
                            <p class="line-sentence">{ l.sentence() }</p>
                            // The rule names the custom price (`custom price: …`); a row with
                            // one is marked by `data-custom-price` and styled as a warning.
                            <p class="line-rule">{ l.rule() }</p>
                        </td>
                        <td class="num" data-usd={l.amount.to_string()}>{ format_usd(l.amount) }</td>
                    </tr>
                }) }
            </tbody>
            <tfoot>
                <tr><th scope="row">{ "Total per request" }</th><td class="num">{ format_usd(e.total) }</td></tr>
            </tfoot>
        </table>
    }
}

#[derive(Properties, PartialEq)]
struct WorstProps {
    derived: Shared,
}

#[function_component(Worst)]
fn worst(p: &WorstProps) -> Html {
    let (Some(worst), Some(Ok(estimate))) = (&p.derived.worst, &p.derived.estimate) else {
        return html! {};
    };
    let total = estimate.total;
    let cap = format_count(worst.max_tokens);
    let whose = if worst.from_model {
        "the model's output limit"
    } else {
        "your max_tokens"
    };
    match &worst.estimate {
        Ok(e) => {
            let ratio = if total > Decimal::ZERO {
                e.total
                    .checked_div(total)
                    .map(|r| format!(" — {}× the estimate", r.round_dp(1).normalize()))
            } else {
                None
            };
            html! {
                <section class="worst" id="worst-case" data-total-usd={e.total.to_string()} aria-labelledby="worst-title">
                    <h3 id="worst-title">{ "Worst case: output runs to the cap" }</h3>
                    <p class="worst-total">{ format_usd(e.total) }<span class="worst-ratio">{ ratio.unwrap_or_default() }</span></p>
                    <p class="worst-note">
                        { format!("The input as entered plus {cap} output tokens ({whose}). A stream you abandon is still billed for every token generated, so max_tokens is what bounds a request's cost.") }
                    </p>
                </section>
            }
        }
        Err(msg) => html! {
            <section class="worst" id="worst-case">
                <h3>{ "Worst case: output runs to the cap" }</h3>
                <p class="worst-note">{ format!("With {cap} output tokens this can't be priced: {msg}") }</p>
            </section>
        },
    }
}
