//! Batch pricing for the native-vs-WASM parity test: tab-separated workloads in, one exact
//! total (or `error: …`) per line out.
//!
//! Columns: `model`, `date`, `mode`, `input`, `cached`, `cache_write_5m`, `cache_write_1h`,
//! `output`, `output_images` (comma-separated `N@RES`, may be empty). A line the format itself
//! cannot read answers `error: line N: …`; a workload the core rejects answers `error: ` and the
//! core's message, exactly as the native `Display` prints it, so the test compares both.

use ratebook::{Date, EstimateOptions, ImageCount, Mode, RateBook, Usage};

fn parse_line(line: &str) -> Result<(String, Usage, EstimateOptions), String> {
    let cols: Vec<&str> = line.split('\t').collect();
    if cols.len() < 8 || cols.len() > 9 {
        return Err(format!(
            "expected 9 tab-separated columns, got {}",
            cols.len()
        ));
    }
    let num = |i: usize| {
        cols[i]
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("column {} `{}` is not a count", i + 1, cols[i]))
    };
    let date: Date = cols[1]
        .trim()
        .parse()
        .map_err(|e: ratebook::Error| e.message)?;
    let mode: Mode = cols[2]
        .trim()
        .parse()
        .map_err(|e: ratebook::Error| e.message)?;
    let mut usage = Usage {
        input_text: num(3)?,
        cached: num(4)?,
        cache_write_5m: num(5)?,
        cache_write_1h: num(6)?,
        output_text: num(7)?,
        ..Usage::default()
    };
    if let Some(images) = cols.get(8) {
        for part in images.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            usage
                .output_images
                .push(ImageCount::parse(part).map_err(|e| e.message)?);
        }
    }
    Ok((
        cols[0].trim().to_string(),
        usage,
        EstimateOptions {
            date,
            mode,
            residency: false,
            allow_over_limits: false,
        },
    ))
}

/// Prices every line of `text` on `book`.
pub fn estimate_lines(book: &RateBook, text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let answer = match parse_line(line) {
            Ok((model, usage, options)) => match book.estimate(&model, &usage, options) {
                Ok(e) => e.total.to_string(),
                Err(e) => format!("error: {e}"),
            },
            Err(why) => format!("error: line {}: {why}", i + 1),
        };
        out.push_str(&answer);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebook::SourceFile;

    #[test]
    fn lines() {
        let toml = r#"
[provider]
id = "x"
name = "X"
[models.m]
name = "M"
[[models.m.prices]]
effective = "2025-01-01"
source = "https://example.com"
checked = "2026-01-01"
input = "1.00"
output = "2.00"
"#;
        let book = RateBook::from_sources(&[SourceFile::new("x.toml", toml)]).unwrap();
        let out = estimate_lines(
            &book,
            "m\t2026-01-01\tstandard\t1000\t0\t0\t0\t500\t\nm\t2024-01-01\tstandard\t1\t0\t0\t0\t0\t\nnope\nm\t2026-01-01\tbatch\t1\t0\t0\t0\t0\t",
        );
        let lines: Vec<&str> = out.lines().collect();
        // Exact; the scale (trailing zeros) follows the core's features, as the native side's.
        assert_eq!(
            lines[0].parse::<ratebook::Decimal>().unwrap(),
            ratebook::Decimal::new(2, 3)
        );
        assert!(
            lines[1].starts_with("error: m has no price in force"),
            "{}",
            lines[1]
        );
        assert!(lines[2].starts_with("error: line 3:"), "{}", lines[2]);
        assert!(
            lines[3].starts_with("error: m does not offer batch"),
            "{}",
            lines[3]
        );
    }
}
