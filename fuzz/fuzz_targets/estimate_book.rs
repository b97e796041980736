//! `estimate` of an arbitrary usage on any id of the bundled book (models, aliases, cloud ids
//! under every scope prefix) at an arbitrary date, mode and residency: Ok or an error, never a
//! panic; an Ok estimate's line items add up to its total; a usage within the domain's bounds
//! never overflows.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use ratebook::EstimateOptions;
use ratebook_fuzz::{book, check_estimate, date, ids, mode, resolutions, usage};

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let ids = ids();
    let id = &ids[u.choose_index(ids.len())?];
    let (levels, dates) = match book().resolve(id) {
        Ok(m) => (
            m.image_scheme
                .as_ref()
                .map(|(_, s)| s.levels())
                .unwrap_or_default(),
            m.prices.iter().map(|p| p.effective).collect(),
        ),
        Err(_) => (Vec::new(), Vec::new()),
    };
    let usage = usage(u, resolutions(), &levels)?;
    let mut options = EstimateOptions::at(date(u, &dates)?).mode(mode(u)?);
    options.residency = u.arbitrary()?;
    let result = book().estimate(id, &usage, options);
    check_estimate(&result, &usage, &|| format!("{options:?} on {id}"));
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
