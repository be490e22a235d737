//! The official tally model: what an election's official results say. It owns the
//! vocabulary of the official data (election years, ONS constituency codes, party
//! abbreviations, vote counts), the House of Commons Library CSV parser with its
//! repairs and validation, and every figure derived from the results (winner, majority,
//! shares, turnout, seats per area, two-party swing). Pure: text in, values out, no IO.

mod area;
mod figures;
pub mod hoc;
mod model;
mod swing;
pub mod text;

pub use area::Area;
pub use figures::Turnout;
pub use hoc::{hoc_file_name, parse_hoc, HocFile, ImportError, SourceFile};
pub use model::*;
pub use swing::{area_butler_swing, butler_swing};
