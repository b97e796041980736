//! `ratebook estimate`, `ratebook image-tokens` and `ratebook models`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use ratebook::usage::VideoSeconds;
use ratebook::{
    Estimate, EstimateOptions, ImageCount, InputImage, Mode, Usage, format_count, format_rate,
    format_usd,
};

use crate::books;
use crate::output::{
    CloudOutput, EstimateOutput, ImageTokensOutput, ModelOutput, ModelsOutput, OfferOutput,
    ScopeOutput, usd,
};

#[derive(Args)]
pub struct EstimateArgs {
    /// Model id, alias or dated snapshot id.
    #[arg(long)]
    model: String,
    #[command(flatten)]
    own: books::OwnPrices,
    #[command(flatten)]
    workload: WorkloadArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// One request's usage and how to price it: shared by `estimate` and `compare`.
#[derive(Args)]
pub struct WorkloadArgs {
    /// Price at this date (YYYY-MM-DD); default today.
    #[arg(long)]
    date: Option<String>,
    /// Service mode.
    #[arg(long, default_value = "standard", value_parser = ["standard", "batch", "flex", "priority"])]
    mode: String,
    /// All prompt tokens, INCLUDING cache reads and cache writes.
    #[arg(long, default_value_t = 0)]
    input_tokens: u64,
    /// Of those, tokens read from cache.
    #[arg(long, default_value_t = 0)]
    cached_tokens: u64,
    /// Of the input tokens, tokens written to cache.
    #[arg(long, default_value_t = 0)]
    cache_write_tokens: u64,
    /// Time to live of the cache writes.
    #[arg(long, default_value = "5m", value_parser = ["5m", "1h"])]
    cache_ttl: String,
    /// Cache storage in token-hours.
    #[arg(long, default_value_t = 0)]
    cache_storage_token_hours: u64,
    /// Text output tokens, including reasoning.
    #[arg(long, default_value_t = 0)]
    output_tokens: u64,
    /// Generated images as N@RES (1@1K, 2@4K); repeatable.
    #[arg(long, value_name = "N@RES")]
    output_images: Vec<String>,
    /// Input image WxH[:LEVEL]; its estimated tokens are added as image input. Repeatable.
    #[arg(long = "image", value_name = "WxH[:LEVEL]")]
    images: Vec<String>,
    /// Audio input tokens (in addition to --input-tokens).
    #[arg(long, default_value_t = 0)]
    input_audio_tokens: u64,
    /// Video input tokens (in addition to --input-tokens).
    #[arg(long, default_value_t = 0)]
    input_video_tokens: u64,
    /// Audio output tokens.
    #[arg(long, default_value_t = 0)]
    output_audio_tokens: u64,
    /// Of the cached tokens, those that were image input (models that price them apart).
    #[arg(long, default_value_t = 0)]
    cached_image_tokens: u64,
    /// Input audio billed by duration (transcription), in seconds.
    #[arg(long, default_value_t = 0)]
    audio_seconds: u64,
    /// Input billed by characters (speech), in characters.
    #[arg(long, default_value_t = 0)]
    input_characters: u64,
    /// Generated video billed as tokens (models with an `output_video` token rate).
    #[arg(long, default_value_t = 0)]
    output_video_tokens: u64,
    /// Generated video as SECONDS@RES (8@720p); repeatable.
    #[arg(long, value_name = "SECONDS@RES")]
    output_video: Vec<String>,
    /// Search / grounding calls billed per call.
    #[arg(long, default_value_t = 0)]
    search_calls: u64,
    /// Calls of any per-call fee the card lists, as ID=N (`song=3`); repeatable.
    #[arg(long = "calls", value_name = "ID=N")]
    calls: Vec<String>,
    /// Apply the data-residency uplift.
    #[arg(long)]
    residency: bool,
    /// Price a prompt larger than the model's context window, or output above its maximum
    /// output, instead of failing (for usage that stands for more than one request).
    #[arg(long)]
    allow_over_limits: bool,
}

impl WorkloadArgs {
    pub fn usage(&self) -> Result<Usage> {
        let mut u = Usage {
            input_text: self.input_tokens,
            input_audio: self.input_audio_tokens,
            input_video: self.input_video_tokens,
            cached: self.cached_tokens,
            cache_storage_token_hours: self.cache_storage_token_hours,
            output_text: self.output_tokens,
            output_audio: self.output_audio_tokens,
            cached_image: self.cached_image_tokens,
            input_audio_seconds: self.audio_seconds,
            input_characters: self.input_characters,
            output_video_tokens: self.output_video_tokens,
            ..Usage::default()
        };
        for s in &self.output_video {
            u.output_video
                .push(VideoSeconds::parse(s).with_context(|| "--output-video")?);
        }
        if self.cache_ttl == "1h" {
            u.cache_write_1h = self.cache_write_tokens;
        } else {
            u.cache_write_5m = self.cache_write_tokens;
        }
        for s in &self.output_images {
            u.output_images
                .push(ImageCount::parse(s).with_context(|| "--output-images")?);
        }
        for s in &self.images {
            u.input_images
                .push(InputImage::parse(s).with_context(|| "--image")?);
        }
        if self.search_calls > 0 {
            u.calls.insert("search".into(), self.search_calls);
        }
        for c in &self.calls {
            let Some((id, n)) = c.split_once('=') else {
                bail!("--calls `{c}`: expected ID=N, like song=3");
            };
            let n: u64 = n
                .trim()
                .parse()
                .with_context(|| format!("--calls `{c}`: `{n}` is not a whole number"))?;
            let id = id.trim().to_string();
            let total = u.calls.get(&id).copied().unwrap_or(0).saturating_add(n);
            u.calls.insert(id, total);
        }
        Ok(u)
    }

    pub fn options(&self) -> Result<EstimateOptions> {
        Ok(EstimateOptions {
            date: books::date_or_today(self.date.as_deref())?,
            mode: self.mode.parse::<Mode>()?,
            residency: self.residency,
            allow_over_limits: self.allow_over_limits,
        })
    }
}

pub fn run_estimate(pricing: Option<&Path>, args: EstimateArgs) -> Result<ExitCode> {
    let book = args.own.apply(books::load(pricing)?)?;
    let usage = args.workload.usage()?;
    let options = args.workload.options()?;
    let est = book.estimate(&args.model, &usage, options)?;
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&EstimateOutput::new(&est))?
        );
    } else {
        out!("{}", estimate_table(&est));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct ImageTokensArgs {
    /// Model id, alias or snapshot id.
    #[arg(long)]
    model: String,
    /// Image size, WxH.
    size: String,
    /// Detail level (`low`/`high` for OpenAI tiles, `low`…`ultra_high` for Gemini 3).
    #[arg(long)]
    detail: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn run_image_tokens(pricing: Option<&Path>, args: ImageTokensArgs) -> Result<ExitCode> {
    let book = books::load(pricing)?;
    let model = book.resolve(&args.model)?;
    let img = InputImage::parse(&args.size)?;
    let detail = args.detail.clone().or(img.detail.clone());
    let Some((name, scheme)) = &model.image_scheme else {
        bail!("{} has no image-input token scheme in the book", model.id);
    };
    let tokens = scheme.tokens(img.width, img.height, detail.as_deref())?;
    if args.json {
        let out = ImageTokensOutput {
            model: model.id.clone(),
            width: img.width,
            height: img.height,
            detail,
            scheme: name.clone(),
            tokens,
        };
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        outln!(
            "{}x{}{} on {}: {} tokens ({name})",
            img.width,
            img.height,
            detail.map(|d| format!(" at {d}")).unwrap_or_default(),
            model.id,
            format_count(tokens)
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct ModelsArgs {
    /// Show prices at this date; default today.
    #[arg(long)]
    date: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn run_models(pricing: Option<&Path>, args: ModelsArgs) -> Result<ExitCode> {
    let book = books::load(pricing)?;
    let date = books::date_or_today(args.date.as_deref())?;
    let rate = |r: Option<ratebook::Decimal>| r.map(format_rate).unwrap_or_else(|| "-".into());
    if args.json {
        let models = book
            .models()
            .iter()
            .map(|m| {
                let p = m.price_at(date).ok();
                ModelOutput {
                    id: m.id.clone(),
                    provider: m.provider.clone(),
                    name: m.name.clone(),
                    aliases: m.aliases.clone(),
                    modes: p.map(|p| {
                        p.offered_modes()
                            .iter()
                            .map(|m| m.as_str().to_string())
                            .collect()
                    }),
                    input_usd_per_m: p
                        .and_then(|p| p.rates.get(ratebook::Meter::InputText))
                        .map(|d| d.to_string()),
                    output_usd_per_m: p
                        .and_then(|p| p.rates.get(ratebook::Meter::OutputText))
                        .map(|d| d.to_string()),
                    price_effective: p.map(|p| p.effective),
                    checked: p.map(|p| p.checked),
                    status: m.status(date).as_str().to_string(),
                    deprecated: m.lifecycle.deprecated,
                    shutdown: m.lifecycle.shutdown,
                    replaced_by: m.lifecycle.replaced_by.clone(),
                    snapshots: m.snapshots,
                }
            })
            .collect();
        let clouds = book
            .clouds()
            .iter()
            .map(|c| CloudOutput {
                id: c.provider.clone(),
                name: c.name.clone(),
                scopes: c
                    .scopes
                    .iter()
                    .map(|s| ScopeOutput {
                        id: s.id.clone(),
                        prefixes: s.prefixes.clone(),
                        multiplier: usd(s.multiplier),
                    })
                    .collect(),
                offers: c
                    .offers
                    .iter()
                    .map(|o| OfferOutput {
                        id: o.id.clone(),
                        aliases: o.aliases.clone(),
                        model: o.model.clone(),
                    })
                    .collect(),
            })
            .collect();
        let out = ModelsOutput {
            date,
            models,
            clouds,
        };
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    outln!(
        "{:<36} {:<10} {:<10} {:>10} {:>10} {:>10}  modes",
        "model",
        "provider",
        "status",
        "input/M",
        "cached/M",
        "output/M"
    );
    for m in book.models() {
        let status = match (m.status(date), m.lifecycle.shutdown) {
            (ratebook::book::ModelStatus::Active, _) => "active".to_string(),
            (ratebook::book::ModelStatus::Retired, Some(d)) => format!("retired {d}"),
            (_, Some(d)) => format!("ends {d}"),
            (s, None) => s.as_str().to_string(),
        };
        match m.price_at(date) {
            Ok(p) => {
                let modes: Vec<&str> = p.offered_modes().iter().map(|m| m.as_str()).collect();
                outln!(
                    "{:<36} {:<10} {:<10} {:>10} {:>10} {:>10}  {}",
                    m.id,
                    m.provider,
                    status,
                    rate(p.rates.get(ratebook::Meter::InputText)),
                    rate(p.rates.get(ratebook::Meter::CacheRead)),
                    rate(p.rates.get(ratebook::Meter::OutputText)),
                    modes.join(",")
                );
            }
            Err(_) => outln!(
                "{:<36} {:<10} {:<10} (no price in force on {date})",
                m.id,
                m.provider,
                status
            ),
        }
    }
    for c in book.clouds() {
        let scopes: Vec<String> = c
            .scopes
            .iter()
            .map(|s| format!("{} ×{}", s.id, s.multiplier.normalize()))
            .collect();
        outln!(
            "cloud {} ({}): {} offers; scopes {}",
            c.provider,
            c.name,
            c.offers.len(),
            scopes.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
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
    let own = e.overlays();
    if !own.is_empty() {
        out.push_str(&format!("custom prices in effect: {}\n", own.join("; ")));
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
