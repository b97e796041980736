//! Pricing a log in the page (`?view=log`): a JSON Lines file of provider responses, dropped or
//! picked, priced in a Web Worker (`log-worker.js`, which loads this module and runs
//! [`crate::LogPricer`]) so the page stays responsive, with a progress bar. Nothing leaves the
//! machine: the file is read by the worker from the browser's `File`. Shown: totals by model
//! and by day, rejected lines with their numbers, and a re-price as batch or on another model.

use std::cell::RefCell;
use std::rc::Rc;

use ratebook::format_usd;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DragEvent, File, HtmlInputElement, HtmlSelectElement, MessageEvent, Worker};
use yew::prelude::*;

use crate::log::Report;
use crate::nav::Masthead;

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Pricing { done: f64, size: f64 },
    Done { report: Rc<Report>, ms: f64 },
    Failed(String),
}

fn usd(s: &str) -> String {
    s.parse::<ratebook::Decimal>()
        .map(format_usd)
        .unwrap_or_else(|_| s.to_string())
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Starts a worker pricing `file` with `sources` under `what_if`; reports to `status`.
fn start(
    file: File,
    sources: &[ratebook::SourceFile],
    what_if: &str,
    status: UseStateHandle<Status>,
    current: Rc<RefCell<Option<Worker>>>,
) {
    if let Some(old) = current.borrow_mut().take() {
        old.terminate();
    }
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = match Worker::new_with_options("log-worker.js", &options) {
        Ok(w) => w,
        Err(_) => {
            status.set(Status::Failed(
                "this browser cannot start a Web Worker".into(),
            ));
            return;
        }
    };
    let size = file.size();
    status.set(Status::Pricing { done: 0.0, size });
    let onmessage = {
        let status = status.clone();
        let current = current.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let data = e.data();
            let report = get(&data, "report");
            let error = get(&data, "error");
            if let Some(json) = report.as_string() {
                let ms = get(&data, "ms").as_f64().unwrap_or(0.0);
                crate::mark("log-ms", &format!("{ms:.0}"));
                match serde_json::from_str::<Report>(&json) {
                    Ok(r) => status.set(Status::Done {
                        report: Rc::new(r),
                        ms,
                    }),
                    Err(e) => status.set(Status::Failed(format!("unreadable report: {e}"))),
                }
                if let Some(w) = current.borrow_mut().take() {
                    w.terminate();
                }
            } else if let Some(err) = error.as_string() {
                status.set(Status::Failed(err));
            } else if let Some(done) = get(&data, "progress").as_f64() {
                status.set(Status::Pricing { done, size });
            }
        })
    };
    worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    let names = js_sys::Array::new();
    let texts = js_sys::Array::new();
    for s in sources {
        names.push(&JsValue::from_str(&s.name));
        texts.push(&JsValue::from_str(&s.text));
    }
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"names".into(), &names);
    let _ = js_sys::Reflect::set(&msg, &"texts".into(), &texts);
    let _ = js_sys::Reflect::set(&msg, &"file".into(), &file);
    let _ = js_sys::Reflect::set(&msg, &"whatIf".into(), &JsValue::from_str(what_if));
    if worker.post_message(&msg).is_err() {
        status.set(Status::Failed(
            "could not hand the file to the worker".into(),
        ));
    }
    *current.borrow_mut() = Some(worker);
}

#[function_component(LogApp)]
pub fn log_app() -> Html {
    let sources = use_state(|| None::<Rc<Vec<ratebook::SourceFile>>>);
    let load_error = use_state(|| None::<String>);
    let file = use_state(|| None::<File>);
    let what_if = use_state(String::new);
    let status = use_state(|| Status::Idle);
    let worker = use_mut_ref(|| None::<Worker>);
    {
        let sources = sources.clone();
        let load_error = load_error.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match crate::book::fetch_sources().await {
                    Ok(s) => sources.set(Some(Rc::new(s))),
                    Err(e) => load_error.set(Some(e)),
                }
            });
        });
    }
    let models: Rc<Vec<String>> = use_memo((*sources).clone().map(|s| s.len()), {
        let sources = (*sources).clone();
        move |_| {
            sources
                .map(|s| {
                    ratebook::load(&s)
                        .book
                        .models()
                        .iter()
                        .map(|m| m.id.clone())
                        .collect()
                })
                .unwrap_or_default()
        }
    });

    let begin = {
        let sources = sources.clone();
        let status = status.clone();
        let worker = worker.clone();
        move |f: File, what: String| {
            if let Some(s) = sources.as_ref() {
                start(f, s, &what, status.clone(), worker.clone());
            }
        }
    };
    let onchange = {
        let begin = begin.clone();
        let file = file.clone();
        let what_if = what_if.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(f) = input.files().and_then(|l| l.get(0)) {
                file.set(Some(f.clone()));
                begin(f, (*what_if).clone());
            }
        })
    };
    let ondrop = {
        let begin = begin.clone();
        let file = file.clone();
        let what_if = what_if.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(f) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|l| l.get(0))
            {
                file.set(Some(f.clone()));
                begin(f, (*what_if).clone());
            }
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let on_what_if = {
        let begin = begin.clone();
        let file = file.clone();
        let what_if = what_if.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            what_if.set(v.clone());
            if let Some(f) = (*file).clone() {
                begin(f, v);
            }
        })
    };

    let ready = sources.is_some();
    let app_status = match (&*load_error, ready) {
        (Some(_), _) => "failed",
        (None, true) => "ready",
        _ => "loading",
    };
    let progress = match &*status {
        Status::Idle => html! {},
        Status::Pricing { done, size } => {
            let pct = if *size > 0.0 {
                (done / size * 100.0).floor()
            } else {
                0.0
            };
            html! {
                <div class="log-progress" id="log-status" data-state="pricing">
                    <label for="log-progress">{ format!("Pricing… {pct:.0}%") }</label>
                    <progress id="log-progress" max="100" value={format!("{pct:.0}")}>{ format!("{pct:.0}%") }</progress>
                </div>
            }
        }
        Status::Failed(e) => html! {
            <div class="estimate-error" id="log-status" data-state="failed" role="alert">{ e.clone() }</div>
        },
        Status::Done { ms, .. } => html! {
            <p class="section-note" id="log-status" data-state="done">{ format!("Priced in {ms:.0} ms, in this browser.") }</p>
        },
    };
    let results = match &*status {
        Status::Done { report, .. } => report_view(report),
        _ => html! {},
    };
    html! {
        <div class="app" data-status={app_status} data-view="log">
            <Masthead view="log" title="Price a log"
                tagline="A JSON Lines file of provider responses, priced in your browser with the same code as `ratebook cost`. The file never leaves this machine."
                calculator_href="?" scenario_href="?view=scenario" />
            <div class="page">
                if let Some(e) = &*load_error {
                    <div class="alert alert-error" role="alert"><h2>{ "The prices could not be loaded" }</h2><p>{ e.clone() }</p></div>
                }
                <section class="card" aria-labelledby="log-title">
                    <h2 id="log-title">{ "Your log" }</h2>
                    <div class="dropzone" id="log-drop" {ondrop} {ondragover}>
                        <label for="log-file">{ "Drop a .jsonl file here, or choose one" }</label>
                        <input id="log-file" type="file" accept=".jsonl,.json,.log,.txt,application/json" disabled={!ready} {onchange} />
                        <p class="field-note">{ "One provider response per line (OpenAI, Anthropic, Gemini, streamed events too). Priced in a background worker: the page stays usable." }</p>
                    </div>
                    <div class="field">
                        <label for="log-what-if">{ "Re-price the log" }</label>
                        <select id="log-what-if" onchange={on_what_if}>
                            <option value="" selected={what_if.is_empty()}>{ "As logged" }</option>
                            <option value="mode=batch" selected={*what_if == "mode=batch"}>{ "As batch" }</option>
                            { for models.iter().map(|m| {
                                let v = format!("model={m}");
                                html! { <option value={v.clone()} selected={*what_if == v}>{ format!("On {m}") }</option> }
                            }) }
                        </select>
                    </div>
                    { progress }
                </section>
                { results }
            </div>
        </div>
    }
}

fn report_view(r: &Report) -> Html {
    html! {
        <>
            <section class="card results" aria-labelledby="log-total-title" id="log-results">
                <h2 id="log-total-title">{ "Total" }</h2>
                <div class="total-block">
                    <p class="total" id="log-total" data-total-usd={r.total.clone()} title={format!("exactly ${}", r.total)}>{ usd(&r.total) }</p>
                    <p class="total-meta">{ format!("{} responses priced, {} failed requests (not billed), {} lines rejected, of {} lines.", r.records, r.failed, r.rejected, r.lines) }</p>
                    if let Some(e) = &r.error { <p class="estimate-error">{ e.clone() }</p> }
                </div>
                if let Some(w) = &r.what_if {
                    <p class="worst" id="log-what-if-total" data-total-usd={w.total.clone()} data-change={w.change.clone()}>
                        { format!("With {}: {}", w.change, usd(&w.total)) }
                        { if w.not_applicable > 0 { format!(" ({} responses it does not apply to, priced as logged)", w.not_applicable) } else { String::new() } }
                    </p>
                }
            </section>
            <section class="card" aria-labelledby="log-models-title">
                <h2 id="log-models-title">{ "By model" }</h2>
                <div class="table-scroll" tabindex="0" role="region" aria-label="Cost by model">
                    <table id="log-by-model" class="compare-table">
                        <thead><tr>
                            <th scope="col">{ "Model" }</th>
                            <th scope="col" class="num">{ "Responses" }</th>
                            <th scope="col" class="num">{ "Input tokens" }</th>
                            <th scope="col" class="num">{ "Output tokens" }</th>
                            <th scope="col" class="num">{ "Cost" }</th>
                        </tr></thead>
                        <tbody>
                            { for r.by_model.iter().map(|m| html! {
                                <tr data-model={m.model.clone()} data-total-usd={m.total.clone()}>
                                    <th scope="row">{ m.model.clone() }<span class="muted">{ format!(" · {}", m.provider) }</span></th>
                                    <td class="num">{ m.records }</td>
                                    <td class="num">{ m.input_tokens.clone() }</td>
                                    <td class="num">{ m.output_tokens.clone() }</td>
                                    <td class="num">{ usd(&m.total) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            </section>
            <section class="card" aria-labelledby="log-days-title">
                <h2 id="log-days-title">{ "By day" }</h2>
                <div class="table-scroll" tabindex="0" role="region" aria-label="Cost by day">
                    <table id="log-by-day" class="compare-table">
                        <thead><tr>
                            <th scope="col">{ "Day" }</th>
                            <th scope="col" class="num">{ "Responses" }</th>
                            <th scope="col" class="num">{ "Cost" }</th>
                        </tr></thead>
                        <tbody>
                            { for r.by_day.iter().map(|d| html! {
                                <tr data-day={d.day.clone()} data-total-usd={d.total.clone()}>
                                    <th scope="row">{ d.day.clone() }</th>
                                    <td class="num">{ d.records }</td>
                                    <td class="num">{ usd(&d.total) }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            </section>
            if !r.rejected_lines.is_empty() {
                <section class="card" aria-labelledby="log-rejected-title">
                    <h2 id="log-rejected-title">{ format!("Rejected lines ({})", r.rejected) }</h2>
                    <ul id="log-rejected" class="rejected">
                        { for r.rejected_lines.iter().map(|l| html! {
                            <li data-line={l.line.to_string()}><strong>{ format!("Line {}: ", l.line) }</strong>{ l.message.clone() }</li>
                        }) }
                    </ul>
                </section>
            }
        </>
    }
}
