//! The whole book prices: every model at today's date and at every one of its history dates,
//! with a usage built from the meters its card has, and every cloud offer through each of its
//! scopes. Prices themselves are checked by `golden`; this proves no model or offer is
//! unreachable, and that the rules the issue names hold on the real data.

use ratebook::book::{Meter, Model, PriceEntry};
use ratebook::resolve::ResolvedBy;
use ratebook::{Decimal, EstimateOptions, ImageCount, Usage, VideoSeconds};
use ratebook_tests::{book, date};

/// A usage that touches every meter the entry prices (one unit each of images and video).
fn usage_for(entry: &PriceEntry) -> Usage {
    let mut u = Usage::default();
    let has = |m: Meter| entry.rates.get(m).is_some();
    if has(Meter::InputText) {
        u.input_text = 10_000;
    }
    if has(Meter::CacheRead) {
        u.cached = 2_000;
    }
    if has(Meter::OutputText) {
        u.output_text = 1_000;
    }
    if has(Meter::OutputAudio) {
        u.output_audio = 1_000;
    }
    if has(Meter::OutputVideo) {
        u.output_video_tokens = 1_000;
    }
    if has(Meter::InputAudioMinute) {
        u.input_audio_seconds = 60;
    }
    if has(Meter::InputCharacters) {
        u.input_characters = 1_000;
    }
    if let Some(res) = entry.output_image_tokens.keys().next() {
        u.output_images.push(ImageCount {
            resolution: res.clone(),
            count: 1,
        });
    } else if let Some(res) = entry.output_image_fees.keys().next() {
        u.output_images.push(ImageCount {
            resolution: res.clone(),
            count: 1,
        });
    }
    if let Some(res) = entry.output_video_seconds.keys().next() {
        u.output_video.push(VideoSeconds {
            resolution: res.clone(),
            seconds: 1,
        });
    }
    u
}

/// Is every rate and fee of the entry zero (a free model)?
fn free(entry: &PriceEntry) -> bool {
    entry.rates.iter().all(|(_, r)| r.is_zero())
        && entry.output_image_fees.values().all(Decimal::is_zero)
        && entry.output_video_seconds.values().all(Decimal::is_zero)
}

fn check_model(m: &Model, day: ratebook::Date, problems: &mut Vec<String>) {
    let b = book();
    let Ok(entry) = m.price_at(day) else {
        problems.push(format!("{}: no entry on {day}", m.id));
        return;
    };
    let usage = usage_for(entry);
    // A rate check, not a request: the per-request limits are waived.
    match b.estimate(
        &m.id,
        &usage,
        EstimateOptions::at(day).allow_over_limits(true),
    ) {
        Ok(est) => {
            let billed = b.get(&est.model).and_then(|t| t.price_at(day).ok());
            let is_free = billed.is_some_and(free);
            if is_free != est.total.is_zero() && est.model == m.id {
                problems.push(format!(
                    "{} on {day}: total {} (free: {is_free})",
                    m.id, est.total
                ));
            }
            let sum: Decimal = est.line_items.iter().map(|l| l.amount).sum();
            if sum != est.total {
                problems.push(format!("{} on {day}: lines do not add up", m.id));
            }
        }
        Err(e) => problems.push(format!("{} on {day}: {e}", m.id)),
    }
}

#[test]
fn every_model_prices_today_and_at_every_history_date() {
    let b = book();
    let mut problems = Vec::new();
    let mut priced = 0;
    for m in b.models() {
        for p in &m.prices {
            check_model(m, p.effective, &mut problems);
            priced += 1;
        }
        if m.price_at(date("2026-11-26")).is_ok() {
            check_model(m, date("2026-11-26"), &mut problems);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(priced >= b.models().len());
}

#[test]
fn every_cloud_offer_resolves_through_every_scope() {
    let b = book();
    assert!(
        !b.clouds().is_empty(),
        "the book has cloud deployment cards"
    );
    let mut problems = Vec::new();
    for c in b.clouds() {
        for o in &c.offers {
            for s in &c.scopes {
                let Some(prefix) = s.prefixes.first() else {
                    continue;
                };
                let id = format!("{prefix}{}", o.id);
                // A first-party id wins over a cloud id by the resolution order.
                if b.get(&id).is_some() {
                    continue;
                }
                let want = o.multipliers.get(&s.id).copied().unwrap_or(s.multiplier);
                let target = b.get(&o.model).map(|m| m.id.clone());
                match b.resolve_with(&id) {
                    Ok(r) => {
                        let d = r.resolution.deployment.as_ref();
                        let got = (
                            r.resolution.by,
                            d.map(|d| d.multiplier),
                            Some(r.model.id.clone()),
                        );
                        if got != (ResolvedBy::DeploymentPrefix, Some(want), target) {
                            problems.push(format!("{id}: resolved as {got:?}"));
                        }
                    }
                    Err(e) => problems.push(format!("{id}: {e}")),
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
