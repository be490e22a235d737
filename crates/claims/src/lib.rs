//! The vocabulary of claims and their checks, shared by extraction, checking, the events
//! and every consumer: what a checkable claim is (kind, scope, figure, comparator), the
//! verdicts, and the check report whose JSON shape is fixed by
//! `../shared/contract/CHECK-REPORT.md`. Types only, no behaviour beyond identity.

use std::fmt;

use newsroom_tally::{ConstituencyId, PartyCode, Year};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a claim measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Seats,
    Votes,
    Share,
    Majority,
    Swing,
    Turnout,
    Outcome,
    Rank,
    Threshold,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Seats,
        Kind::Votes,
        Kind::Share,
        Kind::Majority,
        Kind::Swing,
        Kind::Turnout,
        Kind::Outcome,
        Kind::Rank,
        Kind::Threshold,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Seats => "seats",
            Kind::Votes => "votes",
            Kind::Share => "share",
            Kind::Majority => "majority",
            Kind::Swing => "swing",
            Kind::Turnout => "turnout",
            Kind::Outcome => "outcome",
            Kind::Rank => "rank",
            Kind::Threshold => "threshold",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the stated figure relates to the true one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// As stated, to the stated precision.
    Eq,
    /// "more than", "over".
    Gt,
    /// "fewer than", "under", "less than".
    Lt,
    /// "about", "around", "nearly", "almost".
    Approx,
}

/// The judgement on one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Accurate,
    Inaccurate,
    /// The official data hold no such figure.
    Unverifiable,
    /// The text allows more than one reading.
    Ambiguous,
    /// The figure is not declared yet.
    Pending,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Accurate => "accurate",
            Verdict::Inaccurate => "inaccurate",
            Verdict::Unverifiable => "unverifiable",
            Verdict::Ambiguous => "ambiguous",
            Verdict::Pending => "pending",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A number as the article states it: its value and how precisely it was written.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Figure {
    pub value: f64,
    /// Digits written after the decimal point (`51.5` → 1, `8,949` → 0).
    pub decimals: u8,
}

impl Figure {
    pub fn integer(value: i64) -> Figure {
        Figure { value: value as f64, decimals: 0 }
    }
}

/// What an outcome claim says happened.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The named party won the seat (held or gained it).
    Party(PartyCode),
    /// The named candidate won (or kept) the seat.
    Won,
    /// The named candidate lost.
    Lost,
}

/// The figure a claim states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Claimed {
    Number(Figure),
    Outcome(Outcome),
}

impl Claimed {
    /// The contract's JSON form: a number, a party abbreviation, `won` or `lost`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Claimed::Number(f) => number_json(f.value),
            Claimed::Outcome(Outcome::Party(p)) => serde_json::Value::String(p.0.clone()),
            Claimed::Outcome(Outcome::Won) => "won".into(),
            Claimed::Outcome(Outcome::Lost) => "lost".into(),
        }
    }
}

/// A JSON number, integral where the value is.
pub fn number_json(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        serde_json::Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null)
    }
}

/// Stable id of a claim: the same article text gives the same ids.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct ClaimId(pub String);

impl ClaimId {
    /// Namespace for claim ids (UUID v5).
    pub const NAMESPACE: Uuid = Uuid::from_u128(0x6e65_7773_726f_6f6d_636c_6169_6d73_0001);

    /// Derives the id from the article id, the claim's span, kind and its index among the
    /// claims of that kind in that span.
    pub fn derive(article: &str, span: (usize, usize), kind: Kind, ordinal: usize) -> ClaimId {
        let name = format!("{article}|{}|{}|{kind}|{ordinal}", span.0, span.1);
        ClaimId(Uuid::new_v5(&Self::NAMESPACE, name.as_bytes()).to_string())
    }
}

impl fmt::Display for ClaimId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a claim applies: one constituency, or an area (`UK`, a nation, region, county, city).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Constituency(ConstituencyId),
    Area(String),
}

/// One checkable claim read from an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Claim {
    pub article: String,
    pub claim_id: ClaimId,
    /// The sentence the claim was read from, exactly as it stands in the article body.
    pub quote: String,
    /// Byte offsets of `quote` in the article body.
    pub span: (usize, usize),
    pub kind: Kind,
    pub election: Year,
    pub change_from: Option<Year>,
    pub scope: Scope,
    pub party: Option<PartyCode>,
    pub candidate: Option<String>,
    /// The other party of a two-party figure: for a swing, the party swung from.
    pub versus: Option<PartyCode>,
    pub comparator: Comparator,
    pub claimed: Claimed,
    /// Set when the text allows more than one reading; says which.
    pub ambiguity: Option<String>,
}

/// One checked claim: the payload of a claim-checked event and one line of `--format jsonl`.
/// Field names and values follow `../shared/contract/CHECK-REPORT.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CheckReport {
    pub article: String,
    pub claim_id: ClaimId,
    pub quote: String,
    pub span: (usize, usize),
    pub kind: Kind,
    pub election: Year,
    pub change_from: Option<Year>,
    pub constituency_id: Option<ConstituencyId>,
    pub area: Option<String>,
    pub party: Option<PartyCode>,
    pub candidate: Option<String>,
    pub comparator: Comparator,
    /// A number, a party abbreviation, `won` or `lost`.
    pub claimed: serde_json::Value,
    /// The official figure compared with; null where none applies.
    pub official: serde_json::Value,
    pub verdict: Verdict,
    pub evidence: Evidence,
}

/// Why a verdict was reached: which official rows, which rule, which tolerance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// The rule applied, in words (`majority = winner's votes - runner-up's votes`).
    pub rule: String,
    /// The tolerance allowed, in words (`rounded to 1 decimal place`).
    pub tolerance: Option<String>,
    /// The official rows the figure was computed from.
    pub rows: Vec<EvidenceRow>,
    /// Anything else a reviewer should know (which of two definitions matched, why
    /// unverifiable or ambiguous).
    pub note: Option<String>,
    /// The tally version the claim was judged on: how many official results were
    /// declared or corrected when it was checked.
    pub tally_version: Option<u64>,
}

/// One official row used as evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct EvidenceRow {
    pub election: Year,
    pub constituency_id: Option<ConstituencyId>,
    pub constituency: Option<String>,
    pub candidate: Option<String>,
    pub party: Option<PartyCode>,
    /// The figure this row contributes (`votes`, `valid_votes`, `seats`...).
    pub field: String,
    pub value: serde_json::Value,
}

impl CheckReport {
    /// The report's scope fields from a claim, with the judgement attached.
    pub fn new(claim: &Claim, official: serde_json::Value, verdict: Verdict, evidence: Evidence) -> CheckReport {
        let (constituency_id, area) = match &claim.scope {
            Scope::Constituency(id) => (Some(id.clone()), None),
            Scope::Area(a) => (None, Some(a.clone())),
        };
        CheckReport {
            article: claim.article.clone(),
            claim_id: claim.claim_id.clone(),
            quote: claim.quote.clone(),
            span: claim.span,
            kind: claim.kind,
            election: claim.election,
            change_from: claim.change_from,
            constituency_id,
            area,
            party: claim.party.clone(),
            candidate: claim.candidate.clone(),
            comparator: claim.comparator,
            claimed: claim.claimed.to_json(),
            official,
            verdict,
            evidence,
        }
    }
}
