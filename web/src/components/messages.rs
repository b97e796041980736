//! Messages above the calculator: pricing files that failed to fetch or validate (named, with
//! line and problem), and notices about what the page changed from what a link asked for.
//!
//! Every message is rendered as text: values quoted from a link are escaped by Yew, never
//! parsed as markup.

use yew::prelude::*;

use super::AppContext;
use crate::state::{Action, LoadStatus};

#[function_component(LoadProblems)]
pub fn load_problems() -> Html {
    let Some(state) = use_context::<AppContext>() else {
        return html! {};
    };
    if state.problems.is_empty() && state.fetch_errors.is_empty() {
        return html! {};
    }
    let failed = state.status == LoadStatus::Failed;
    let mut rejected: Vec<&str> = state.problems.iter().map(|p| p.file.as_str()).collect();
    rejected.dedup();
    let heading = if failed {
        "The price list could not be loaded".to_string()
    } else if rejected.is_empty() {
        "Some pricing files could not be fetched".to_string()
    } else {
        format!(
            "{} could not be loaded — {} left out; every other provider works",
            rejected.join(", "),
            if rejected.len() == 1 {
                "its models are"
            } else {
                "their models are"
            }
        )
    };
    html! {
        <section id="load-errors" class="alert alert-error" role="alert">
            <h2>{ heading }</h2>
            <ul>
                { for state.problems.iter().map(|p| {
                    let place = match (p.line, p.column) {
                        (Some(l), Some(c)) => format!(", line {l}, column {c}"),
                        (Some(l), None) => format!(", line {l}"),
                        _ => String::new(),
                    };
                    html! {
                        <li class="load-error" data-file={p.file.clone()} data-line={p.line.map(|l| l.to_string())}>
                            <strong>{ format!("{}{place}", p.file) }</strong>
                            { format!(": {}", p.message) }
                            <code class="where">{ p.full.clone() }</code>
                        </li>
                    }
                }) }
                { for state.fetch_errors.iter().map(|e| html! { <li class="fetch-error">{ e.clone() }</li> }) }
            </ul>
        </section>
    }
}

#[function_component(Notices)]
pub fn notices() -> Html {
    let Some(state) = use_context::<AppContext>() else {
        return html! {};
    };
    if state.notices.is_empty() {
        return html! {};
    }
    let dismiss = {
        let d = state.dispatcher();
        Callback::from(move |_| d.dispatch(Action::DismissNotices))
    };
    html! {
        <section id="notices" class="alert alert-notice" role="status">
            <ul>
                { for state.notices.iter().map(|n| html! { <li class="notice">{ n.clone() }</li> }) }
            </ul>
            <button type="button" class="button-quiet" onclick={dismiss}>{ "Dismiss" }</button>
        </section>
    }
}
