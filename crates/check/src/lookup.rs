//! Finding what a claim is about in the tallies: the election, the constituency, the area,
//! the candidate; and telling a figure the official data do not hold (unverifiable) from one
//! not declared yet (pending).

use newsroom_claims::EvidenceRow;
use newsroom_tally::{
    Area, CandidateResult, ConstituencyId, ConstituencyResult, ElectionResults, PartyCode, Tallies,
    Year,
};

/// Why no official figure can be compared with a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Gap {
    /// The official data hold no such figure; says what is missing.
    Unverifiable(String),
    /// The figure's results are not all declared yet; says which.
    Pending(String),
}

/// The declared results of an election; unverifiable when none are known.
pub(crate) fn election(tallies: &Tallies, year: Year) -> Result<&ElectionResults, Gap> {
    tallies
        .election(year)
        .filter(|e| !e.constituencies.is_empty())
        .ok_or_else(|| {
            Gap::Unverifiable(format!(
                "no official results of a {year} general election are known"
            ))
        })
}

/// The constituency list the election is expected to end with, when its own list is still
/// shorter: the previous election's list (the next election's for the earliest one).
/// `None` when the election's list is as long as that, i.e. complete.
pub(crate) fn expected_list(tallies: &Tallies, year: Year) -> Option<&ElectionResults> {
    let own = tallies.election(year)?.constituencies.len();
    let reference = tallies
        .previous(year)
        .and_then(|y| tallies.election(y))
        .or_else(|| {
            tallies
                .years()
                .find(|y| *y > year)
                .and_then(|y| tallies.election(y))
        })?;
    (own < reference.constituencies.len()).then_some(reference)
}

/// One constituency's declared result: pending if the election is under way and the seat
/// is on the expected list, unverifiable if the seat is unknown.
pub(crate) fn seat<'a>(
    tallies: &'a Tallies,
    year: Year,
    id: &ConstituencyId,
) -> Result<&'a ConstituencyResult, Gap> {
    let results = election(tallies, year)?;
    if let Some(seat) = results.constituency(id) {
        return Ok(seat);
    }
    match expected_list(tallies, year).and_then(|r| r.constituency(id)) {
        Some(expected) => Err(Gap::Pending(format!(
            "{} ({id}) has not declared its {year} result yet",
            expected.name
        ))),
        None => Err(Gap::Unverifiable(format!(
            "no constituency {id} in the official {year} results"
        ))),
    }
}

/// The area a place name means in the election's results (or, while they are incomplete,
/// in the expected list); unverifiable if it names no area.
pub(crate) fn area(tallies: &Tallies, year: Year, name: &str) -> Result<Area, Gap> {
    let results = election(tallies, year)?;
    results
        .resolve_area(name)
        .or_else(|| expected_list(tallies, year).and_then(|r| r.resolve_area(name)))
        .ok_or_else(|| {
            Gap::Unverifiable(format!(
                "no area called {name:?} in the official {year} results"
            ))
        })
}

/// The election's results, once every constituency of the area has declared: pending while
/// a seat of the area on the expected list is undeclared; unverifiable if the area has no
/// constituency at all that year.
pub(crate) fn declared_area<'a>(
    tallies: &'a Tallies,
    year: Year,
    area: &Area,
) -> Result<&'a ElectionResults, Gap> {
    let results = election(tallies, year)?;
    if let Some(expected) = expected_list(tallies, year) {
        let seats = expected.seat_count(area);
        let missing = expected
            .in_area(area)
            .filter(|c| results.constituency(&c.id).is_none())
            .count();
        if missing > 0 {
            return Err(Gap::Pending(format!(
                "{missing} of the {seats} constituencies in {area} have not declared their \
                 {year} results yet"
            )));
        }
    }
    if results.seat_count(area) == 0 {
        return Err(Gap::Unverifiable(format!(
            "no constituency in {area} in the official {year} results"
        )));
    }
    Ok(results)
}

/// Whether the party stood a candidate anywhere in the area.
pub(crate) fn stood_in_area(results: &ElectionResults, area: &Area, party: &PartyCode) -> bool {
    results
        .in_area(area)
        .any(|c| c.candidates.iter().any(|cand| &cand.party == party))
}

/// A candidate found by name, and how, when the name was not the official one.
pub(crate) struct Found<'a> {
    pub(crate) candidate: &'a CandidateResult,
    pub(crate) note: Option<String>,
}

/// The candidate of this name in the constituency: the official name compared
/// case-insensitively; failing that, the one candidate whose surname is the name's last word
/// and whose first name agrees with the name's first word as far as the shorter goes
/// ("Ed Balls" for "Edward Balls").
pub(crate) fn candidate<'a>(seat: &'a ConstituencyResult, name: &str) -> Option<Found<'a>> {
    if let Some(candidate) = seat.candidate(name.trim()) {
        return Some(Found {
            candidate,
            note: None,
        });
    }
    let words: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
    let (first, last) = (words.first()?, words.last()?);
    let first_agrees = |c: &CandidateResult| {
        words.len() == 1 || {
            let official = c.first_name.to_lowercase();
            official.starts_with(first.as_str()) || first.starts_with(official.as_str())
        }
    };
    let mut matches = seat.candidates.iter().filter(|c| {
        let surname = c.surname.to_lowercase();
        let last_of_name = c
            .name
            .split_whitespace()
            .last()
            .map(str::to_lowercase)
            .unwrap_or_default();
        (surname == *last || last_of_name == *last) && first_agrees(c)
    });
    let candidate = matches.next()?;
    if matches.next().is_some() {
        return None;
    }
    Some(Found {
        candidate,
        note: Some(format!(
            "{name:?} taken as the official name {:?}",
            candidate.name
        )),
    })
}

/// An evidence row from one constituency: a figure of the seat, or of one of its candidates.
pub(crate) fn seat_row(
    seat: &ConstituencyResult,
    candidate: Option<&CandidateResult>,
    field: &str,
    value: serde_json::Value,
) -> EvidenceRow {
    EvidenceRow {
        election: seat.election,
        constituency_id: Some(seat.id.clone()),
        constituency: Some(seat.name.clone()),
        candidate: candidate.map(|c| c.name.clone()),
        party: candidate.map(|c| c.party.clone()),
        field: field.to_owned(),
        value,
    }
}

/// A candidate's votes as an evidence row.
pub(crate) fn votes_row(seat: &ConstituencyResult, candidate: &CandidateResult) -> EvidenceRow {
    seat_row(seat, Some(candidate), "votes", candidate.votes.0.into())
}

/// An evidence row summed over an area (`field` names the area: `valid_votes in Scotland`).
pub(crate) fn area_row(
    year: Year,
    party: Option<&PartyCode>,
    field: String,
    value: serde_json::Value,
) -> EvidenceRow {
    EvidenceRow {
        election: year,
        constituency_id: None,
        constituency: None,
        candidate: None,
        party: party.cloned(),
        field,
        value,
    }
}
