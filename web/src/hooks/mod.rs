//! Hooks: the page's effects on the world (fetching prices, writing the URL, timing marks),
//! kept out of the components so those only render.

mod use_first_total_mark;
mod use_pricing;
mod use_url_sync;

pub use use_first_total_mark::use_first_total_mark;
pub use use_pricing::{begin as begin_pricing, parse_index, use_pricing};
pub use use_url_sync::use_url_sync;
