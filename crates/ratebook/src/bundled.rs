//! The repository's rate book, embedded at compile time (feature `bundled`, on by default).
//!
//! A project that imports the crate gets a ready book with no file or network access:
//! `ratebook::bundled::book()`.

use crate::book::RateBook;
use crate::load::{Loaded, load};
use crate::source::SourceFile;

mod files {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

/// The embedded files as `(name, text)` pairs.
pub fn files() -> &'static [(&'static str, &'static str)] {
    files::FILES
}

/// The embedded files as [`SourceFile`]s.
pub fn sources() -> Vec<SourceFile> {
    files::FILES
        .iter()
        .map(|(n, t)| SourceFile::new(*n, *t))
        .collect()
}

/// Loads the embedded book. The files are checked by CI, so errors here mean a broken build of
/// the data; they are returned rather than hidden.
pub fn load_bundled() -> Loaded {
    load(&sources())
}

/// The embedded book (files with errors left out; see [`load_bundled`] for the errors).
pub fn book() -> RateBook {
    load_bundled().book
}
