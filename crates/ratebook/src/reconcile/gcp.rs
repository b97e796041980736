//! Google Cloud's billing export (the standard usage cost table exported to BigQuery) as CSV:
//! one row per service, SKU, project and hour, with `sku.description` naming the model on
//! Vertex AI and Gemini API SKUs.
//!
//! BigQuery cannot write nested columns to CSV, so a CSV of the table is a query's result, its
//! columns named as the query selected them: `sku.description`, `sku_description` or
//! `sku__description` are one column here (dots and underscores are the same, case ignored).
//! Read: `usage_start_time`, `sku.description`, `cost` (required); `service.description`,
//! `currency`, `location.region` and `cost_type` when present. Rows of other services are
//! skipped (counted), as are `cost_type` rows other than `regular` (tax, adjustments).

use rust_decimal::Decimal;

use super::{Bill, BillReject, BilledItem};
use crate::ingest::parse_timestamp;

/// One CSV record: the line it starts on and its fields.
type Record = (u64, Vec<String>);

/// Splits `text` into RFC 4180 records: fields separated by commas, quoted with `"` (a quote
/// doubled inside), quoted fields may hold commas and newlines; `\r\n` or `\n` ends a record.
/// A quote left open swallows the rest of the text: that is an error at its record's line.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "`i + 1` is a byte cursor below `bytes.len()`; the line count is at most the \
              number of bytes"
)]
fn records(text: &str) -> (Vec<Record>, Option<u64>) {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut line = 1u64;
    let mut start_line = 1u64;
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut in_record = false;
    let mut i = 0;
    // Fields are cut at ASCII bytes, so every slice is on a character boundary.
    let mut run_start = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if quoted {
            if b == b'"' {
                field.push_str(&text[run_start..i]);
                if bytes.get(i + 1) == Some(&b'"') {
                    field.push('"');
                    i += 2;
                    run_start = i;
                    continue;
                }
                quoted = false;
                i += 1;
                run_start = i;
                continue;
            }
            if b == b'\n' {
                line += 1;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                field.push_str(&text[run_start..i]);
                quoted = true;
                in_record = true;
                i += 1;
                run_start = i;
            }
            b',' => {
                field.push_str(&text[run_start..i]);
                fields.push(std::mem::take(&mut field));
                in_record = true;
                i += 1;
                run_start = i;
            }
            b'\n' => {
                let end = if i > run_start && bytes[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                };
                field.push_str(&text[run_start..end]);
                if in_record || !field.is_empty() {
                    fields.push(std::mem::take(&mut field));
                    out.push((start_line, std::mem::take(&mut fields)));
                }
                field.clear();
                in_record = false;
                line += 1;
                start_line = line;
                i += 1;
                run_start = i;
            }
            _ => {
                in_record = true;
                i += 1;
            }
        }
    }
    if quoted {
        return (out, Some(start_line));
    }
    field.push_str(text[run_start..].trim_end_matches('\r'));
    if in_record || !field.is_empty() {
        fields.push(field);
        out.push((start_line, fields));
    }
    (out, None)
}

/// A column name as compared: lower case, dots as underscores, doubled underscores single.
fn column(name: &str) -> String {
    let mut s = name
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase();
    s = s.replace('.', "_");
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    s
}

/// Whether a service's rows are LLM API charges.
fn ai_service(service: &str) -> bool {
    let s = service.to_ascii_lowercase();
    ["vertex ai", "gemini", "generative language"]
        .iter()
        .any(|w| s.contains(w))
}

/// Reads the CSV billing export `text` into `bill`.
pub(super) fn read(text: &str, bill: &mut Bill) {
    let (rows, open_quote) = records(text);
    let mut rows = rows.into_iter();
    let Some((header_line, header)) = rows.next() else {
        return;
    };
    let names: Vec<String> = header.iter().map(|h| column(h)).collect();
    let find = |want: &[&str]| names.iter().position(|n| want.contains(&n.as_str()));
    let (Some(sku), Some(start), Some(cost)) = (
        find(&["sku_description", "sku"]),
        find(&["usage_start_time"]),
        find(&["cost"]),
    ) else {
        bill.reject(
            header_line,
            BillReject::NotABill,
            "not a billing export: the header needs usage_start_time, sku.description and cost"
                .into(),
        );
        return;
    };
    let service = find(&["service_description", "service"]);
    let currency = find(&["currency"]);
    let region = find(&["location_region", "region"]);
    let cost_type = find(&["cost_type"]);
    for (line, fields) in rows {
        if fields.len() != names.len() {
            bill.reject(
                line,
                BillReject::Csv,
                format!(
                    "{} fields where the header has {}",
                    fields.len(),
                    names.len()
                ),
            );
            continue;
        }
        let get = |i: Option<usize>| i.map(|i| fields[i].trim()).filter(|s| !s.is_empty());
        let amount = match Decimal::from_str_exact(fields[cost].trim()) {
            Ok(d) => d.normalize(),
            Err(_) => {
                bill.reject(
                    line,
                    BillReject::Amount,
                    format!("cost `{}` is not a decimal amount", fields[cost].trim()),
                );
                continue;
            }
        };
        let skip = get(service).is_some_and(|s| !ai_service(s))
            || get(cost_type).is_some_and(|t| !t.eq_ignore_ascii_case("regular"));
        if skip {
            bill.skip(amount);
            continue;
        }
        let Some(day) = parse_timestamp(fields[start].trim().trim_end_matches(" UTC")) else {
            bill.reject(
                line,
                BillReject::Date,
                format!(
                    "usage_start_time `{}` is not a date-time",
                    fields[start].trim()
                ),
            );
            continue;
        };
        if let Some(c) = get(currency).filter(|c| !c.eq_ignore_ascii_case("usd")) {
            bill.reject(
                line,
                BillReject::Currency,
                format!("cost in {c}: only USD is compared (the book's rates are in USD)"),
            );
            continue;
        }
        let description = fields[sku].trim().to_string();
        let lower = description.to_ascii_lowercase();
        let mut item = BilledItem::new(day, amount);
        item.line = line;
        item.tool = ["grounding", "google search", "web search", "code execution"]
            .iter()
            .any(|w| lower.contains(w));
        item.batch = lower.contains("batch");
        item.long_context = lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == "long")
            || lower.contains(">200k")
            || lower.contains("> 200k");
        item.region = get(region)
            .filter(|r| !r.eq_ignore_ascii_case("global"))
            .map(str::to_string);
        item.description = description;
        bill.items.push(item);
    }
    if let Some(line) = open_quote {
        bill.reject(
            line,
            BillReject::Csv,
            "a quoted field is never closed (the rest of the file is unread)".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_hold_commas_quotes_and_newlines() {
        let text = "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",z\n\n3,,\n";
        let (rows, open) = records(text);
        assert_eq!(open, None);
        let want: Vec<Record> = vec![
            (1, vec!["a".into(), "b".into(), "c".into()]),
            (2, vec!["1".into(), "x, y".into(), "say \"hi\"".into()]),
            (3, vec!["2".into(), "two\nlines".into(), "z".into()]),
            (6, vec!["3".into(), "".into(), "".into()]),
        ];
        assert_eq!(rows, want);
        // No newline at the end, and an unclosed quote located at its record's line.
        assert_eq!(records("a,b").0, vec![(1, vec!["a".into(), "b".into()])]);
        let (rows, open) = records("a\n\"never closed\nmore\n");
        assert_eq!((rows.len(), open), (1, Some(2)));
    }

    #[test]
    fn column_names_from_queries_are_one_name() {
        for name in [
            "sku.description",
            "SKU_DESCRIPTION",
            "sku__description",
            "\u{feff}sku.description",
        ] {
            assert_eq!(column(name), "sku_description");
        }
    }
}
