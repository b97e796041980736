//! The masthead the extra views share with the calculator: the same sections as tabs.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MastheadProps {
    /// `scenario` or `log`.
    pub view: AttrValue,
    pub title: AttrValue,
    pub tagline: AttrValue,
    /// The calculator's link (keeps the model and tokens the view shares with it).
    pub calculator_href: AttrValue,
    pub scenario_href: AttrValue,
}

#[function_component(Masthead)]
pub fn masthead(p: &MastheadProps) -> Html {
    let current = |v: &str| (p.view == v).then_some("page");
    let calc = p.calculator_href.to_string();
    html! {
        <header class="masthead">
            <div class="masthead-inner">
                <p class="brand">{ "ratebook" }</p>
                <h1>{ p.title.clone() }</h1>
                <p class="tagline">{ p.tagline.clone() }</p>
                <nav aria-label="Views">
                    <a href={calc.clone()}>{ "Calculator" }</a>
                    <a href={format!("{calc}#compare")}>{ "Compare models" }</a>
                    <a href={format!("{calc}#history")}>{ "Price history" }</a>
                    <a href={p.scenario_href.clone()} aria-current={current("scenario")}>{ "Scenario planner" }</a>
                    <a href="?view=log" aria-current={current("log")}>{ "Price a log" }</a>
                </nav>
            </div>
        </header>
    }
}
