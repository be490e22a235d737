//! The official tally model: what an election's official results say. It owns the
//! vocabulary of the official data (election years, ONS constituency codes, party
//! abbreviations, vote counts), the House of Commons Library CSV parser with its
//! repairs and validation, and every figure derived from the results (winner, majority,
//! shares, turnout, seats per area, two-party swing). Pure: text in, values out, no IO.

mod model;

pub use model::*;
