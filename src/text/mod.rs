//! Layer 0, text: what every other layer needs to handle Japanese text, with no knowledge of forms,
//! records or storage: folding for comparison, line breaking (禁則), the bundled fonts and what
//! they cover, characters a reader cannot see, and dates as people read them (one rule for paper
//! and screen).

pub mod date;
mod fallback_shards;
mod fold;
pub mod fonts;
pub mod linebreak;
pub mod visible;

pub use fold::fold;
