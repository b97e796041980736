//! `ratebook scenario`: a workload priced per day and per month, with batching, caching and
//! escalation, its cost per accepted result, and a comparison across models.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use ratebook::scenario::{self, CompareSet, ScenarioCost, ScenarioSpec, Share, parse_share};
use ratebook::{Decimal, format_count, format_usd};

use crate::books;
use crate::output::{
    CannotRun, ScenarioBaseline, ScenarioComparison, ScenarioCostOutput, ScenarioInput,
    ScenarioOutput, ScenarioPart,
};

const AFTER_HELP: &str = "\
Fractions (--cached-share, --batch-share, --pass-rate, --fallback-pass-rate) are exact decimals
from 0 to 1 (0.25) or percentages (25%).

Escalation: the primary's output passes validation with probability --pass-rate; a failed one is
retried on the same model up to --max-retries times (default 0), each attempt passing with
--pass-rate, and after the last failure sent once to --fallback-model (same request, same batch
and cache shares), which passes with --fallback-pass-rate (default 1). Every call is paid. With p
the pass rate, q the fallback's and n the retries, per task:
  expected attempts of the primary  a = 1 + (1-p) + (1-p)^2 + ... + (1-p)^n
  all of them failed                f = (1-p)^(n+1)
  cost per task                     a x primary + f x fallback
  accepted share                    (1 - f) + f x q
  expected_attempts                 a + f (with a fallback), else a

Every amount is an exact decimal. cost_per_accepted_usd = daily_usd / accepted_per_day is the one
quotient: it is rounded half to even to the decimal type's precision (at most 28 digits after the
point), e.g. 3.55 / 9800 = 0.0003622448979591836734693878. The baseline
is the same requests all standard, uncached and without escalation; saving_usd is baseline minus
scenario over --days (negative when escalation costs more than batching and caching save).

--file reads the same fields from TOML (snake_case: requests_per_day, cached_share = \"0.5\", …,
compare = \"all\"); flags given on the command line override the file.

--compare ID,ID,…|all runs the scenario with each model as the primary and ranks them by cost per
accepted result; models that cannot run it (no batch mode, no cache rate, no image output, no price
at the date) are listed with the reason.";

fn share(s: &str) -> Result<Share, String> {
    parse_share(s).map(Share).map_err(|e| e.message)
}

#[derive(Args)]
#[command(after_long_help = AFTER_HELP)]
pub struct ScenarioArgs {
    #[command(flatten)]
    own: books::OwnPrices,
    /// Model id, alias or snapshot id of the primary model.
    #[arg(long)]
    model: Option<String>,
    /// Requests a day.
    #[arg(long, value_name = "N")]
    requests_per_day: Option<u64>,
    /// Input tokens per request.
    #[arg(long, value_name = "N")]
    input_tokens: Option<u64>,
    /// Text output tokens per request (reasoning included).
    #[arg(long, value_name = "N")]
    output_tokens: Option<u64>,
    /// Generated images per request, as N@RES (1@1K); repeatable.
    #[arg(long, value_name = "N@RES")]
    output_images: Vec<String>,
    /// Fraction of each request's input tokens read from cache.
    #[arg(long, value_name = "F", value_parser = share)]
    cached_share: Option<Share>,
    /// Fraction of requests sent through batch mode (the rest standard).
    #[arg(long, value_name = "F", value_parser = share)]
    batch_share: Option<Share>,
    /// Days in the month for monthly_usd (default 30).
    #[arg(long, value_name = "N")]
    days: Option<u32>,
    /// Model a failed output is escalated to (needs --pass-rate).
    #[arg(long, value_name = "ID")]
    fallback_model: Option<String>,
    /// Probability that the primary's output passes validation (default 1).
    #[arg(long, value_name = "F", value_parser = share)]
    pass_rate: Option<Share>,
    /// Retries of a failed output on the primary before escalating (default 0; needs
    /// --pass-rate).
    #[arg(long, value_name = "N")]
    max_retries: Option<u32>,
    /// Probability that the fallback's output passes (default 1).
    #[arg(long, value_name = "F", value_parser = share)]
    fallback_pass_rate: Option<Share>,
    /// Price at this date (YYYY-MM-DD); default today.
    #[arg(long)]
    date: Option<String>,
    /// Read the scenario from a TOML file; flags override its fields.
    #[arg(long, value_name = "SCENARIO.toml")]
    file: Option<PathBuf>,
    /// Run the scenario on each of these models (comma-separated) or `all`, ranked by cost per
    /// accepted result.
    #[arg(long, value_name = "ID,ID,...|all")]
    compare: Option<String>,
    /// Print JSON (exact decimal strings for money).
    #[arg(long)]
    json: bool,
}

impl ScenarioArgs {
    fn spec(&self) -> ScenarioSpec {
        ScenarioSpec {
            model: self.model.clone(),
            requests_per_day: self.requests_per_day,
            input_tokens: self.input_tokens,
            output_tokens: self.output_tokens,
            output_images: (!self.output_images.is_empty()).then(|| self.output_images.clone()),
            cached_share: self.cached_share,
            batch_share: self.batch_share,
            days: self.days,
            pass_rate: self.pass_rate,
            max_retries: self.max_retries,
            fallback_model: self.fallback_model.clone(),
            fallback_pass_rate: self.fallback_pass_rate,
            date: self.date.clone(),
            compare: self.compare.as_deref().map(CompareSet::parse),
        }
    }
}

fn usd(d: Decimal) -> String {
    crate::output::usd(d)
}

fn cost_output(c: &ScenarioCost) -> ScenarioCostOutput {
    ScenarioCostOutput {
        rank: None,
        model: c.model.clone(),
        provider: c.provider.clone(),
        fallback_model: c.fallback_model.clone(),
        date: c.date,
        requests_per_day: c.requests_per_day,
        days: c.days,
        per_request_usd: usd(c.per_request),
        daily_usd: usd(c.daily),
        monthly_usd: usd(c.monthly),
        accepted_per_day: usd(c.accepted_per_day),
        expected_attempts: usd(c.expected_attempts),
        accepted_share: usd(c.accepted_share),
        cost_per_accepted_usd: c.cost_per_accepted.map(usd),
        baseline: ScenarioBaseline {
            per_request_usd: usd(c.baseline.per_request),
            daily_usd: usd(c.baseline.daily),
            monthly_usd: usd(c.baseline.monthly),
            cost_per_accepted_usd: c.baseline.cost_per_accepted.map(usd),
        },
        saving_usd: usd(c.saving_monthly),
        saving_daily_usd: usd(c.saving_daily),
        saving_monthly_usd: usd(c.saving_monthly),
        parts: c
            .parts
            .iter()
            .map(|p| ScenarioPart {
                role: p.role.as_str().to_string(),
                model: p.model.clone(),
                mode: p.mode.as_str().to_string(),
                cached: p.cached,
                weight: usd(p.weight),
                request_usd: usd(p.request_cost),
                daily_usd: usd(p.daily),
            })
            .collect(),
        scenario: None,
    }
}

fn scenario_input(s: &scenario::Scenario) -> ScenarioInput {
    ScenarioInput {
        requests_per_day: s.requests_per_day,
        input_tokens: s.input_tokens,
        output_tokens: s.output_tokens,
        output_images: s.output_images.iter().map(|i| i.to_string()).collect(),
        cached_share: usd(s.cached_share),
        batch_share: usd(s.batch_share),
        pass_rate: usd(s.pass_rate),
        max_retries: s.max_retries,
        fallback_model: s.fallback.as_ref().map(|f| f.model.clone()),
        fallback_pass_rate: s.fallback.as_ref().map(|f| usd(f.pass_rate)),
        days: s.days,
        date: s.date,
    }
}

fn per_accepted(c: Option<Decimal>) -> String {
    c.map(format_usd)
        .unwrap_or_else(|| "n/a (nothing accepted)".into())
}

fn cost_table(c: &ScenarioCost) -> String {
    let mut out = format!(
        "{} ({}) · {} requests/day · priced at {}\n\n",
        c.model,
        c.provider,
        format_count(c.requests_per_day),
        c.date
    );
    for p in &c.parts {
        out.push_str(&format!(
            "  {:<8} {:<24} {:<8} {:<8} × {:<10} {:>12}/request {:>12}/day\n",
            p.role.as_str(),
            p.model,
            p.mode.as_str(),
            if p.cached { "cached" } else { "uncached" },
            p.weight.normalize(),
            format_usd(p.request_cost),
            format_usd(p.daily)
        ));
    }
    out.push_str(&format!(
        "\n  daily:   {}   (exact: {})\n  monthly: {} over {} days   (exact: {})\n",
        format_usd(c.daily),
        usd(c.daily),
        format_usd(c.monthly),
        c.days,
        usd(c.monthly)
    ));
    out.push_str(&format!(
        "  per task: {} over {} expected call(s); {}% of tasks accepted\n",
        format_usd(c.per_request),
        usd(c.expected_attempts),
        usd(c.accepted_share * Decimal::ONE_HUNDRED)
    ));
    out.push_str(&format!(
        "  accepted results a day: {} → cost per accepted result {}\n",
        usd(c.accepted_per_day),
        per_accepted(c.cost_per_accepted)
    ));
    out.push_str(&format!(
        "  baseline (all standard, no cache, no escalation): {}/day, {}/month, {} per accepted result\n",
        format_usd(c.baseline.daily),
        format_usd(c.baseline.monthly),
        per_accepted(c.baseline.cost_per_accepted)
    ));
    out.push_str(&format!(
        "  saving: {}/day, {} over {} days\n",
        format_usd(c.saving_daily),
        format_usd(c.saving_monthly),
        c.days
    ));
    out
}

fn load_spec(path: &Path) -> Result<ScenarioSpec> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(ScenarioSpec::from_toml(&path.display().to_string(), &text)?)
}

pub fn run(pricing: Option<&Path>, args: ScenarioArgs) -> Result<ExitCode> {
    let book = args.own.apply(books::load(pricing)?)?;
    let mut spec = match &args.file {
        Some(p) => load_spec(p)?,
        None => ScenarioSpec::default(),
    };
    spec = spec.overlay(args.spec());
    let s = spec.build(books::today())?;

    let Some(set) = &spec.compare else {
        let cost = scenario::run(&book, &s)?;
        if args.json {
            let out = ScenarioOutput::Run(ScenarioCostOutput {
                scenario: Some(scenario_input(&s)),
                ..cost_output(&cost)
            });
            outln!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            out!("{}", cost_table(&cost));
        }
        return Ok(ExitCode::SUCCESS);
    };

    let mut models = Vec::new();
    if let Some(m) = &spec.model {
        models.push(m.clone());
    }
    models.extend(set.models(&book));
    let cmp = scenario::compare(&book, &s, &models);
    if args.json {
        let out = ScenarioOutput::Compare(ScenarioComparison {
            scenario: scenario_input(&s),
            ranked: cmp
                .ranked
                .iter()
                .enumerate()
                .map(|(i, c)| ScenarioCostOutput {
                    rank: Some(i + 1),
                    ..cost_output(c)
                })
                .collect(),
            cannot_run: cmp
                .cannot_run
                .iter()
                .map(|(m, e)| CannotRun {
                    model: m.clone(),
                    reason: e.to_string(),
                })
                .collect(),
        });
        outln!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        outln!(
            "{} requests/day of {} input and {} output tokens, ranked by cost per accepted result ({})\n",
            format_count(s.requests_per_day),
            format_count(s.input_tokens),
            format_count(s.output_tokens),
            s.date
        );
        outln!(
            "{:>4}  {:<28} {:>14} {:>14} {:>16}",
            "rank",
            "model",
            "daily",
            "monthly",
            "per accepted"
        );
        for (i, c) in cmp.ranked.iter().enumerate() {
            outln!(
                "{:>4}  {:<28} {:>14} {:>14} {:>16}",
                i + 1,
                c.model,
                format_usd(c.daily),
                format_usd(c.monthly),
                per_accepted(c.cost_per_accepted)
            );
        }
        if !cmp.cannot_run.is_empty() {
            outln!("\ncannot run this scenario:");
            for (m, e) in &cmp.cannot_run {
                outln!("  {m}: {e}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
