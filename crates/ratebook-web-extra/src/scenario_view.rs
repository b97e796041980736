//! The scenario planner (`?view=scenario`): the CLI's `ratebook scenario` in the page. The
//! form is the link (the CLI's flag names); the result carries exact decimals in
//! `data-per-request-usd`, `data-daily-usd`, `data-monthly-usd`, `data-cost-per-accepted-usd`
//! and `data-expected-attempts`; every model of the book is ranked on cost per accepted result
//! (`--compare all`) on every change, timed into `data-ranking-ms` on `<html>`.

use std::rc::Rc;

use ratebook::scenario::{Comparison, ScenarioCost, compare, run};
use ratebook::{Date, Decimal, Overlay, RateBook, format_usd};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::nav::Masthead;
use crate::scenario_form::{SField, ScenarioForm};

/// The book, compared by identity.
#[derive(Clone)]
pub struct Book(pub Rc<RateBook>);

impl PartialEq for Book {
    fn eq(&self, o: &Book) -> bool {
        Rc::ptr_eq(&self.0, &o.0)
    }
}

/// What loading the book gave.
#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Ready {
        book: Book,
        /// The discount rules in effect, as written.
        custom: Vec<String>,
        problems: Vec<String>,
    },
    Failed(String),
}

/// The book with the link's discounts applied (each rule that cannot apply is reported).
pub fn with_discounts(
    book: RateBook,
    discounts: &[String],
) -> (RateBook, Vec<String>, Vec<String>) {
    let mut overlays = Vec::new();
    let mut applied = Vec::new();
    let mut problems = Vec::new();
    for d in discounts {
        match Overlay::discount(d, &book) {
            Ok(o) => {
                overlays.push(o);
                applied.push(d.clone());
            }
            Err(e) => problems.push(format!("discount={d}: {}", e.message)),
        }
    }
    if overlays.is_empty() {
        return (book, applied, problems);
    }
    match book.with_overlays(&overlays) {
        Ok(b) => (b, applied, problems),
        Err(errs) => {
            problems.extend(errs.iter().map(|e| e.to_string()));
            (book, Vec::new(), problems)
        }
    }
}

/// The scenario and the ranking of every model (how long the ranking took is marked on
/// `<html>` as `data-ranking-ms`).
struct Priced {
    one: Result<ScenarioCost, Vec<(SField, String)>>,
    ranking: Option<Comparison>,
}

fn price(form: &ScenarioForm, book: &RateBook) -> Priced {
    match form.scenario() {
        Err(errs) => Priced {
            one: Err(errs),
            ranking: None,
        },
        Ok(s) => {
            let one = run(book, &s).map_err(|e| vec![(SField::Model, e.message)]);
            let start = crate::now_ms();
            let models: Vec<String> = book.models().iter().map(|m| m.id.clone()).collect();
            let ranking = compare(book, &s, &models);
            let ranking_ms = crate::now_ms() - start;
            crate::mark("ranking-ms", &format!("{ranking_ms:.2}"));
            crate::mark("ranking-models", &models.len().to_string());
            Priced {
                one,
                ranking: Some(ranking),
            }
        }
    }
}

fn usd_attr(d: Decimal) -> AttrValue {
    AttrValue::from(d.normalize().to_string())
}

#[function_component(ScenarioApp)]
pub fn scenario_app() -> Html {
    let today: Date = use_memo((), |_| crate::today()).as_ref().to_owned();
    let form = use_state(|| ScenarioForm::parse(&crate::location_search(), today));
    let unknown = use_state(|| ScenarioForm::unknown_params(&crate::location_search()));
    let load = use_state(|| Load::Loading);
    {
        let load = load.clone();
        let discounts = form.discounts.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match crate::book::fetch_sources().await {
                    Ok(sources) => {
                        let loaded = ratebook::load(&sources);
                        let mut problems: Vec<String> =
                            loaded.errors.iter().map(|e| e.to_string()).collect();
                        let (book, custom, more) = with_discounts(loaded.book, &discounts);
                        problems.extend(more);
                        load.set(Load::Ready {
                            book: Book(Rc::new(book)),
                            custom,
                            problems,
                        });
                    }
                    Err(e) => load.set(Load::Failed(e)),
                }
            });
        });
    }
    {
        let q = form.to_query();
        use_effect_with(q, |q| crate::replace_query(q));
    }
    let book = match &*load {
        Load::Ready { book, .. } => Some(book.clone()),
        _ => None,
    };
    let priced = use_memo(((*form).clone(), book.clone()), |(form, book)| {
        book.as_ref().map(|b| price(form, &b.0))
    });

    let set = |field: SField| {
        let form = form.clone();
        Callback::from(move |v: String| {
            let mut f = (*form).clone();
            f.set(field, &v);
            form.set(f);
        })
    };
    let errors: Vec<(SField, String)> = match priced.as_ref() {
        Some(Priced { one: Err(e), .. }) => e.clone(),
        _ => Vec::new(),
    };
    let error_of = |f: SField| {
        errors
            .iter()
            .filter(|(x, _)| *x == f)
            .map(|(_, m)| m.clone())
            .next()
    };
    let models: Vec<(String, String)> = book
        .as_ref()
        .map(|b| {
            b.0.models()
                .iter()
                .map(|m| (m.id.clone(), m.name.clone()))
                .collect()
        })
        .unwrap_or_default();

    let text_field = |f: SField, inputmode: &'static str| {
        let id = f.param();
        let note_id = format!("{id}-note");
        let err = error_of(f);
        let on = set(f);
        let oninput = Callback::from(move |e: InputEvent| {
            on.emit(e.target_unchecked_into::<HtmlInputElement>().value())
        });
        html! {
            <div class={classes!("field", err.is_some().then_some("invalid"))}>
                <label for={id}>{ f.label() }</label>
                <input id={id} name={id} type="text" inputmode={inputmode} autocomplete="off"
                    spellcheck="false" value={form.get(f).to_string()}
                    aria-invalid={err.is_some().then_some("true")}
                    aria-describedby={note_id.clone()} {oninput} />
                <p class={classes!("field-note", err.is_some().then_some("error"))} id={note_id}>
                    { err.unwrap_or_else(|| f.hint().to_string()) }
                </p>
            </div>
        }
    };
    let select_field = |f: SField, optional: bool| {
        let id = f.param();
        let on = set(f);
        let onchange = Callback::from(move |e: Event| {
            on.emit(e.target_unchecked_into::<HtmlSelectElement>().value())
        });
        let current = form.get(f).to_string();
        let note_id = format!("{id}-note");
        let err = error_of(f);
        let known = models.iter().any(|(m, _)| *m == current);
        html! {
            <div class={classes!("field", err.is_some().then_some("invalid"))}>
                <label for={id}>{ f.label() }</label>
                <select id={id} name={id} {onchange} aria-describedby={note_id.clone()}>
                    if optional {
                        <option value="" selected={current.is_empty()}>{ "None (no escalation)" }</option>
                    }
                    if !known && !current.is_empty() {
                        <option value={current.clone()} selected=true>{ current.clone() }</option>
                    }
                    { for models.iter().map(|(m, name)| html! {
                        <option value={m.clone()} selected={*m == current}>{ format!("{name} ({m})") }</option>
                    }) }
                </select>
                <p class={classes!("field-note", err.is_some().then_some("error"))} id={note_id}>
                    { err.unwrap_or_else(|| f.hint().to_string()) }
                </p>
            </div>
        }
    };

    let (status, custom, problems) = match &*load {
        Load::Loading => ("loading", Vec::new(), Vec::new()),
        Load::Ready {
            custom, problems, ..
        } => ("ready", custom.clone(), problems.clone()),
        Load::Failed(e) => ("failed", Vec::new(), vec![e.clone()]),
    };
    let calc_href = format!(
        "?model={}&input-tokens={}&output-tokens={}&requests-per-day={}",
        crate::query::encode(form.get(SField::Model)),
        crate::query::encode(form.get(SField::InputTokens)),
        crate::query::encode(form.get(SField::OutputTokens)),
        crate::query::encode(form.get(SField::RequestsPerDay)),
    ) + &form
        .discounts
        .iter()
        .map(|d| format!("&discount={}", crate::query::encode(d)))
        .collect::<String>();

    let result = match priced.as_ref() {
        None => html! { <p class="placeholder">{ "Loading prices…" }</p> },
        Some(Priced { one: Err(errs), .. }) => html! {
            <div id="scenario-error" class="estimate-error" role="alert">
                { "The scenario cannot be priced:" }
                <ul>{ for errs.iter().map(|(f, m)| html! { <li>{ format!("{}: {m}", f.label()) }</li> }) }</ul>
            </div>
        },
        Some(Priced { one: Ok(c), .. }) => scenario_result(c, &custom),
    };
    let ranking = match priced.as_ref() {
        Some(Priced {
            ranking: Some(r), ..
        }) => ranking_table(r, form.get(SField::Model), !custom.is_empty()),
        _ => html! {},
    };

    html! {
        <div class="app" data-status={status} data-view="scenario">
            <Masthead view="scenario" title="Scenario planner"
                tagline="A steady workload as a day and a month of spend: batching, caching, retries and a fallback model, and every model ranked on what an accepted result costs."
                calculator_href={calc_href} scenario_href={form.to_query()} />
            <div class="page">
                if !problems.is_empty() {
                    <div class="alert alert-error" role="alert" id="load-problems">
                        <h2>{ "Some prices could not be used" }</h2>
                        <ul>{ for problems.iter().map(|p| html! { <li>{ p.clone() }</li> }) }</ul>
                    </div>
                }
                if !unknown.is_empty() {
                    <section id="notices" class="alert alert-notice" role="status">
                        <ul>
                            <li class="notice">{ format!("Ignored unknown link parameters: {}.", unknown.join(", ")) }</li>
                        </ul>
                        <button type="button" class="button-quiet" onclick={
                            let unknown = unknown.clone();
                            Callback::from(move |_| unknown.set(Vec::new()))
                        }>{ "Dismiss" }</button>
                    </section>
                }
                <main id="scenario" class="calculator">
                    <section class="card workload" aria-labelledby="scenario-form-title">
                        <h2 id="scenario-form-title">{ "Scenario" }</h2>
                        <form class="workload-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                            { select_field(SField::Model, false) }
                            <div class="grid-fields">
                                { text_field(SField::RequestsPerDay, "numeric") }
                                { text_field(SField::InputTokens, "numeric") }
                                { text_field(SField::OutputTokens, "numeric") }
                                { text_field(SField::OutputImages, "text") }
                                { text_field(SField::BatchShare, "decimal") }
                                { text_field(SField::CachedShare, "decimal") }
                                { text_field(SField::PassRate, "decimal") }
                                { text_field(SField::MaxRetries, "numeric") }
                            </div>
                            { select_field(SField::FallbackModel, true) }
                            <div class="grid-fields">
                                { text_field(SField::FallbackPassRate, "decimal") }
                                { text_field(SField::Days, "numeric") }
                                { text_field(SField::Date, "text") }
                            </div>
                        </form>
                    </section>
                    <section class="card results" aria-labelledby="scenario-results-title" aria-live="polite">
                        <h2 id="scenario-results-title">{ "Cost" }</h2>
                        { result }
                    </section>
                </main>
                <section id="ranking" class="card" aria-labelledby="ranking-title">
                    <h2 id="ranking-title">{ "Every model, ranked by cost per accepted result" }</h2>
                    { ranking }
                </section>
            </div>
        </div>
    }
}

fn custom_note(custom: &[String]) -> Html {
    if custom.is_empty() {
        return html! {};
    }
    html! {
        <p class="custom-prices" id="custom-prices" data-custom-prices="true">
            { format!("Custom prices in effect: {}", custom.iter().map(|d| format!("discount {d}")).collect::<Vec<_>>().join(", ")) }
        </p>
    }
}

fn scenario_result(c: &ScenarioCost, custom: &[String]) -> Html {
    let per_accepted = c.cost_per_accepted.map(usd_attr);
    html! {
        <div class="estimate" id="scenario-result"
            data-per-request-usd={usd_attr(c.per_request)}
            data-daily-usd={usd_attr(c.daily)}
            data-monthly-usd={usd_attr(c.monthly)}
            data-cost-per-accepted-usd={per_accepted}
            data-expected-attempts={c.expected_attempts.to_string()}
            data-accepted-share={c.accepted_share.to_string()}
            data-model={c.model.clone()}>
            <div class="total-block">
                <p class="total-meta">{ "Per task (the request with its retries and escalation)" }</p>
                <p class="total" id="scenario-per-request" title={format!("exactly ${}", c.per_request)}>{ format_usd(c.per_request) }</p>
                { custom_note(custom) }
            </div>
            <div class="scale">
                <div class="scale-item">
                    <p class="scale-note">{ format!("Per day ({} requests)", ratebook::format_count(c.requests_per_day)) }</p>
                    <p class="scale-value" id="scenario-daily" data-daily-usd={usd_attr(c.daily)}>{ format_usd(c.daily) }</p>
                </div>
                <div class="scale-item">
                    <p class="scale-note">{ format!("Per month ({} days)", c.days) }</p>
                    <p class="scale-value" id="scenario-monthly" data-monthly-usd={usd_attr(c.monthly)}>{ format_usd(c.monthly) }</p>
                </div>
                <div class="scale-item">
                    <p class="scale-note">{ "Expected attempts per task" }</p>
                    <p class="scale-value" id="scenario-attempts">{ c.expected_attempts.to_string() }</p>
                </div>
                <div class="scale-item">
                    <p class="scale-note">{ format!("Per accepted result ({} accepted)", c.accepted_share) }</p>
                    <p class="scale-value" id="scenario-per-accepted" data-cost-per-accepted-usd={c.cost_per_accepted.map(usd_attr)}>
                        { c.cost_per_accepted.map(format_usd).unwrap_or_else(|| "none accepted".into()) }
                    </p>
                </div>
            </div>
            <p class="total-meta">
                { format!("Without batching, caching or escalation: {} a day. ", format_usd(c.baseline.daily)) }
                { if c.saving_daily.is_sign_negative() && !c.saving_daily.is_zero() {
                    format!("This scenario costs {} a day more.", format_usd(-c.saving_daily))
                } else {
                    format!("This scenario saves {} a day.", format_usd(c.saving_daily))
                } }
            </p>
        </div>
    }
}

fn ranking_table(r: &Comparison, current: &str, custom: bool) -> Html {
    html! {
        <>
            <p class="section-note">
                { format!("{} models can run this scenario; {} cannot (no batch or cache rate, no image output, no price at the date). The same as `ratebook scenario --compare all`.", r.ranked.len(), r.cannot_run.len()) }
                if custom { { " Custom prices in effect." } }
            </p>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Models ranked">
                <table id="scenario-ranking" class="compare-table">
                    <caption class="sr-only">{ "Models ranked by cost per accepted result, cheapest first" }</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="num">{ "#" }</th>
                            <th scope="col">{ "Model" }</th>
                            <th scope="col" class="num">{ "Per accepted result" }</th>
                            <th scope="col" class="num">{ "Per day" }</th>
                            <th scope="col" class="num">{ "Per month" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for r.ranked.iter().enumerate().map(|(i, c)| html! {
                            <tr data-model={c.model.clone()}
                                data-cost-per-accepted-usd={c.cost_per_accepted.map(usd_attr)}
                                data-daily-usd={usd_attr(c.daily)}
                                class={classes!((c.model == current).then_some("current"))}
                                aria-current={(c.model == current).then_some("true")}>
                                <td class="num">{ i + 1 }</td>
                                <th scope="row">{ c.model.clone() }<span class="muted">{ format!(" · {}", c.provider) }</span></th>
                                <td class="num">{ c.cost_per_accepted.map(format_usd).unwrap_or_else(|| "—".into()) }</td>
                                <td class="num">{ format_usd(c.daily) }</td>
                                <td class="num">{ format_usd(c.monthly) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </>
    }
}
