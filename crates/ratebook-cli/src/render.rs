//! Rendering estimates for people (tables) and for tools (JSON).
//!
//! JSON money is always the exact decimal as a string (`"0.0672"`), never a float, so tools
//! can re-add line items and get the total to the last digit.

use ratebook::{Estimate, format_count, format_usd};
use serde_json::{Value, json};

/// The JSON form of an estimate (the `estimate --json` contract).
pub fn estimate_json(e: &Estimate) -> Value {
    json!({
        "model": e.model,
        "provider": e.provider,
        "date": e.date.to_string(),
        "mode": e.mode.as_str(),
        "total_usd": e.total.normalize().to_string(),
        "total_display": format_usd(e.total),
        "tier": e.tier,
        "resolution": e.resolution,
        "resolution_text": e.resolution.describe(),
        "lifecycle": e.lifecycle,
        "price_entry": {
            "effective": e.price.effective.to_string(),
            "until": e.price.until.map(|d| d.to_string()),
            "source": e.price.source,
            "checked": e.price.checked.to_string(),
        },
        "image_tokens": e.image_tokens,
        "line_items": e.line_items.iter().map(|l| json!({
            "meter": l.meter(),
            "label": l.label(),
            "quantity": l.quantity,
            "rate_usd": l.rate.normalize().to_string(),
            "amount_usd": l.amount.normalize().to_string(),
            "rule": l.rule(),
            "sentence": l.sentence(),
        })).collect::<Vec<_>>(),
    })
}

/// A readable table of an estimate.
pub fn estimate_table(e: &Estimate) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{} ({}) · {} mode · priced at {} · prices from {} (source checked {})\n",
        e.model, e.provider, e.mode, e.date, e.price.effective, e.price.checked
    ));
    out.push_str(&format!("model id: {}\n", e.resolution.describe()));
    if let Some(l) = &e.lifecycle {
        out.push_str(&format!("lifecycle: {}\n", l.message));
    }
    if let Some(t) = &e.tier {
        out.push_str(&format!("long-context tier reached: {t}\n"));
    }
    if !e.image_tokens.is_empty() {
        let list: Vec<String> = e.image_tokens.iter().map(|t| format_count(*t)).collect();
        out.push_str(&format!("input images: {} tokens\n", list.join(" + ")));
    }
    out.push('\n');
    let rows: Vec<(String, String)> = e
        .line_items
        .iter()
        .map(|l| (l.sentence(), l.rule()))
        .collect();
    for (sentence, rule) in &rows {
        out.push_str(&format!("  {sentence}\n      {rule}\n"));
    }
    out.push_str(&format!(
        "\n  total: {}   (exact: {})\n",
        format_usd(e.total),
        e.total.normalize()
    ));
    out
}
