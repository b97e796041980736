//! The root component: owns the reducer, runs the hooks (fetch prices, sync the URL), computes
//! the derived results once per change and lays out the page.

use std::rc::Rc;

use ratebook::{RateBook, format_usd};
use yew::prelude::*;

use super::AppContext;
use super::compare::Compare;
use super::history::{History, SameBook};
use super::messages::{LoadProblems, Notices};
use super::own_prices::OwnPrices;
use super::results::Results;
use super::workload_form::WorkloadForm;
use crate::hooks::{use_pricing, use_url_sync};
use crate::platform;
use crate::query;
use crate::state::{Action, AppState, LoadStatus};
use crate::workload::{Derived, Shared, derive};

/// The book compared by identity: loading produces a new `Rc`, nothing else does.
#[derive(Clone)]
struct BookRef(Option<Rc<RateBook>>);

impl PartialEq for BookRef {
    fn eq(&self, other: &BookRef) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| {
        let today = platform::today();
        let (form, notes) = query::parse(&platform::location_search(), today);
        AppState {
            overlay: if platform::OWN_PRICES {
                platform::stored_overlay()
            } else {
                None
            },
            ..AppState::new(today, form, notes)
        }
    });
    use_pricing(state.dispatcher());
    use_url_sync(&state.form);

    let book = BookRef(state.book.clone());

    // The derived results of the form on the book. Each computation also times the whole
    // update it starts, pricing, rendering and the browser's frame that paints it: the renders
    // all run before Yew yields to the browser, so the first frame after this one shows them
    // all, and the mark is set just after that frame (`data-update-ms`, with the input tokens
    // it was for in `data-update-for`, for `cargo xtask bench-web`).
    let derived = use_memo((state.form.clone(), book), |(form, book)| {
        #[allow(
            clippy::disallowed_types,
            reason = "timing: the browser's clock in milliseconds, shown only through form::fixed"
        )]
        let start: f64 = platform::now_ms();
        let derived = match &book.0 {
            Some(b) => derive(form, b, &platform::now_ms),
            None => Derived::empty(form),
        };
        if derived.estimate.is_some() {
            let tokens = form.input_tokens.clone();
            platform::after_paint(Box::new(move || {
                platform::mark(
                    "update-ms",
                    &crate::form::fixed(platform::now_ms() - start, 2),
                );
                platform::mark("update-for", &tokens);
            }));
        }
        derived
    });
    let derived = Shared(derived);
    // The compare table, the price history and the model list are drawn once the first total
    // has been painted: on a cold page, drawing them with it would hold the total back.
    {
        let dispatcher = state.dispatcher();
        let loaded = state.status != LoadStatus::Loading;
        use_effect_with(loaded, move |&loaded| {
            if loaded {
                platform::after_paint(Box::new(move || dispatcher.dispatch(Action::Settled)));
            }
        });
    }
    let later = |section: Html| {
        if state.settled {
            section
        } else {
            html! { <p class="placeholder">{ "Loading…" }</p> }
        }
    };
    let history = match &state.book {
        Some(book) => html! {
            <History
                book={SameBook(book.clone())}
                from={state.history_from.clone()}
                to={state.history_to.clone()}
                dispatcher={state.dispatcher()}
            />
        },
        None => html! { <p class="placeholder">{ "Loading prices…" }</p> },
    };

    let status = match state.status {
        LoadStatus::Loading => "loading",
        LoadStatus::Ready => "ready",
        LoadStatus::Failed => "failed",
    };
    let sticky = match &derived.estimate {
        Some(Ok(e)) => html! {
            <a class="sticky-total" href="#results-title">
                <span>{ "Per request " }<strong>{ format_usd(e.total) }</strong></span>
                <span class="sticky-month">{ derived.per_month.map(|m| format!("{} a month", format_usd(m))).unwrap_or_default() }</span>
            </a>
        },
        _ => html! {},
    };
    let has_total = matches!(derived.estimate, Some(Ok(_)));
    let context: AppContext = state.clone();
    html! {
        <ContextProvider<AppContext> {context}>
            <div class={classes!("app", has_total.then_some("has-total"))} data-status={status}>
                <header class="masthead">
                    <div class="masthead-inner">
                        <p class="brand">{ "ratebook" }</p>
                        <h1>{ "LLM API cost calculator" }</h1>
                        <p class="tagline">
                            { "Exact prices per request, day and month, from dated, sourced rate cards. Every line says which rule produced it." }
                        </p>
                        <nav aria-label="Sections">
                            <a href="#calculator">{ "Calculator" }</a>
                            <a href="#compare">{ "Compare models" }</a>
                            <a href="#history">{ "Price history" }</a>
                            <a href={scenario_href(&state.form)}>{ "Scenario planner" }</a>
                            <a href="?view=log">{ "Price a log" }</a>
                        </nav>
                    </div>
                </header>
                <div class="page">
                    <LoadProblems />
                    <Notices />
                    <main id="calculator" class="calculator">
                        <section class="card workload" aria-labelledby="workload-title">
                            <h2 id="workload-title">{ "Workload" }</h2>
                            <WorkloadForm derived={derived.clone()} />
                            if platform::OWN_PRICES {
                                <OwnPrices />
                            } else {
                                <p class="own-prices-link">
                                    <a id="own-prices-link" href={format!("{}&own-prices=1", query::to_query(&state.form))}>{ "Use your own prices (discounts, an overlay file)" }</a>
                                </p>
                            }
                        </section>
                        <section class="card results" aria-labelledby="results-title" aria-live="polite">
                            <h2 id="results-title">{ "Estimate" }</h2>
                            <Results derived={derived.clone()} />
                        </section>
                    </main>
                    <section id="compare" class="card" aria-labelledby="compare-title">
                        <h2 id="compare-title">{ "Compare models" }</h2>
                        { later(html! { <Compare derived={derived.clone()} /> }) }
                    </section>
                    <section id="history" class="card" aria-labelledby="history-title">
                        <h2 id="history-title">{ "Price history" }</h2>
                        { later(history) }
                    </section>
                    <footer class="footer">
                        <p>
                            { "Estimates, not invoices: the usage a provider reports is what it bills. Prices are USD, read from " }
                            { files_sentence(&state.files) }
                            { " — each entry links to its source and the date it was checked." }
                        </p>
                    </footer>
                </div>
                { sticky }
            </div>
        </ContextProvider<AppContext>>
    }
}

/// The scenario planner on this workload (its own module, loaded when opened).
fn scenario_href(form: &crate::form::Form) -> String {
    let q = query::to_query(form);
    format!("?view=scenario&{}", q.trim_start_matches('?'))
}

fn files_sentence(files: &[String]) -> String {
    if files.is_empty() {
        "the pricing files".into()
    } else {
        files
            .iter()
            .map(|f| format!("pricing/{f}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
