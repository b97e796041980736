//! The application state and its pure reducer.
//!
//! Every change to the page is an [`Action`]; [`AppState::apply`] is a plain function from the
//! old state and an action to the new state, with no browser calls, so it is unit-tested
//! natively. Yew's `use_reducer` wraps it (`Reducible`) and the components only dispatch.

use std::rc::Rc;

use ratebook::{Date, Mode, RateBook};
use yew::Reducible;

use crate::form::{CacheTtl, Field, Form, ImageRow, normalize};

/// How far along loading the pricing files is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadStatus {
    Loading,
    Ready,
    /// The list of pricing files could not be fetched or read: nothing to price with.
    Failed,
}

/// A problem with one pricing file, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The core's message without the location prefix.
    pub message: String,
    /// The full `file:line:column: message (key …)` form, as the CLI prints it.
    pub full: String,
}

/// A price whose `checked` date is more than this many days before today is marked stale.
pub const STALE_AFTER_DAYS: i64 = 90;

/// How many days before `today` a price was `checked`, when that is more than
/// [`STALE_AFTER_DAYS`]: the page then marks the price as stale.
pub fn stale_days(checked: Date, today: Date) -> Option<i64> {
    let days = today.unix_days() - checked.unix_days();
    (days > STALE_AFTER_DAYS).then_some(days)
}

/// Columns the comparison table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Model,
    Provider,
    Total,
}

/// How the comparison table is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareView {
    pub sort: SortKey,
    pub descending: bool,
    pub filter: String,
    pub hide_unpriced: bool,
}

/// Which part of an input image row changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImagePart {
    Width,
    Height,
    Detail,
}

/// An overlay file the person loaded (kept in the browser's local storage, never uploaded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlayFile {
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub today: Date,
    pub form: Form,
    /// The book the page prices with: the loaded rate book with the person's own prices (the
    /// link's discounts, the overlay file) applied.
    pub book: Option<Rc<RateBook>>,
    /// The rate book as loaded.
    pub base: Option<Rc<RateBook>>,
    pub overlay: Option<OverlayFile>,
    /// The own-price rules in effect, named as line items name them.
    pub custom: Vec<String>,
    /// Discounts and overlay files that could not be used (located), and were ignored.
    pub custom_problems: Vec<String>,
    pub status: LoadStatus,
    /// Validation problems of the files that were fetched.
    pub problems: Vec<FileProblem>,
    /// Files (or the index) that could not be fetched, with why.
    pub fetch_errors: Vec<String>,
    /// Files that loaded.
    pub files: Vec<String>,
    /// Sentences about what the page changed from what was asked (a bad link, a model switch).
    pub notices: Vec<String>,
    pub compare: CompareView,
    pub history_from: String,
    pub history_to: String,
    /// The first total has been painted: the compare table, the price history and the model
    /// list, held back until then, are drawn.
    pub settled: bool,
}

impl PartialEq for AppState {
    fn eq(&self, other: &AppState) -> bool {
        let same_book = match (&self.book, &other.book) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        same_book
            && self.today == other.today
            && self.overlay == other.overlay
            && self.custom == other.custom
            && self.custom_problems == other.custom_problems
            && self.form == other.form
            && self.status == other.status
            && self.problems == other.problems
            && self.fetch_errors == other.fetch_errors
            && self.files == other.files
            && self.notices == other.notices
            && self.compare == other.compare
            && self.history_from == other.history_from
            && self.history_to == other.history_to
            && self.settled == other.settled
    }
}

/// Everything that can happen to the page.
#[derive(Debug, Clone)]
pub enum Action {
    /// The pricing files arrived (some may have failed to fetch or to load): the book built from
    /// the files that loaded, the core's errors, the files that loaded, and fetch failures.
    Loaded {
        book: Rc<RateBook>,
        errors: Vec<ratebook::Error>,
        files: Vec<String>,
        fetch_errors: Vec<String>,
    },
    /// The book of the one pricing file that prices the model the page opened on, before the
    /// whole book has loaded: the first total comes from it; the rest waits for `Loaded`.
    Preview(Rc<RateBook>),
    /// The index of pricing files could not be fetched.
    LoadFailed(String),
    SetField(Field, String),
    SetModel(String),
    SetDate(String),
    SetMode(Mode),
    SetCacheTtl(CacheTtl),
    SetOutputImages {
        resolution: String,
        count: String,
    },
    AddInputImage,
    RemoveInputImage(usize),
    SetInputImage {
        index: usize,
        part: ImagePart,
        value: String,
    },
    SortCompare(SortKey),
    FilterCompare(String),
    HideUnpriced(bool),
    SetHistoryFrom(String),
    SetHistoryTo(String),
    DismissNotices,
    /// The discount rules, comma-separated, as typed.
    SetDiscounts(String),
    /// An overlay file was loaded (or removed, with `None`).
    SetOverlay(Option<OverlayFile>),
    /// Back to the example workload on the current model.
    Reset,
    /// The first total (or the load's failure) has been painted: draw the rest.
    Settled,
}

impl Action {
    /// The action for a finished load: files the core rejected are not listed as loaded.
    pub fn loaded(
        loaded: ratebook::Loaded,
        fetched: Vec<String>,
        fetch_errors: Vec<String>,
    ) -> Action {
        let files = fetched
            .into_iter()
            .filter(|f| !loaded.rejected_files.contains(f))
            .collect();
        Action::Loaded {
            book: Rc::new(loaded.book),
            errors: loaded.errors,
            files,
            fetch_errors,
        }
    }
}

/// Notices kept at most: a long hostile link should not push the calculator off the screen.
const MAX_NOTICES: usize = 8;
/// Longest text accepted in any field.
const MAX_INPUT: usize = 64;

fn clip(s: String) -> String {
    if s.chars().count() <= MAX_INPUT {
        s
    } else {
        s.chars().take(MAX_INPUT).collect()
    }
}

impl AppState {
    /// The state a page starts in, from its link.
    pub fn new(today: Date, form: Form, notices: Vec<String>) -> AppState {
        let year_ago = Date::from_unix_days(today.unix_days() - 365).unwrap_or(today);
        AppState {
            today,
            form,
            book: None,
            base: None,
            overlay: None,
            custom: Vec::new(),
            custom_problems: Vec::new(),
            status: LoadStatus::Loading,
            problems: Vec::new(),
            fetch_errors: Vec::new(),
            files: Vec::new(),
            notices,
            compare: CompareView {
                sort: SortKey::Total,
                descending: false,
                filter: String::new(),
                hide_unpriced: false,
            },
            history_from: year_ago.to_string(),
            history_to: today.to_string(),
            settled: false,
        }
    }

    fn note(&mut self, notes: Vec<String>) {
        self.notices.extend(notes);
        if self.notices.len() > MAX_NOTICES {
            let extra = self.notices.len() - MAX_NOTICES;
            self.notices.drain(..extra);
        }
    }

    /// Without the `own-prices` feature (the first download) the book is the rate book as
    /// loaded: the page starts the build with the feature when there are own prices.
    #[cfg(not(feature = "own-prices"))]
    fn reapply(&mut self) {
        self.custom.clear();
        self.custom_problems.clear();
        self.book = self.base.clone();
    }

    /// Applies the own prices to the loaded book. A discount that names nothing, or an overlay
    /// file that does not read or does not apply, is reported and left out; the rest apply.
    #[cfg(feature = "own-prices")]
    fn reapply(&mut self) {
        use ratebook::{Overlay, SourceFile};
        let Some(base) = self.base.clone() else {
            return;
        };
        self.custom.clear();
        self.custom_problems.clear();
        let mut overlays = Vec::new();
        for d in &self.form.discounts {
            match Overlay::discount(d, &base) {
                Ok(o) => overlays.push(o),
                Err(e) => self
                    .custom_problems
                    .push(format!("discount={d}: {}", e.message)),
            }
        }
        let applied = match overlays.is_empty() {
            true => Ok(base.clone()),
            false => base.with_overlays(&overlays).map(Rc::new),
        };
        let mut book = match applied {
            Ok(b) => b,
            Err(errors) => {
                overlays.clear();
                self.custom_problems
                    .extend(errors.iter().map(|e| e.to_string()));
                base.clone()
            }
        };
        if let Some(f) = &self.overlay {
            let applied = Overlay::parse(&SourceFile::new(f.name.clone(), f.text.clone()))
                .and_then(|o| {
                    overlays.push(o);
                    base.with_overlays(&overlays)
                });
            match applied {
                Ok(b) => book = Rc::new(b),
                Err(errors) => self.custom_problems.extend(
                    errors
                        .iter()
                        .map(|e| format!("{e} — the overlay file is ignored")),
                ),
            }
        }
        self.custom = overlays.iter().map(|o| o.name.clone()).collect();
        self.book = Some(book);
    }

    fn renormalize(&mut self) {
        if let Some(book) = self.book.clone() {
            let notes = normalize(&mut self.form, &book, self.today);
            self.note(notes);
        }
    }

    /// The reducer: the new state after `action`.
    pub fn apply(mut self, action: Action) -> AppState {
        match action {
            Action::Loaded {
                book,
                errors,
                files,
                fetch_errors,
            } => {
                self.problems = errors
                    .iter()
                    .map(|e| FileProblem {
                        file: e
                            .location
                            .as_ref()
                            .map(|l| l.file.clone())
                            .unwrap_or_default(),
                        line: e.location.as_ref().map(|l| l.line),
                        column: e.location.as_ref().map(|l| l.column),
                        message: e.message.clone(),
                        full: e.to_string(),
                    })
                    .collect();
                self.files = files;
                self.fetch_errors = fetch_errors;
                self.status = LoadStatus::Ready;
                self.base = Some(book);
                self.reapply();
                self.renormalize();
            }
            Action::Preview(book) => {
                if self.base.is_none() {
                    self.base = Some(book);
                    self.reapply();
                    self.renormalize();
                }
            }
            Action::LoadFailed(why) => {
                self.status = LoadStatus::Failed;
                self.fetch_errors.push(why);
            }
            Action::SetField(field, value) => self.form.set(field, clip(value)),
            Action::SetModel(id) => {
                self.form.model = clip(id);
                self.renormalize();
            }
            Action::SetDate(date) => {
                self.form.date = clip(date);
                if self.form.date.parse::<Date>().is_ok() {
                    self.renormalize();
                }
            }
            Action::SetMode(mode) => self.form.mode = mode,
            Action::SetCacheTtl(ttl) => self.form.cache_ttl = ttl,
            Action::SetOutputImages { resolution, count } => {
                self.form.output_images.insert(resolution, clip(count));
            }
            Action::AddInputImage => {
                if self.form.input_images.len() < 32 {
                    self.form.input_images.push(ImageRow {
                        width: "1024".into(),
                        height: "1024".into(),
                        detail: String::new(),
                    });
                }
            }
            Action::RemoveInputImage(i) => {
                if i < self.form.input_images.len() {
                    self.form.input_images.remove(i);
                }
            }
            Action::SetInputImage { index, part, value } => {
                if let Some(row) = self.form.input_images.get_mut(index) {
                    let value = clip(value);
                    match part {
                        ImagePart::Width => row.width = value,
                        ImagePart::Height => row.height = value,
                        ImagePart::Detail => row.detail = value,
                    }
                }
            }
            Action::SortCompare(key) => {
                if self.compare.sort == key {
                    self.compare.descending = !self.compare.descending;
                } else {
                    self.compare.sort = key;
                    self.compare.descending = false;
                }
            }
            Action::FilterCompare(f) => self.compare.filter = clip(f),
            Action::HideUnpriced(h) => self.compare.hide_unpriced = h,
            Action::SetHistoryFrom(d) => self.history_from = clip(d),
            Action::SetHistoryTo(d) => self.history_to = clip(d),
            Action::DismissNotices => self.notices.clear(),
            Action::SetDiscounts(text) => {
                self.form.discounts = parse_discounts(&text);
                self.reapply();
            }
            Action::SetOverlay(file) => {
                self.overlay = file;
                self.reapply();
            }
            Action::Settled => self.settled = true,
            Action::Reset => {
                let model = std::mem::take(&mut self.form.model);
                self.form = Form {
                    model,
                    ..Form::example(self.today)
                };
                self.renormalize();
            }
        }
        self
    }
}

/// Discount rules as typed, comma-separated.
pub fn parse_discounts(text: &str) -> Vec<String> {
    text.split(',')
        .map(|d| clip(d.trim().to_string()))
        .filter(|d| !d.is_empty())
        .take(crate::query::MAX_DISCOUNTS)
        .collect()
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new((*self).clone().apply(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratebook::SourceFile;

    fn today() -> Date {
        "2026-11-23".parse().unwrap()
    }

    const GOOD: &str = r#"
[provider]
id = "openai"
name = "OpenAI"
[models."gpt-4o"]
name = "GPT-4o"
[[models."gpt-4o".prices]]
effective = "2024-08-06"
source = "https://example.com"
checked = "2026-11-20"
input = "2.50"
output = "10.00"
batch = { multiplier = "0.5", cache_read = false }
"#;

    fn loaded(bad: bool) -> Action {
        let mut files = vec![SourceFile::new("openai.toml", GOOD)];
        if bad {
            files.push(SourceFile::new("broken.toml", "[provider]\nid = \"b\"\nname = \"B\"\n[models.x]\nname = \"X\"\n[[models.x.prices]]\neffective = \"2025-01-01\"\nsource = \"s\"\nchecked = \"2025-01-01\"\ninput = 0.5\n"));
        }
        let names = files.iter().map(|f| f.name.clone()).collect();
        Action::loaded(ratebook::load(&files), names, Vec::new())
    }

    #[test]
    fn loading_normalizes_the_link() {
        let (form, notes) = crate::query::parse("?model=nope&mode=flex&input-tokens=5", today());
        assert!(notes.is_empty());
        let s = AppState::new(today(), form, notes).apply(loaded(true));
        assert_eq!(s.status, LoadStatus::Ready);
        assert_eq!(s.form.model, "gpt-4o");
        assert_eq!(s.form.mode, Mode::Standard);
        assert_eq!(s.notices.len(), 2, "{:?}", s.notices);
        assert_eq!(s.files, vec!["openai.toml".to_string()]);
        assert_eq!(s.problems.len(), 1);
        assert_eq!(s.problems[0].file, "broken.toml");
        assert_eq!(s.problems[0].line, Some(10));
        assert!(
            s.problems[0].full.starts_with("broken.toml:10:"),
            "{}",
            s.problems[0].full
        );
    }

    #[test]
    fn a_price_is_stale_after_ninety_days() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(
            stale_days(d("2026-08-25"), today()),
            None,
            "90 days: still fresh"
        );
        assert_eq!(stale_days(d("2026-08-24"), today()), Some(91));
        assert_eq!(stale_days(d("2025-11-23"), today()), Some(365));
        assert_eq!(stale_days(d("2026-11-23"), today()), None);
        assert_eq!(
            stale_days(d("2027-01-01"), today()),
            None,
            "checked after today"
        );
    }

    /// Own prices: a discount applies, one that names nothing is reported and left out, and a
    /// broken overlay file is reported with its line and column and ignored.
    #[cfg(feature = "own-prices")]
    #[test]
    fn own_prices_apply_and_problems_are_located() {
        let s = AppState::new(today(), Form::example(today()), Vec::new())
            .apply(loaded(false))
            .apply(Action::SetDiscounts("openai:20, nobody:10".into()));
        assert_eq!(s.form.discounts, vec!["openai:20", "nobody:10"]);
        assert_eq!(s.custom, vec!["--discount openai:20".to_string()]);
        assert_eq!(s.custom_problems.len(), 1, "{:?}", s.custom_problems);
        assert!(s.custom_problems[0].starts_with("discount=nobody:10"));
        let u = ratebook::Usage {
            input_text: 1000,
            output_text: 100,
            ..ratebook::Usage::default()
        };
        let opts = ratebook::EstimateOptions::at(today());
        let e = s
            .book
            .as_ref()
            .unwrap()
            .estimate("gpt-4o", &u, opts)
            .unwrap();
        // 1,000 × $2.50/M + 100 × $10.00/M = $0.0035, 20% off.
        assert_eq!(e.total.normalize().to_string(), "0.0028");
        assert!(e.line_items.iter().all(|l| !l.overlays.is_empty()));
        let s = s.apply(Action::SetOverlay(Some(OverlayFile {
            name: "mine.toml".into(),
            text: "[[adjust]]\nprovider = \"openai\"\ndiscont = \"5%\"\n".into(),
        })));
        assert!(
            s.custom_problems
                .iter()
                .any(|p| p.starts_with("mine.toml:3:")),
            "{:?}",
            s.custom_problems
        );
        let e = s
            .book
            .as_ref()
            .unwrap()
            .estimate("gpt-4o", &u, opts)
            .unwrap();
        assert_eq!(
            e.total.normalize().to_string(),
            "0.0028",
            "the file is ignored"
        );
    }

    #[test]
    fn actions() {
        let s = AppState::new(today(), Form::example(today()), Vec::new()).apply(loaded(false));
        let s = s.apply(Action::SetField(Field::InputTokens, "42".into()));
        assert_eq!(s.form.input_tokens, "42");
        let s = s.apply(Action::SortCompare(SortKey::Total));
        assert!(s.compare.descending);
        let s = s.apply(Action::SortCompare(SortKey::Model));
        assert_eq!(
            (s.compare.sort, s.compare.descending),
            (SortKey::Model, false)
        );
        let s = s.apply(Action::AddInputImage).apply(Action::SetInputImage {
            index: 0,
            part: ImagePart::Width,
            value: "9".repeat(500),
        });
        assert_eq!(s.form.input_images[0].width.len(), MAX_INPUT);
        let s = s
            .apply(Action::RemoveInputImage(7))
            .apply(Action::RemoveInputImage(0));
        assert!(s.form.input_images.is_empty());
        let s = s.apply(Action::SetModel("GPT-4O-2024-08-06".into()));
        assert_eq!(s.form.model, "gpt-4o");
        let s = s.apply(Action::Reset);
        assert_eq!(s.form.input_tokens, "10000");
    }
}
