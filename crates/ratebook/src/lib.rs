//! ratebook: exact, explained cost estimates for LLM APIs.
//!
//! The crate is a functional core: pricing-file text goes in, a validated [`RateBook`] comes
//! out, and [`RateBook::estimate`] turns a [`Usage`] into an [`Estimate`] whose line items add
//! up exactly to its total. It does no I/O and never reads the clock — the date to price at is
//! an argument — and money is `rust_decimal::Decimal` throughout, so the CLI, the browser
//! calculator and any project that imports this crate get the same answer to the last digit.
//!
//! ```
//! use ratebook::{Date, EstimateOptions, Mode, RateBook, SourceFile, Usage};
//!
//! let toml = r#"
//! [provider]
//! id = "google"
//! name = "Google"
//!
//! [models."gemini-3.1-flash-image"]
//! name = "Gemini 3.1 Flash Image"
//! aliases = ["gemini-3.1-flash-image-preview"]
//!
//! [[models."gemini-3.1-flash-image".prices]]
//! effective = "2026-02-26"
//! source = "https://ai.google.dev/gemini-api/docs/pricing"
//! checked = "2026-11-20"
//! input = "0.50"
//! output = "3.00"
//! output_image = "60.00"
//! output_image_tokens = { "1K" = 1120 }
//! batch = { multiplier = "0.5", cache_read = false }
//! "#;
//! let book = RateBook::from_sources(&[SourceFile::new("google.toml", toml)])?;
//!
//! let mut usage = Usage::text(1_000, 0);
//! usage.output_images.push(ratebook::ImageCount { resolution: "1K".into(), count: 1 });
//! let date: Date = "2026-11-23".parse()?;
//! let est = book.estimate("gemini-3.1-flash-image-preview", &usage, EstimateOptions::at(date))?;
//!
//! // 1,000 × $0.50/M + 1,120 × $60/M = $0.0005 + $0.0672.
//! assert_eq!(est.total.to_string(), "0.0677");
//! assert_eq!(
//!     est.line_items[1].sentence(),
//!     "image output: 1 image at 1K: 1 × 1,120 tokens = 1,120 tokens × $60.00/M = $0.0672"
//! );
//!
//! // Batch halves both.
//! let batch = book.estimate("gemini-3.1-flash-image", &usage, EstimateOptions::at(date).mode(Mode::Batch))?;
//! assert_eq!(batch.total.to_string(), "0.03385");
//! # Ok::<(), ratebook::Error>(())
//! ```

// Every operator on counts and money is checked (an `Overflow` error) or saturating by a rule
// stated where it is used; the few exceptions are index arithmetic proven in range, each
// allowed on its smallest item with the reason.
#![deny(clippy::arithmetic_side_effects)]

/// The crate's README (`crates/ratebook/README.md`), whose examples run as doctests.
#[cfg(all(doctest, feature = "bundled", feature = "ingest"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub mod book;
pub mod budget;
pub mod date;
pub mod diff;
pub mod error;
pub mod estimate;
pub mod image;
#[cfg(feature = "ingest")]
#[allow(
    clippy::disallowed_types,
    clippy::disallowed_methods,
    reason = "off the page's path (the page builds without feature `ingest`): the size rules of \
              clippy.toml do not apply, and serde's visitors name f64"
)]
pub mod ingest;
pub mod money;
pub mod overlay;
pub mod plausible;
pub mod resolve;
pub mod scenario;
pub mod usage;

#[cfg(feature = "bundled")]
pub mod bundled;

// Pricing files → `RateBook`: the public face is `load`, `Loaded` and `SourceFile` below.
mod load;
mod source;
mod suggest;

// Not API: shared with the workspace's other crates (the calculator, the `ratebook` command,
// the tests) and free to change.

#[doc(hidden)]
pub mod map;
#[doc(hidden)]
pub mod order;
#[doc(hidden)]
pub mod raw;
#[doc(hidden)]
pub mod read;

pub use book::{Billing, Meter, Mode, Model, PriceEntry, Provider, RateBook, Rates, Rounding};
pub use date::Date;
pub use error::{Error, ErrorKind, Location};
pub use estimate::{Estimate, EstimateOptions, LineItem, LineKind, MAX_QUANTITY, ModeEffect};
pub use image::ImageScheme;
pub use load::{Loaded, load};
pub use money::{format_count, format_rate, format_usd};
pub use overlay::Overlay;
pub use resolve::{Resolution, ResolvedBy};
pub use rust_decimal::Decimal;
pub use source::SourceFile;
pub use usage::{ImageCount, InputImage, Usage, VideoSeconds};
