//! Command-line arguments of the producer commands this crate implements, for the binary to
//! embed: `tallies replay` and `tallies correct`.

use std::path::PathBuf;

use clap::Args;
use newsroom_tally::{Votes, Year};

use crate::correct::Correction;
use crate::produce::Speed;

/// `tallies replay DIR [--year YEAR] [--speed N]`: publish one election's declarations in
/// the order and at the pace of their official declaration times, as a results feed would.
/// Import the previous election first (`tallies import DIR --year 2010`): the checker
/// calls a claim about a seat not yet declared pending when it knows the seat from there.
#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// The directory of `HoC-GE<year>-results-by-candidate.csv` and
    /// `HoC-GE<year>-results-by-constituency.csv` files.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// The election night to replay (the 2015 files carry declaration times).
    #[arg(long, value_name = "YEAR", default_value_t = 2015)]
    pub year: u16,

    /// How many times faster than real time (600: a ten-hour night in a minute); 0 or
    /// `max` publishes without waiting.
    #[arg(long, value_name = "N", default_value = "600")]
    pub speed: Speed,
}

impl ReplayArgs {
    pub fn election(&self) -> Year {
        Year(self.year)
    }
}

/// `tallies correct --year Y --constituency C --candidate NAME --votes N --reason TEXT`:
/// publish a correction of one candidate's votes; every claim whose check used the figure
/// is re-checked.
#[derive(Debug, Clone, Args)]
pub struct CorrectArgs {
    /// The election.
    #[arg(long, value_name = "YEAR")]
    pub year: u16,

    /// The constituency: its ONS code (E14000656) or official name ("Croydon South").
    #[arg(long, value_name = "CODE|NAME")]
    pub constituency: String,

    /// The candidate's official name.
    #[arg(long, value_name = "NAME")]
    pub candidate: String,

    /// The candidate's corrected votes.
    #[arg(long, value_name = "N")]
    pub votes: u64,

    /// Why, as the returning officer or the official publication says.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

impl CorrectArgs {
    pub fn correction(&self) -> Correction {
        Correction {
            election: Year(self.year),
            constituency: self.constituency.clone(),
            candidate: self.candidate.clone(),
            votes: Votes(self.votes),
            reason: self.reason.clone(),
        }
    }
}
