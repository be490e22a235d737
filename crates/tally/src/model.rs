use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDateTime;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The year of a general election (`2015`). Elections are identified by year.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct Year(pub u16);

impl fmt::Display for Year {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// ONS/GSS code of a Westminster constituency (`E14000826`).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct ConstituencyId(String);

/// A string that is not an ONS constituency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an ONS constituency code: {0:?}")]
pub struct InvalidConstituencyId(pub String);

impl ConstituencyId {
    /// Parses an ONS code: one of E, W, S, N followed by eight digits.
    pub fn parse(s: &str) -> Result<Self, InvalidConstituencyId> {
        let b = s.as_bytes();
        let ok = b.len() == 9
            && matches!(b[0], b'E' | b'W' | b'S' | b'N')
            && b[1..].iter().all(u8::is_ascii_digit);
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidConstituencyId(s.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ConstituencyId {
    type Error = InvalidConstituencyId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<ConstituencyId> for String {
    fn from(id: ConstituencyId) -> String {
        id.0
    }
}
impl fmt::Display for ConstituencyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A party's abbreviation as the official results give it (`Con`, `Lab`, `LD`, `SNP`).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct PartyCode(pub String);

impl PartyCode {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl fmt::Display for PartyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A count of votes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(transparent)]
pub struct Votes(pub u64);

impl std::ops::Add for Votes {
    type Output = Votes;
    fn add(self, o: Votes) -> Votes {
        Votes(self.0 + o.0)
    }
}
impl std::iter::Sum for Votes {
    fn sum<I: Iterator<Item = Votes>>(it: I) -> Votes {
        Votes(it.map(|v| v.0).sum())
    }
}

/// The four nations of the UK, as the official results' `Country name` column gives them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum Nation {
    England,
    Scotland,
    Wales,
    #[serde(rename = "Northern Ireland")]
    NorthernIreland,
}

impl Nation {
    pub fn name(self) -> &'static str {
        match self {
            Nation::England => "England",
            Nation::Scotland => "Scotland",
            Nation::Wales => "Wales",
            Nation::NorthernIreland => "Northern Ireland",
        }
    }
    pub fn parse(s: &str) -> Option<Nation> {
        match s.trim() {
            "England" => Some(Nation::England),
            "Scotland" => Some(Nation::Scotland),
            "Wales" => Some(Nation::Wales),
            "Northern Ireland" => Some(Nation::NorthernIreland),
            _ => None,
        }
    }
}

/// One candidate's official result in one constituency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CandidateResult {
    /// First name and surname, as the official results give them (`Edward Miliband`).
    pub name: String,
    pub first_name: String,
    pub surname: String,
    pub party: PartyCode,
    /// The party's full name in the official results (`Labour`).
    pub party_name: String,
    pub votes: Votes,
    pub sitting_mp: bool,
    pub former_mp: bool,
}

/// The declared result of one constituency at one election.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ConstituencyResult {
    pub election: Year,
    pub id: ConstituencyId,
    pub name: String,
    pub county: String,
    pub region: String,
    pub nation: Nation,
    /// Local time of the official declaration, when the results give it.
    pub declared_at: Option<NaiveDateTime>,
    pub electorate: u64,
    pub valid_votes: Votes,
    pub invalid_votes: u64,
    /// Candidates in descending order of votes.
    pub candidates: Vec<CandidateResult>,
}

/// All declared constituency results of one election.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ElectionResults {
    pub constituencies: BTreeMap<ConstituencyId, ConstituencyResult>,
}

/// The official results of every election known so far, as declared: the checker's view
/// of the tallies. Built by declaring constituency results one at a time (an import, or a
/// replay of tally events); `version` counts the declarations applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tallies {
    elections: BTreeMap<Year, ElectionResults>,
    version: u64,
}

impl Tallies {
    pub fn new() -> Tallies {
        Tallies::default()
    }

    /// Records a declared (or re-declared, corrected) constituency result.
    pub fn declare(&mut self, result: ConstituencyResult) {
        self.elections
            .entry(result.election)
            .or_default()
            .constituencies
            .insert(result.id.clone(), result);
        self.version += 1;
    }

    /// Declares every result in turn (an import of a whole election).
    pub fn import(&mut self, results: impl IntoIterator<Item = ConstituencyResult>) {
        for result in results {
            self.declare(result);
        }
    }

    /// How many declarations have been applied.
    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn election(&self, year: Year) -> Option<&ElectionResults> {
        self.elections.get(&year)
    }

    /// The elections known, oldest first.
    pub fn years(&self) -> impl Iterator<Item = Year> + '_ {
        self.elections.keys().copied()
    }

    pub fn latest(&self) -> Option<Year> {
        self.elections.keys().next_back().copied()
    }

    /// The election before `year`, if known.
    pub fn previous(&self, year: Year) -> Option<Year> {
        self.elections.range(..year).next_back().map(|(y, _)| *y)
    }
}
