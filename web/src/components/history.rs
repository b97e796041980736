//! Price history: pick two dates and see every value that changed between them, per model
//! (old → new), from `ratebook::diff`. The dates on which the book records a change are offered
//! as shortcuts.

use ratebook::diff::{RateChange, diff_dates};
use std::rc::Rc;

use ratebook::{Date, Meter, RateBook, format_rate};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::{Action, AppState};

/// A changed value for people: rates as `$2.50/M`, anything else as written in the file.
pub fn show_value(field: &str, value: Option<&str>) -> String {
    let Some(v) = value else { return "—".into() };
    let meter = field.rsplit('.').next().and_then(Meter::from_key);
    match (meter, v.parse::<ratebook::Decimal>()) {
        (Some(Meter::CacheStorage), Ok(d)) => format!("{}/M token-hours", format_rate(d)),
        (Some(_), Ok(d)) => format!("{}/M", format_rate(d)),
        _ => v.to_string(),
    }
}

/// Dates on which some model's price changed (a price entry after its first), newest first.
pub fn change_dates(book: &RateBook) -> Vec<Date> {
    let mut dates: Vec<Date> = book
        .models()
        .iter()
        .flat_map(|m| m.prices.iter().skip(1).map(|p| p.effective))
        .collect();
    ratebook::order::sort(&mut dates);
    dates.dedup();
    dates.reverse();
    dates
}

/// What the history shows: the book and the two dates, as typed. Compared by the book's
/// identity, so the section is drawn again only when the book or a date changes, not on every
/// edit of the calculator.
#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    pub book: SameBook,
    pub from: String,
    pub to: String,
    pub dispatcher: UseReducerDispatcher<AppState>,
}

#[function_component(History)]
pub fn history(p: &HistoryProps) -> Html {
    let book = &p.book.0;
    let from = p.from.parse::<Date>();
    let to = p.to.parse::<Date>();
    let on_from = {
        let d = p.dispatcher.clone();
        Callback::from(move |e: Event| {
            d.dispatch(Action::SetHistoryFrom(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let on_to = {
        let d = p.dispatcher.clone();
        Callback::from(move |e: Event| {
            d.dispatch(Action::SetHistoryTo(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let shortcuts = change_dates(book);
    let body = match (from, to) {
        (Ok(f), Ok(t)) => {
            let changes: Vec<RateChange> = diff_dates(book, f, t);
            if changes.is_empty() {
                html! { <p class="muted" id="history-empty">{ format!("No price changes between {f} and {t}.") }</p> }
            } else {
                let mut last_model = String::new();
                html! {
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Price changes">
                        <table class="history-table" id="history-table">
                            <caption class="sr-only">{ format!("Price changes between {f} and {t}") }</caption>
                            <thead>
                                <tr>
                                    <th scope="col">{ "Model" }</th>
                                    <th scope="col">{ "What" }</th>
                                    <th scope="col" class="num">{ format!("On {f}") }</th>
                                    <th scope="col" class="num">{ format!("On {t}") }</th>
                                </tr>
                            </thead>
                            <tbody>
                                { for changes.iter().map(|c| {
                                    let first = c.model != last_model;
                                    last_model = c.model.clone();
                                    let name = book.get(&c.model).map(|m| m.name.clone()).unwrap_or_else(|| c.model.clone());
                                    let class = match (&c.old, &c.new) {
                                        (None, _) => "added",
                                        (_, None) => "removed",
                                        _ => "changed",
                                    };
                                    html! {
                                        <tr class={classes!(class, first.then_some("first"))}>
                                            <td>{ if first { name } else { String::new() } }</td>
                                            <td><code>{ c.field.clone() }</code></td>
                                            <td class="num old">{ show_value(&c.field, c.old.as_deref()) }</td>
                                            <td class="num new">{ show_value(&c.field, c.new.as_deref()) }</td>
                                        </tr>
                                    }
                                }) }
                            </tbody>
                        </table>
                    </div>
                }
            }
        }
        _ => html! { <p class="field-note error">{ "Pick two dates." }</p> },
    };
    html! {
        <div class="history">
            <p class="section-note">{ "Every rate, multiplier, tier, image token count and fee that differs between the prices in force on two dates. Models without a price on a date show as added or removed." }</p>
            <div class="row-2 history-dates">
                <div class="field">
                    <label for="history-from">{ "From" }</label>
                    <input id="history-from" type="date" value={p.from.clone()} onchange={on_from} />
                </div>
                <div class="field">
                    <label for="history-to">{ "To" }</label>
                    <input id="history-to" type="date" value={p.to.clone()} onchange={on_to} />
                </div>
            </div>
            if !shortcuts.is_empty() {
                <p class="chips" aria-label="Dates with price changes">
                    <span class="chips-label">{ "Changes in the book: " }</span>
                    { for shortcuts.iter().take(8).map(|d| {
                        let disp = p.dispatcher.clone();
                        let date = *d;
                        let onclick = Callback::from(move |_| {
                            let before = date.previous_day().unwrap_or(date);
                            disp.dispatch(Action::SetHistoryFrom(before.to_string()));
                            disp.dispatch(Action::SetHistoryTo(date.to_string()));
                        });
                        html! { <button type="button" class="chip" {onclick}>{ d.to_string() }</button> }
                    }) }
                </p>
            }
            { body }
        </div>
    }
}

/// The book compared by identity: loading makes a new one, nothing else does.
#[derive(Clone)]
pub struct SameBook(pub Rc<RateBook>);

impl PartialEq for SameBook {
    fn eq(&self, other: &SameBook) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}
