//! Exports written from the providers' API references (sources in `docs/billing-exports.md`):
//! - OpenAI: https://platform.openai.com/docs/api-reference/usage/costs (the `Costs object`
//!   and page example of `openai/openai-openapi`'s `openapi.yaml`);
//! - Anthropic: https://platform.claude.com/docs/en/api/admin/cost_report ("Cost amount in
//!   lowest currency units (e.g. cents) as a decimal string");
//! - Google Cloud: https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/standard-usage.
//!
//! Rates are the book's (`pricing/*.toml`), each quoted where it is used.

use super::*;
use crate::bundled;
use crate::ingest::{GroupBy, Ledger};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

/// 2025-11-20T00:00:00Z and the next day, as the Costs API gives bucket starts.
const NOV20: i64 = 1_763_596_800;
const NOV21: i64 = NOV20 + 86_400;

fn openai_page(buckets: &[(i64, &[(&str, &str)])]) -> String {
    let data: Vec<String> = buckets
        .iter()
        .map(|(start, results)| {
            let rs: Vec<String> = results
                .iter()
                .map(|(value, item)| {
                    format!(
                        r#"{{"object":"organization.costs.result","amount":{{"value":{value},"currency":"usd"}},"line_item":{item},"project_id":null}}"#
                    )
                })
                .collect();
            format!(
                r#"{{"object":"bucket","start_time":{start},"end_time":{},"results":[{}]}}"#,
                start.saturating_add(86_400),
                rs.join(",")
            )
        })
        .collect();
    format!(
        r#"{{"object":"page","data":[{}],"has_more":false,"next_page":null}}"#,
        data.join(",")
    )
}

#[test]
fn an_openai_costs_page_reads_per_line_item() {
    let page = openai_page(&[
        (
            NOV20,
            &[
                ("0.0025", r#""gpt-4o-2024-08-06, input""#),
                ("0.002", r#""gpt-4o-2024-08-06, output""#),
                ("0.03", r#""web search tool calls""#),
            ],
        ),
        (NOV21, &[("0.06", "null")]),
    ]);
    let bill = read_bill(&page, None);
    assert_eq!(bill.format, Some(BillFormat::OpenAi));
    assert!(bill.rejected.is_empty(), "{:?}", bill.rejected);
    let got: Vec<(Date, Option<&str>, Decimal, bool)> = bill
        .items
        .iter()
        .map(|i| (i.day, i.model.as_deref(), i.amount, i.tool))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                day("2025-11-20"),
                Some("gpt-4o-2024-08-06"),
                d("0.0025"),
                false
            ),
            (
                day("2025-11-20"),
                Some("gpt-4o-2024-08-06"),
                d("0.002"),
                false
            ),
            (day("2025-11-20"), None, d("0.03"), true),
            (day("2025-11-21"), None, d("0.06"), false),
        ]
    );
    // The number 0.06 is the decimal 0.06, not the f64 nearest it.
    assert_eq!(bill.items[3].amount.to_string(), "0.06");
}

#[test]
fn anthropic_amounts_are_cents() {
    // The reference's own example: "123.45" in "USD" represents $1.23(45).
    let report = r#"{
  "data": [
    {
      "starting_at": "2025-11-20T00:00:00Z",
      "ending_at": "2025-11-21T00:00:00Z",
      "results": [
        {"currency": "USD", "amount": "123.45", "workspace_id": null, "description": "Claude Sonnet 4.5 Usage - Input Tokens, Batch", "cost_type": "tokens", "context_window": "0-200k", "model": "claude-sonnet-4-5-20250929", "service_tier": "batch", "token_type": "uncached_input_tokens"},
        {"currency": "USD", "amount": "50", "workspace_id": null, "description": "Web Search Usage", "cost_type": "web_search", "context_window": null, "model": null, "service_tier": null, "token_type": null},
        {"currency": "USD", "amount": "600", "workspace_id": null, "description": null, "cost_type": "tokens", "context_window": "200k-1M", "model": "claude-sonnet-4-5", "service_tier": "standard", "token_type": "cache_creation.ephemeral_1h_input_tokens", "inference_geo": "us"}
      ]
    }
  ],
  "has_more": false,
  "next_page": null
}"#;
    let bill = read_bill(report, None);
    assert_eq!(bill.format, Some(BillFormat::Anthropic));
    assert!(bill.rejected.is_empty(), "{:?}", bill.rejected);
    let [a, b, c] = &bill.items[..] else {
        panic!("{:?}", bill.items)
    };
    assert_eq!((a.amount, a.batch, a.line), (d("1.2345"), true, 7));
    assert_eq!(a.model.as_deref(), Some("claude-sonnet-4-5-20250929"));
    assert_eq!(
        (b.amount, b.tool, b.model.as_deref()),
        (d("0.5"), true, None)
    );
    assert_eq!(b.description, "Web Search Usage");
    assert_eq!(
        (c.amount, c.long_context, c.cache_1h, c.region.as_deref()),
        (d("6"), true, true, Some("us"))
    );
    assert_eq!(c.description, "cache_creation.ephemeral_1h_input_tokens");
}

#[test]
fn a_malformed_page_line_is_located_and_the_rest_still_reads() {
    let good = openai_page(&[(NOV20, &[("0.5", r#""gpt-4o-2024-08-06, input""#)])]);
    let text =
        format!("{good}\n{{\"object\":\"page\",\"data\":[{{\"start_time\": oops}}]}}\n{good}\n");
    let bill = read_bill(&text, None);
    assert_eq!(bill.items.len(), 2);
    assert_eq!(bill.items[1].line, 3);
    assert_eq!(bill.rejected.len(), 1);
    assert_eq!(
        (bill.rejected[0].line, bill.rejected[0].kind),
        (2, BillReject::Json)
    );

    // One result of a pretty-printed page with an amount that is no number: that result is
    // rejected at its own line, its neighbours count.
    let text = "[\n  {\"data\": [{\"start_time\": 1763596800, \"results\": [\n    {\"amount\": {\"value\": 0.5, \"currency\": \"usd\"}, \"line_item\": \"gpt-4o-2024-08-06, input\"},\n    {\"amount\": {\"value\": \"half\", \"currency\": \"usd\"}, \"line_item\": \"gpt-4o-2024-08-06, output\"},\n    {\"amount\": {\"value\": 1, \"currency\": \"eur\"}},\n    {\"amount\": {\"value\": 0.25, \"currency\": \"usd\"}, \"line_item\": \"gpt-4o-2024-08-06, output\"}\n  ]}]}\n]\n";
    let bill = read_bill(text, None);
    let amounts: Vec<Decimal> = bill.items.iter().map(|i| i.amount).collect();
    assert_eq!(amounts, vec![d("0.5"), d("0.25")]);
    let rejected: Vec<(u64, BillReject)> = bill.rejected.iter().map(|r| (r.line, r.kind)).collect();
    assert_eq!(
        rejected,
        vec![(4, BillReject::Shape), (5, BillReject::Currency)]
    );
}

#[test]
fn usage_reports_and_errors_are_not_bills() {
    let usage = r#"{"object":"page","data":[{"object":"bucket","start_time":1763596800,"end_time":1763683200,"results":[{"object":"organization.usage.completions.result","input_tokens":1000,"output_tokens":200,"num_model_requests":1},{"object":"organization.usage.completions.result","input_tokens":5,"output_tokens":5,"num_model_requests":1}]}],"has_more":false,"next_page":null}"#;
    let bill = read_bill(usage, None);
    assert!(bill.items.is_empty());
    assert_eq!(
        bill.rejected.len(),
        1,
        "one rejection per bucket, not per result"
    );
    assert_eq!(bill.rejected[0].kind, BillReject::NotABill);

    let anthropic_usage = r#"{"data":[{"starting_at":"2025-11-20T00:00:00Z","ending_at":"2025-11-21T00:00:00Z","results":[{"uncached_input_tokens":1500,"cache_read_input_tokens":0,"output_tokens":500,"model":"claude-sonnet-4-5"}]}],"has_more":false,"next_page":null}"#;
    assert_eq!(
        read_bill(anthropic_usage, None).rejected[0].kind,
        BillReject::NotABill
    );
    let error = r#"{"error":{"message":"Invalid API key","type":"invalid_request_error"}}"#;
    assert_eq!(
        read_bill(error, None).rejected[0].kind,
        BillReject::NotABill
    );
    // Nothing at all, and hostile text: no panic, nothing billed.
    for text in [
        "",
        "\n\n",
        "[",
        "{\"data\":[{\"starting_at\":\"x\"",
        "\"\u{0}\"",
        "a,b\n\"",
        "{}{}]]",
    ] {
        let bill = read_bill(text, None);
        assert!(bill.items.is_empty(), "{text:?}");
    }
}

/// Standard usage cost columns as a query selects them (BigQuery's CSV has no nested
/// columns), with the names the schema gives.
const GCP: &str = "\
billing_account_id,service.description,sku.id,sku.description,usage_start_time,usage_end_time,location.region,cost,currency,usage.amount,usage.unit,cost_type
01ABCD-234567-89EFGH,Vertex AI,A1B2-C3D4-E5F6,Gemini 2.5 Flash Input Text,2025-11-20 07:00:00 UTC,2025-11-20 08:00:00 UTC,global,0.0003,USD,1000,count,regular
01ABCD-234567-89EFGH,Vertex AI,A1B2-C3D4-E5F7,\"Gemini 2.5 Flash Output Text, thinking included\",2025-11-20 07:00:00 UTC,2025-11-20 08:00:00 UTC,global,0.0005,USD,200,count,regular
01ABCD-234567-89EFGH,Cloud Storage,0000-1111-2222,Standard Storage US Multi-region,2025-11-20 07:00:00 UTC,2025-11-20 08:00:00 UTC,us,1.20,USD,4,gibibyte month,regular
01ABCD-234567-89EFGH,Vertex AI,A1B2-C3D4-E5F8,Gemini 2.5 Flash Input Text,2025-11-21 07:00:00 UTC,2025-11-21 08:00:00 UTC,global,n/a,USD,1000,count,regular
01ABCD-234567-89EFGH,Vertex AI,A1B2-C3D4-E5F9,Grounding with Google Search,2025-11-21 07:00:00 UTC,2025-11-21 08:00:00 UTC,global,0.035,USD,1,count,regular
01ABCD-234567-89EFGH,Vertex AI,A1B2-C3D4-E5FA,Vector Search Index Serving,2025-11-21 07:00:00 UTC,2025-11-21 08:00:00 UTC,us-central1,0.02,USD,1,count,regular
";

#[test]
fn a_gcp_billing_export_reads_its_vertex_rows() {
    let bill = read_bill(GCP, None);
    assert_eq!(bill.format, Some(BillFormat::Gcp));
    let got: Vec<(u64, Date, &str, Decimal)> = bill
        .items
        .iter()
        .map(|i| (i.line, i.day, i.description.as_str(), i.amount))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                2,
                day("2025-11-20"),
                "Gemini 2.5 Flash Input Text",
                d("0.0003")
            ),
            (
                3,
                day("2025-11-20"),
                "Gemini 2.5 Flash Output Text, thinking included",
                d("0.0005")
            ),
            (
                6,
                day("2025-11-21"),
                "Grounding with Google Search",
                d("0.035")
            ),
            (
                7,
                day("2025-11-21"),
                "Vector Search Index Serving",
                d("0.02")
            ),
        ]
    );
    assert!(bill.items[2].tool);
    assert_eq!(bill.items[3].region.as_deref(), Some("us-central1"));
    assert_eq!((bill.skipped, bill.skipped_amount), (1, d("1.20")));
    assert_eq!(bill.rejected.len(), 1);
    assert_eq!(
        (bill.rejected[0].line, bill.rejected[0].kind),
        (5, BillReject::Amount)
    );
    // A row with a field too many is rejected at its line; a CSV without the columns is not
    // an export.
    let short =
        "usage_start_time,sku.description,cost\n2025-11-20,Gemini 2.5 Flash Input Text,0.1,extra\n";
    assert_eq!(read_bill(short, None).rejected[0].kind, BillReject::Csv);
    let other = "date,amount\n2025-11-20,1\n";
    assert_eq!(
        read_bill(other, None).rejected[0].kind,
        BillReject::NotABill
    );
}

#[test]
fn skus_name_the_book_s_models() {
    let book = bundled::book();
    let m = |s: &str| model_in_description(&book, s);
    assert_eq!(
        m("Gemini 2.5 Flash Input Text").as_deref(),
        Some("gemini-2.5-flash")
    );
    // The longest name wins: Flash-Lite is not Flash.
    assert_eq!(
        m("Gemini 2.5 Flash Lite Output Text").as_deref(),
        Some("gemini-2.5-flash-lite")
    );
    assert_eq!(m("Grounding with Google Search"), None);
    assert!(same_model(
        "anthropic/claude-future-9-20990101",
        "claude-future-9"
    ));
    assert!(!same_model("gpt-4", "gpt-40"));
}

fn ledger_of(book: &RateBook, lines: &[&str]) -> Summary {
    let mut l = Ledger::new(book, day("2025-11-20"))
        .group_by(GroupBy::Day)
        .group_by(GroupBy::Model)
        .group_by(GroupBy::Mode);
    for line in lines {
        let _ = l.add_line(line);
    }
    l.summary().unwrap()
}

/// A row as compared: day, model, computed, billed, gap (exact strings), causes.
type RowView<'a> = (String, &'a str, String, String, String, Vec<Cause>);

#[test]
fn gaps_get_the_causes_their_evidence_names() {
    let book = bundled::book();
    let summary = ledger_of(
        &book,
        &[
            // gpt-4o-2024-08-06 at $2.50/M input, $10.00/M output (openai.toml):
            // 1,000 × 2.50/M + 200 × 10/M = $0.0025 + $0.002 = $0.0045.
            r#"{"object":"chat.completion","created":1763600400,"model":"gpt-4o-2024-08-06","usage":{"prompt_tokens":1000,"completion_tokens":200}}"#,
            // A model the book does not have: rejected, counted by day and id.
            r#"{"object":"chat.completion","created":1763600400,"model":"gpt-9-turbo","usage":{"prompt_tokens":1000,"completion_tokens":200}}"#,
            // claude-sonnet-4-5 standard at $3/M input, $15/M output (anthropic.toml):
            // 10,000 × 3/M + 1,000 × 15/M = $0.03 + $0.015 = $0.045.
            r#"{"type":"message","model":"claude-sonnet-4-5-20250929","usage":{"input_tokens":10000,"output_tokens":1000}}"#,
        ],
    );
    assert_eq!(summary.total, d("0.0495"));
    let openai = read_bill(
        &openai_page(&[
            (
                NOV20,
                &[
                    ("0.0025", r#""gpt-4o-2024-08-06, input""#),
                    ("0.002", r#""gpt-4o-2024-08-06, output""#),
                    ("0.05", r#""gpt-9-turbo, input""#),
                ],
            ),
            (NOV21, &[("0.01", r#""gpt-4o-2024-08-06, input""#)]),
        ]),
        None,
    );
    // Billed at the batch tier, half the standard rates: 1.5 + 0.75 cents = $0.0225.
    let anthropic = read_bill(
        r#"{"data":[{"starting_at":"2025-11-20T00:00:00Z","ending_at":"2025-11-21T00:00:00Z","results":[
{"currency":"USD","amount":"1.5","cost_type":"tokens","model":"claude-sonnet-4-5-20250929","service_tier":"batch","token_type":"uncached_input_tokens"},
{"currency":"USD","amount":"0.75","cost_type":"tokens","model":"claude-sonnet-4-5-20250929","service_tier":"batch","token_type":"output_tokens"},
{"currency":"USD","amount":"1","cost_type":"web_search","model":null}]}],"has_more":false,"next_page":null}"#,
        None,
    );
    let r = reconcile(&book, &summary, &[openai, anthropic], Decimal::ZERO).unwrap();
    let rows: Vec<RowView<'_>> = r
        .rows
        .iter()
        .map(|x| {
            (
                x.day.to_string(),
                x.model.as_str(),
                x.computed.normalize().to_string(),
                x.billed.normalize().to_string(),
                x.gap().normalize().to_string(),
                x.causes.clone(),
            )
        })
        .collect();
    let row = |day: &str, model: &'static str, c: &str, b: &str, g: &str, causes: Vec<Cause>| {
        (
            day.to_string(),
            model,
            c.to_string(),
            b.to_string(),
            g.to_string(),
            causes,
        )
    };
    assert_eq!(
        rows,
        vec![
            row(
                "2025-11-20",
                "claude-sonnet-4-5",
                "0.045",
                "0.0225",
                "-0.0225",
                vec![Cause::Tier]
            ),
            row(
                "2025-11-20",
                "gpt-4o-2024-08-06",
                "0.0045",
                "0.0045",
                "0",
                vec![]
            ),
            row(
                "2025-11-20",
                "gpt-9-turbo",
                "0",
                "0.05",
                "0.05",
                vec![Cause::UnpricedModel]
            ),
            row(
                "2025-11-21",
                "gpt-4o-2024-08-06",
                "0",
                "0.01",
                "0.01",
                vec![Cause::MissingFromLogs]
            ),
        ]
    );
    // The web search fee names no model: unmatched, as a tool fee.
    assert_eq!(r.unmatched.len(), 1);
    assert_eq!(
        (
            r.unmatched[0].billed,
            r.unmatched[0].cause,
            r.unmatched[0].bill
        ),
        (d("0.01"), Some(Cause::ToolFees), 1)
    );
    // 0.0045 + 0.05 + 0.01 + 0.0225 + 0.01 = 0.097 billed; 0.0495 computed.
    assert_eq!(
        (r.computed, r.billed, r.gap()),
        (d("0.0495"), d("0.097"), d("0.0475"))
    );
    // Within a tolerance of a cent, small gaps name nothing.
    let r = reconcile(&book, &summary, &[], d("0.05")).unwrap();
    assert!(r.rows.iter().all(|x| x.causes.is_empty()));
}

#[test]
fn one_hour_cache_writes_against_assumed_five_minutes() {
    let book = bundled::book();
    // 1,000 cache-write tokens without the TTL split: five minutes assumed, at $3.75/M
    // (claude-sonnet-4-5): $0.00375. Billed as one-hour writes at $6/M: $0.006 = 0.6 cents.
    let summary = ledger_of(
        &book,
        &[
            r#"{"type":"message","model":"claude-sonnet-4-5","usage":{"input_tokens":0,"cache_creation_input_tokens":1000,"output_tokens":0}}"#,
        ],
    );
    assert_eq!(summary.total, d("0.00375"));
    let bill = read_bill(
        r#"{"data":[{"starting_at":"2025-11-20T00:00:00Z","results":[{"currency":"USD","amount":"0.6","cost_type":"tokens","model":"claude-sonnet-4-5","service_tier":"standard","token_type":"cache_creation.ephemeral_1h_input_tokens"}]}]}"#,
        None,
    );
    let r = reconcile(&book, &summary, &[bill], Decimal::ZERO).unwrap();
    assert_eq!(r.rows.len(), 1);
    assert_eq!(
        (r.rows[0].gap(), &r.rows[0].causes[..]),
        (d("0.00225"), &[Cause::CacheTtl][..])
    );
}

#[test]
fn gcp_rows_reconcile_by_the_model_their_sku_names() {
    let book = bundled::book();
    // gemini-2.5-flash at $0.30/M input, $2.50/M output (google.toml):
    // 1,000 × 0.30/M + 200 × 2.50/M = $0.0003 + $0.0005 = $0.0008.
    let summary = ledger_of(
        &book,
        &[
            r#"{"usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":200,"totalTokenCount":1200},"modelVersion":"gemini-2.5-flash","createTime":"2025-11-20T07:10:00Z"}"#,
        ],
    );
    assert_eq!(summary.total, d("0.0008"));
    let r = reconcile(&book, &summary, &[read_bill(GCP, None)], Decimal::ZERO).unwrap();
    assert_eq!(r.rows.len(), 1);
    assert_eq!(
        (r.rows[0].model.as_str(), r.rows[0].gap()),
        ("gemini-2.5-flash", Decimal::ZERO)
    );
    let unmatched: Vec<(&str, Option<Cause>)> = r
        .unmatched
        .iter()
        .map(|u| (u.description.as_str(), u.cause))
        .collect();
    assert_eq!(
        unmatched,
        vec![
            ("Grounding with Google Search", Some(Cause::ToolFees)),
            ("Vector Search Index Serving", None)
        ]
    );
}
