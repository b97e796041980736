//! Structured: generates pricing files that are mostly valid — a provider (sometimes a gateway
//! with a billing unit), image schemes with extreme parameters, models with aliases, lifecycle
//! and dated entries (rates, cached rates below input, tiers above base, modes with explicit
//! rates, withdrawals, fees, image and video prices), sometimes a cloud card reselling them —
//! writes them as TOML text, loads them, and prices generated usages on every id at the entry
//! dates in every mode.
//!
//! Checked: never a panic; every load error is located; an estimate's line items add up to its
//! total; a usage within the domain's bounds never overflows on a book that loaded; a loaded
//! scheme gives a token count for every image size in range.
#![no_main]

use std::fmt::Write;

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use ratebook::image::MAX_IMAGE_SIDE;
use ratebook::{Date, Decimal, EstimateOptions, Meter, SourceFile, load};
use ratebook_fuzz::{check_estimate, count, date, mode, side, usage};

const RESOLUTIONS: [&str; 4] = ["1K", "4K", "1024x1024:high", "720p"];

/// A decimal from a pool of edges: bounds, one past them, the smallest and largest decimals.
fn edge_decimal(u: &mut Unstructured<'_>) -> Result<Decimal> {
    const EDGES: [&str; 16] = [
        "0",
        "-0",
        "-1",
        "0.0000000000000000000000000001",
        "1",
        "2",
        "10",
        "10.0000001",
        "100",
        "100.0000001",
        "999.9999999999999999999999999",
        "1000",
        "1000.0000000000000000000000001",
        "1e26",
        "79228162514264337593543950335",
        "1.0000000000000000000000000001",
    ];
    Ok(Decimal::from_scientific(EDGES[u.choose_index(EDGES.len())?]).unwrap_or(Decimal::ONE))
}

/// A rate per 1M: mostly a plain price with up to six decimals, sometimes an edge.
fn rate(u: &mut Unstructured<'_>) -> Result<Decimal> {
    if u.ratio(1u8, 8u8)? {
        return edge_decimal(u);
    }
    Ok(Decimal::new(
        u.int_in_range(0..=200_000_000)?,
        u.int_in_range(0..=6)?,
    ))
}

/// A multiplier in `lo..=hi` (as hundredths), sometimes an edge.
fn multiplier(u: &mut Unstructured<'_>, lo: i64, hi: i64) -> Result<Decimal> {
    if u.ratio(1u8, 10u8)? {
        return edge_decimal(u);
    }
    Ok(Decimal::new(u.int_in_range(lo..=hi)?, 2))
}

/// A scheme parameter: often an edge (zero, the domain bounds and one past them, the type's
/// maximum), otherwise a plausible size.
fn param(u: &mut Unstructured<'_>, bound: u64, max: u64) -> Result<u64> {
    let edges = [0, 1, bound - 1, bound, bound + 1, max];
    Ok(match u.int_in_range(0u8..=3)? {
        0 => edges[u.choose_index(edges.len())?],
        1 => count(u)?.min(max),
        _ => u.int_in_range(1..=4_096)?,
    })
}

fn scheme(u: &mut Unstructured<'_>, out: &mut String, name: &str) -> Result<Vec<String>> {
    let px = |u: &mut Unstructured<'_>| param(u, u64::from(MAX_IMAGE_SIDE), u64::from(u32::MAX));
    let tok = |u: &mut Unstructured<'_>| param(u, 1_000_000, u64::MAX);
    let _ = writeln!(out, "[image_schemes.{name}]");
    let mut levels = Vec::new();
    match u.int_in_range(0u8..=4)? {
        0 => {
            let _ = writeln!(
                out,
                "kind = \"gemini_tiles\"\nsmall_max = {}\nsmall_tokens = {}\ncrop_divisor = \"{}\"\ntile_tokens = {}",
                px(u)?,
                tok(u)?,
                multiplier(u, 100, 10_000)?,
                tok(u)?
            );
        }
        1 => {
            let n = u.int_in_range(1..=3)?;
            let names = ["low", "medium", "high"];
            let mut body = Vec::new();
            for l in names.iter().take(n) {
                body.push(format!("{l} = {}", tok(u)?));
                levels.push(l.to_string());
            }
            let default = names[u.choose_index(n)?];
            let _ = writeln!(
                out,
                "kind = \"fixed_levels\"\ndefault = \"{default}\"\nlevels = {{ {} }}",
                body.join(", ")
            );
        }
        2 => {
            let _ = writeln!(
                out,
                "kind = \"openai_tiles\"\nbase = {}\nper_tile = {}\nfit = {}\nshort_side = {}\ntile = {}",
                tok(u)?,
                tok(u)?,
                px(u)?,
                px(u)?,
                px(u)?
            );
            levels = vec!["low".into(), "high".into(), "auto".into()];
        }
        3 => {
            let _ = writeln!(
                out,
                "kind = \"openai_patches\"\npatch = {}\nmax_patches = {}\nmultiplier = \"{}\"",
                px(u)?,
                tok(u)?,
                multiplier(u, 1, 10_000)?
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "kind = \"anthropic_patches\"\npatch = {}\nmax_long_edge = {}\nmax_tokens = {}",
                px(u)?,
                px(u)?,
                tok(u)?
            );
        }
    }
    out.push('\n');
    Ok(levels)
}

fn day(d: Date) -> String {
    d.to_string()
}

/// One price entry of model `key`, after `prev` (the merged standard rates so far).
fn entry(
    u: &mut Unstructured<'_>,
    out: &mut String,
    key: &str,
    effective: Date,
    first: bool,
    standard: &mut Vec<(Meter, Decimal)>,
) -> Result<()> {
    let _ = writeln!(
        out,
        "[[models.\"{key}\".prices]]\neffective = \"{}\"\nsource = \"https://example.com/p\"\nchecked = \"2026-01-01\"",
        day(effective)
    );
    let get = |s: &[(Meter, Decimal)], m: Meter| s.iter().find(|(x, _)| *x == m).map(|(_, r)| *r);
    let set = |s: &mut Vec<(Meter, Decimal)>, m: Meter, r: Decimal| {
        s.retain(|(x, _)| *x != m);
        s.push((m, r));
    };
    for m in Meter::ALL {
        let wanted = match m {
            Meter::InputText => first || u.ratio(1u8, 3u8)?,
            _ => u.ratio(1u8, if first { 3u8 } else { 6u8 })?,
        };
        if !wanted {
            continue;
        }
        let r = match m {
            // Usually below the input rate, as the loader requires.
            Meter::CacheRead | Meter::CacheReadAudio | Meter::CacheReadImage
                if u.ratio(7u8, 8u8)? =>
            {
                let input = get(standard, Meter::InputText).unwrap_or(Decimal::ONE);
                let share = Decimal::new(u.int_in_range(0..=100)?, 2);
                input.checked_mul(share).unwrap_or(Decimal::ZERO)
            }
            _ => rate(u)?,
        };
        let _ = writeln!(out, "{} = \"{r}\"", m.key());
        set(standard, m, r);
    }
    if get(standard, Meter::OutputImage).is_some() && u.ratio(1u8, 2u8)? {
        let _ = writeln!(
            out,
            "output_image_tokens = {{ \"1K\" = {}, \"4K\" = {} }}",
            param(u, 1_000_000, u64::MAX)?,
            param(u, 1_000_000, u64::MAX)?
        );
    }
    if u.ratio(1u8, 6u8)? {
        let _ = writeln!(
            out,
            "output_image_fees = {{ \"1024x1024:high\" = \"{}\" }}",
            rate(u)?
        );
    }
    if u.ratio(1u8, 6u8)? {
        let _ = writeln!(
            out,
            "output_video_seconds = {{ \"720p\" = \"{}\" }}",
            rate(u)?
        );
    }
    if u.ratio(1u8, 6u8)? {
        let _ = writeln!(
            out,
            "residency_multiplier = \"{}\"",
            multiplier(u, 100, 200)?
        );
    }
    if u.ratio(1u8, 5u8)? {
        let per = [1u64, 1000, 0, 1_000_001][u.choose_index(4)?];
        let _ = writeln!(
            out,
            "fees.search = {{ description = \"Search\", price = \"{}\", per = {per}, free = {}, free_period = \"month\" }}",
            rate(u)?,
            count(u)?
        );
    }
    let mut modes = Vec::new();
    for (name, lo, hi) in [
        ("batch", 1, 100),
        ("flex", 1, 100),
        ("priority", 100, 1_000),
    ] {
        if !u.ratio(1u8, 3u8)? {
            continue;
        }
        let mut extra = String::new();
        if u.ratio(1u8, 2u8)? {
            let _ = write!(extra, ", cache_write = {}", u.arbitrary::<bool>()?);
        }
        if u.ratio(1u8, 3u8)? {
            let _ = write!(extra, ", cache_storage = {}", u.arbitrary::<bool>()?);
        }
        if u.ratio(1u8, 4u8)? {
            if let Some(input) = get(standard, Meter::InputText) {
                let share = Decimal::new(u.int_in_range(lo..=hi)?, 2);
                let r = input.checked_mul(share).unwrap_or(input);
                let _ = write!(extra, ", rates = {{ input = \"{r}\" }}");
            }
        }
        let _ = writeln!(
            out,
            "{name} = {{ multiplier = \"{}\", cache_read = {}{extra} }}",
            multiplier(u, lo, hi)?,
            u.arbitrary::<bool>()?
        );
        modes.push(name);
    }
    if !first && u.ratio(1u8, 8u8)? {
        let m = ["batch", "flex", "priority"][u.choose_index(3)?];
        if !modes.contains(&m) {
            let _ = writeln!(out, "withdraw = [\"{m}\"]");
        }
    }
    out.push('\n');
    let tiers = if u.ratio(1u8, 3u8)? {
        u.int_in_range(0..=2)?
    } else {
        0
    };
    if tiers == 0 && !first && u.ratio(1u8, 8u8)? {
        let _ = writeln!(out, "[[models.\"{key}\".prices]]\n");
    }
    let mut threshold = 0u64;
    for _ in 0..tiers {
        threshold = threshold.saturating_add(u.int_in_range(1..=300_000)?);
        let counts = [
            "[\"input\"]",
            "[\"input\", \"cache_read\"]",
            "[\"input\", \"cache_read\", \"cache_write\"]",
        ][u.choose_index(3)?];
        let _ = writeln!(
            out,
            "[[models.\"{key}\".prices.long_context]]\nthreshold = {threshold}\ncomparison = \"{}\"\ncounts = {counts}\napplication = \"{}\"",
            [">", ">="][u.choose_index(2)?],
            ["whole_request", "marginal"][u.choose_index(2)?]
        );
        for m in [Meter::InputText, Meter::OutputText, Meter::CacheRead] {
            if let Some(base) = get(standard, m) {
                if u.ratio(2u8, 3u8)? {
                    let up = Decimal::new(u.int_in_range(100..=300)?, 2);
                    let _ = writeln!(
                        out,
                        "{} = \"{}\"",
                        m.key(),
                        base.checked_mul(up).unwrap_or(base)
                    );
                }
            }
        }
        out.push('\n');
    }
    Ok(())
}

struct Generated {
    files: Vec<SourceFile>,
    ids: Vec<String>,
    dates: Vec<Date>,
    levels: Vec<String>,
}

fn generate(u: &mut Unstructured<'_>) -> Result<Generated> {
    let mut out = String::from("[provider]\nid = \"gen\"\nname = \"Gen\"\n");
    if u.ratio(1u8, 5u8)? {
        let unit = if u.ratio(3u8, 4u8)? {
            Decimal::new(1, u.int_in_range(0..=28)?)
        } else {
            edge_decimal(u)?
        };
        let rounding = ["exact", "up_per_request", "carry"][u.choose_index(3)?];
        let _ = writeln!(
            out,
            "billing = {{ unit = \"{unit}\", rounding = \"{rounding}\" }}"
        );
    }
    out.push('\n');
    let mut levels = Vec::new();
    let schemes = u.int_in_range(0..=2)?;
    for i in 0..schemes {
        levels.extend(scheme(u, &mut out, &format!("s{i}"))?);
    }
    let models = u.int_in_range(1..=3)?;
    let mut ids = Vec::new();
    let mut dates = Vec::new();
    for i in 0..models {
        let id = format!("m{i}");
        let _ = writeln!(out, "[models.\"{id}\"]\nname = \"M{i}\"");
        if u.ratio(1u8, 3u8)? {
            let _ = writeln!(out, "aliases = [\"{id}-latest\"]");
            ids.push(format!("{id}-latest"));
        }
        if schemes > 0 && u.ratio(2u8, 3u8)? {
            let _ = writeln!(
                out,
                "image_input = \"s{}\"",
                u.int_in_range(0..=schemes - 1)?
            );
        }
        if u.ratio(1u8, 3u8)? {
            let _ = writeln!(
                out,
                "context_window = {}\nmax_output_tokens = {}",
                param(u, 1_000_000, i64::MAX as u64)?,
                param(u, 128_000, i64::MAX as u64)?
            );
        }
        if u.ratio(1u8, 5u8)? {
            let shutdown = date(u, &[Date::new(2026, 6, 1).expect("a date")])?;
            let _ = writeln!(out, "shutdown = \"{}\"", day(shutdown));
            dates.push(shutdown);
            if models > 1 && u.ratio(1u8, 2u8)? {
                let _ = writeln!(out, "replaced_by = \"m{}\"", (i + 1) % models);
            }
        }
        out.push('\n');
        ids.push(id.clone());
        let mut effective = Date::new(2025, 1, 1).expect("a date");
        let mut standard = Vec::new();
        for e in 0..u.int_in_range(1..=3)? {
            let step = if u.ratio(1u8, 16u8)? {
                u.int_in_range(-3i64..=0)?
            } else {
                u.int_in_range(1i64..=400)?
            };
            effective = Date::from_unix_days(effective.unix_days() + step).unwrap_or(effective);
            dates.push(effective);
            entry(u, &mut out, &id, effective, e == 0, &mut standard)?;
        }
    }
    let mut files = vec![SourceFile::new("gen.toml", out)];
    if u.ratio(1u8, 4u8)? {
        let mut cloud = String::from("[provider]\nid = \"gencloud\"\nname = \"Gen Cloud\"\n\n");
        let _ = writeln!(
            cloud,
            "[[scopes]]\nid = \"global\"\nprefixes = [\"global.\"]\nmultiplier = \"1\"\nsource = \"https://example.com/c\"\nchecked = \"2026-01-01\"\n"
        );
        let _ = writeln!(
            cloud,
            "[[scopes]]\nid = \"geo\"\nprefixes = [\"us.\", \"\"]\nmultiplier = \"{}\"\nsource = \"https://example.com/c\"\nchecked = \"2026-01-01\"\n",
            multiplier(u, 100, 200)?
        );
        for i in 0..models {
            let _ = writeln!(cloud, "[offers.\"gen.m{i}-v1\"]\nmodel = \"m{i}\"");
            if u.ratio(1u8, 3u8)? {
                let _ = writeln!(
                    cloud,
                    "multipliers = {{ geo = \"{}\" }}",
                    multiplier(u, 100, 200)?
                );
            }
            cloud.push('\n');
            ids.push(format!("gen.m{i}-v1"));
            ids.push(format!("global.gen.m{i}-v1"));
            ids.push(format!("us.gen.m{i}-v1"));
        }
        files.push(SourceFile::new("gencloud.toml", cloud));
    }
    Ok(Generated {
        files,
        ids,
        dates,
        levels,
    })
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let g = generate(u)?;
    let loaded = load(&g.files);
    let context = || {
        g.files
            .iter()
            .map(|f| format!("--- {}\n{}", f.name, f.text))
            .collect::<String>()
    };
    for e in &loaded.errors {
        assert!(
            e.location.is_some(),
            "an unlocated error: {e}\n{}",
            context()
        );
    }
    let book = &loaded.book;
    for m in book.models() {
        if let Some((_, s)) = &m.image_scheme {
            let (w, h) = (side(u)?, side(u)?);
            if (1..=MAX_IMAGE_SIDE).contains(&w) && (1..=MAX_IMAGE_SIDE).contains(&h) {
                let t = s
                    .tokens(w, h, None)
                    .unwrap_or_else(|e| panic!("{s:?} at {w}x{h}: {e}\n{}", context()));
                assert!(t <= 100_000_000_000_000_000, "{s:?} at {w}x{h}: {t}");
            }
        }
    }
    let resolutions: Vec<String> = RESOLUTIONS.iter().map(|s| s.to_string()).collect();
    for id in &g.ids {
        for _ in 0..2 {
            let usage = usage(u, &resolutions, &g.levels)?;
            let mut options = EstimateOptions::at(date(u, &g.dates)?).mode(mode(u)?);
            options.residency = u.arbitrary()?;
            let result = book.estimate(id, &usage, options);
            check_estimate(&result, &usage, &|| {
                format!("{options:?} on {id}\n{}", context())
            });
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
