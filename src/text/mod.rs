//! Text rules shared by every output: dates as people read them.

pub mod date;
