//! Where the money goes: a donut chart of the line items, drawn as plain SVG (no chart
//! library), with a legend that carries the same numbers as text.
//!
//! Geometry is `f64` because it is drawing, not money: amounts stay exact decimals and are
//! only converted to fractions of the circle here.

use ratebook::{Decimal, LineItem, format_usd};
use rust_decimal::prelude::ToPrimitive;
use yew::prelude::*;

use crate::form::fixed;
use crate::workload::Shared;

/// A colour per meter, stable across requests so the eye learns them.
pub fn colour(meter: &str) -> &'static str {
    match meter {
        "input_text" => "#2563eb",
        "input_image" => "#4f46e5",
        "input_audio" | "input_video" => "#0891b2",
        "cache_read" | "cache_read_audio" => "#0d9488",
        "cache_write_5m" => "#d97706",
        "cache_write_1h" => "#b45309",
        "cache_storage" => "#65a30d",
        "output_text" => "#dc2626",
        "output_image" => "#9333ea",
        "output_audio" => "#db2777",
        "image_fee" => "#7c3aed",
        _ => "#64748b",
    }
}

/// One slice: label, amount, share of the total (0..=1), colour, and an opacity that tells
/// apart several lines of one meter (two image resolutions, a marginal tier).
#[allow(
    clippy::disallowed_types,
    reason = "drawing: a share of the circle, shown only through form::fixed"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Slice {
    pub label: String,
    pub amount: Decimal,
    pub share: f64,
    pub colour: &'static str,
    pub opacity: &'static str,
}

/// The slices of `items` that cost something, biggest first.
#[allow(
    clippy::disallowed_methods,
    reason = "drawing: shares of the circle from the exact amounts, shown only through form::fixed"
)]
pub fn slices(items: &[LineItem], total: Decimal) -> Vec<Slice> {
    let total_f = total.to_f64().unwrap_or(0.0);
    let mut out: Vec<Slice> = items
        .iter()
        .filter(|l| l.amount > Decimal::ZERO)
        .map(|l| Slice {
            label: l.label(),
            amount: l.amount,
            share: if total_f > 0.0 {
                l.amount.to_f64().unwrap_or(0.0) / total_f
            } else {
                0.0
            },
            colour: colour(&l.meter()),
            opacity: "1",
        })
        .collect();
    ratebook::order::sort_by_key(&mut out, |s| std::cmp::Reverse(s.amount));
    const SHADES: [&str; 4] = ["1", "0.65", "0.45", "0.3"];
    let mut seen: Vec<&'static str> = Vec::new();
    for s in &mut out {
        let n = seen.iter().filter(|c| **c == s.colour).count();
        s.opacity = SHADES[n.min(SHADES.len() - 1)];
        seen.push(s.colour);
    }
    out
}

#[allow(
    clippy::disallowed_types,
    reason = "drawing: a share of the circle, shown through form::fixed"
)]
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p > 0.0 && p < 0.1 {
        "<0.1%".into()
    } else {
        format!("{}%", fixed(p, 1))
    }
}

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    /// The estimate's line items are charted.
    pub derived: Shared,
}

#[function_component(Chart)]
pub fn chart(p: &ChartProps) -> Html {
    let Some(Ok(estimate)) = &p.derived.estimate else {
        return html! {};
    };
    let total = estimate.total;
    let slices = slices(&estimate.line_items, total);
    if slices.is_empty() {
        return html! {};
    }
    // A circle of circumference 100 makes dash lengths percentages.
    let r = "15.91549";
    let mut offset = 0.0;
    let description = slices
        .iter()
        .map(|s| format!("{} {}", s.label, percent(s.share)))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        <figure class="chart">
            <svg viewBox="0 0 42 42" class="donut" role="img" aria-label={format!("Where the money goes: {description}")}>
                <circle cx="21" cy="21" r={r} fill="none" stroke="#e5e7eb" stroke-width="6" />
                { for slices.iter().map(|s| {
                    let len = (s.share * 100.0).max(0.0);
                    let dash = format!("{} {}", fixed(len, 3), fixed(100.0 - len, 3));
                    let start = 25.0 - offset;
                    offset += len;
                    html! {
                        <circle cx="21" cy="21" r={r} fill="none" stroke={s.colour} stroke-opacity={s.opacity} stroke-width="6"
                            stroke-dasharray={dash} stroke-dashoffset={fixed(start, 3)}>
                            <title>{ format!("{}: {} ({})", s.label, format_usd(s.amount), percent(s.share)) }</title>
                        </circle>
                    }
                }) }
                <text x="21" y="20.5" class="donut-total" text-anchor="middle">{ format_usd(total) }</text>
                <text x="21" y="25" class="donut-caption" text-anchor="middle">{ "per request" }</text>
            </svg>
            <figcaption>
                <ul class="legend">
                    { for slices.iter().map(|s| html! {
                        <li>
                            <span class="swatch" style={format!("background:{};opacity:{}", s.colour, s.opacity)} aria-hidden="true"></span>
                            <span class="legend-label">{ s.label.clone() }</span>
                            <span class="legend-value">{ format_usd(s.amount) }</span>
                            <span class="legend-share">{ percent(s.share) }</span>
                        </li>
                    }) }
                </ul>
            </figcaption>
        </figure>
    }
}
