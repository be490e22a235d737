//! Specifications of the verdict rules: on a small hand-made world of four seats over two
//! elections (`fixtures`), and on the real 2010 and 2015 results (`real`).

mod fixtures;
mod real;

use newsroom_claims::{
    CheckReport, Claim, ClaimId, Claimed, Comparator, Figure, Kind, Outcome, Scope,
};
use newsroom_tally::{ConstituencyId, PartyCode, Year};

/// A claim about the 2015 election, stated as `eq`, with no party, candidate or change.
pub(crate) fn claim(kind: Kind, scope: Scope, claimed: Claimed) -> Claim {
    Claim {
        article: "test_article.txt".to_owned(),
        claim_id: ClaimId("claim-1".to_owned()),
        quote: "The quoted sentence.".to_owned(),
        span: (0, 20),
        kind,
        election: Year(2015),
        change_from: None,
        scope,
        party: None,
        candidate: None,
        versus: None,
        comparator: Comparator::Eq,
        claimed,
        ambiguity: None,
    }
}

pub(crate) fn seat(id: &str) -> Scope {
    Scope::Constituency(ConstituencyId::parse(id).unwrap())
}

pub(crate) fn area(name: &str) -> Scope {
    Scope::Area(name.to_owned())
}

pub(crate) fn party(code: &str) -> Option<PartyCode> {
    Some(PartyCode::new(code))
}

pub(crate) fn candidate(name: &str) -> Option<String> {
    Some(name.to_owned())
}

/// A whole number as written (`5,028`).
pub(crate) fn whole(value: i64) -> Claimed {
    Claimed::Number(Figure::integer(value))
}

/// A number written with decimals (`51.5` → `decimal(51.5, 1)`).
pub(crate) fn decimal(value: f64, decimals: u8) -> Claimed {
    Claimed::Number(Figure { value, decimals })
}

pub(crate) fn winner_party(code: &str) -> Claimed {
    Claimed::Outcome(Outcome::Party(PartyCode::new(code)))
}

pub(crate) fn note(report: &CheckReport) -> &str {
    report.evidence.note.as_deref().unwrap_or("")
}
