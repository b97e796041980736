//! Pricing-file text → `ratebook::load`: never a panic; every error is located in the file; a
//! file that loads prices a text request and an image on each of its models at each of its
//! price dates, with line items that add up to the total.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ratebook::{EstimateOptions, InputImage, SourceFile, Usage, load};
use ratebook_fuzz::check_estimate;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = load(&[SourceFile::new("fuzz.toml", text)]);
    for e in &loaded.errors {
        let loc = e
            .location
            .as_ref()
            .unwrap_or_else(|| panic!("an error of a file without a location: {e}"));
        assert_eq!(loc.file, "fuzz.toml");
        assert!(loc.line >= 1 && loc.column >= 1, "{e}");
    }
    assert_eq!(loaded.errors.is_empty(), loaded.rejected_files.is_empty());
    let mut usage = Usage::text(1_000, 100);
    usage.cached = 100;
    usage.input_images.push(InputImage {
        width: 1024,
        height: 768,
        detail: None,
    });
    for m in loaded.book.models().iter().take(8) {
        for p in m.prices.iter().take(4) {
            let r = loaded
                .book
                .estimate(&m.id, &usage, EstimateOptions::at(p.effective));
            check_estimate(&r, &usage, &|| text.to_string());
        }
    }
});
