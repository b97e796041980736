//! Invariants over generated usages on every model of the book: a cost never decreases when any
//! quantity grows, batch is never dearer than standard, and line items always sum exactly to the
//! total.

use proptest::prelude::*;
use ratebook::{Estimate, EstimateOptions, ImageCount, Mode, RateBook, Usage};
use ratebook_tests::{book, date};
use std::sync::OnceLock;

fn shared_book() -> &'static RateBook {
    static BOOK: OnceLock<RateBook> = OnceLock::new();
    BOOK.get_or_init(book)
}

/// Independent quantities; cached reads and cache writes are added to the prompt, so growing
/// any one of them means the request consumed more.
#[derive(Debug, Clone, Copy)]
struct Parts {
    uncached: u64,
    cached: u64,
    write_5m: u64,
    write_1h: u64,
    output: u64,
    images: u64,
}

fn usage(p: Parts, res: Option<&str>) -> Usage {
    Usage {
        input_text: p.uncached + p.cached + p.write_5m + p.write_1h,
        cached: p.cached,
        cache_write_5m: p.write_5m,
        cache_write_1h: p.write_1h,
        output_text: p.output,
        output_images: res
            .map(|r| {
                vec![ImageCount {
                    resolution: r.into(),
                    count: p.images,
                }]
            })
            .unwrap_or_default(),
        ..Usage::default()
    }
}

fn parts() -> impl Strategy<Value = Parts> {
    (
        0u64..600_000,
        0u64..300_000,
        0u64..100_000,
        0u64..100_000,
        0u64..200_000,
        0u64..8,
    )
        .prop_map(
            |(uncached, cached, write_5m, write_1h, output, images)| Parts {
                uncached,
                cached,
                write_5m,
                write_1h,
                output,
                images,
            },
        )
}

/// The model at `i` (mod the book size) and one of its image resolutions, if any.
fn pick(i: usize) -> (&'static str, Option<&'static str>) {
    let models = shared_book().models();
    let m = &models[i % models.len()];
    let res = m
        .prices
        .last()
        .and_then(|p| p.output_image_tokens.keys().next())
        .map(String::as_str);
    (m.id.as_str(), res)
}

fn price(model: &str, u: &Usage, mode: Mode) -> Option<Estimate> {
    shared_book()
        .estimate(
            model,
            u,
            EstimateOptions {
                date: date("2026-11-23"),
                mode,
                residency: false,
                allow_over_limits: false,
            },
        )
        .ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn line_items_sum_to_the_total(i in 0usize..1000, p in parts(), batch in any::<bool>()) {
        let (model, res) = pick(i);
        let mode = if batch { Mode::Batch } else { Mode::Standard };
        if let Some(est) = price(model, &usage(p, res), mode) {
            let sum: ratebook::Decimal = est.line_items.iter().map(|l| l.amount).sum();
            prop_assert_eq!(sum, est.total);
            prop_assert!(est.line_items.iter().all(|l| l.amount >= ratebook::Decimal::ZERO));
        }
    }

    #[test]
    fn cost_never_decreases_when_a_quantity_grows(i in 0usize..1000, p in parts(), which in 0usize..6, extra in 1u64..250_000) {
        let (model, res) = pick(i);
        let mut q = p;
        match which {
            0 => q.uncached += extra,
            1 => q.cached += extra,
            2 => q.write_5m += extra,
            3 => q.write_1h += extra,
            4 => q.output += extra,
            _ => q.images += extra % 5 + 1,
        }
        for mode in [Mode::Standard, Mode::Batch] {
            if let (Some(a), Some(b)) = (price(model, &usage(p, res), mode), price(model, &usage(q, res), mode)) {
                prop_assert!(b.total >= a.total, "{} {:?}: {} → {} after growing {}", model, mode, a.total, b.total, which);
            }
        }
    }

    #[test]
    fn batch_is_never_dearer_than_standard(i in 0usize..1000, p in parts()) {
        let (model, res) = pick(i);
        let u = usage(p, res);
        if let (Some(std), Some(batch)) = (price(model, &u, Mode::Standard), price(model, &u, Mode::Batch)) {
            prop_assert!(batch.total <= std.total, "{}: batch {} > standard {}", model, batch.total, std.total);
        }
    }
}

#[test]
fn the_property_tests_reach_every_model() {
    // Guards the generators above: each model in the book must price a plain text request, so
    // the properties are exercised on all of them rather than silently skipped.
    for m in shared_book().models() {
        let r = price(&m.id, &Usage::text(1_000, 1_000), Mode::Standard);
        let has_output = m
            .prices
            .last()
            .is_some_and(|p| p.rates.get(ratebook::Meter::OutputText).is_some());
        assert!(
            r.is_some() || !has_output,
            "{} does not price a plain text request",
            m.id
        );
    }
}
