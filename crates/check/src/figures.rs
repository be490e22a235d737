//! The official figure each numeric kind of claim is compared with (docs/CLAIMS.md, the
//! table of kinds), with the rows it was computed from. Changes between two elections are
//! the figure in `election` minus the figure in `change_from`; a swing is itself a change.

use newsroom_claims::{Claim, EvidenceRow, Kind, Scope};
use newsroom_tally::{
    area_butler_swing, butler_swing, Area, CandidateResult, ConstituencyId, ConstituencyResult,
    ElectionResults, PartyCode, Tallies, Turnout, Year,
};

use crate::lookup::{self, area_row, seat_row, votes_row, Gap};
use crate::precision::Unit;

/// One reading of an official figure; a figure the official publications define two ways
/// (turnout) has two.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Reading {
    pub(crate) value: f64,
    /// Which definition this reading follows, where there are several.
    pub(crate) definition: Option<&'static str>,
}

/// An official figure: its readings (at least one), the rows it came from, and notes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Measure {
    pub(crate) readings: Vec<Reading>,
    pub(crate) rows: Vec<EvidenceRow>,
    pub(crate) notes: Vec<String>,
}

impl Measure {
    fn one(value: f64, rows: Vec<EvidenceRow>, notes: Vec<String>) -> Measure {
        Measure {
            readings: vec![Reading {
                value,
                definition: None,
            }],
            rows,
            notes,
        }
    }

    /// This figure minus an earlier one, reading by reading; rows and notes of both.
    fn minus(self, before: Measure) -> Measure {
        let readings = self
            .readings
            .iter()
            .zip(&before.readings)
            .map(|(now, then)| Reading {
                value: now.value - then.value,
                definition: now.definition,
            })
            .collect();
        let mut rows = before.rows;
        rows.extend(self.rows);
        let mut notes = before.notes;
        notes.extend(self.notes);
        Measure {
            readings,
            rows,
            notes,
        }
    }
}

/// The official figure for a numeric claim, or why there is none.
pub(crate) struct Numeric {
    pub(crate) unit: Unit,
    /// The rule applied, in words.
    pub(crate) rule: String,
    pub(crate) measure: Result<Measure, Gap>,
}

/// The official figure a numeric claim is compared with.
pub(crate) fn numeric(claim: &Claim, tallies: &Tallies) -> Numeric {
    match claim.kind {
        Kind::Seats => seats(claim, tallies),
        Kind::Votes => votes_or_share(claim, tallies, Unit::Count),
        Kind::Share => votes_or_share(claim, tallies, Unit::Percent),
        Kind::Majority => majority(claim, tallies),
        Kind::Swing => swing(claim, tallies),
        Kind::Turnout => turnout(claim, tallies),
        Kind::Rank => rank(claim, tallies),
        Kind::Threshold => threshold(claim, tallies),
        Kind::Outcome => Numeric {
            unit: Unit::Count,
            rule: "the winner is the candidate with the most votes".to_owned(),
            measure: Err(Gap::Unverifiable(
                "an outcome is a winner, not a number".to_owned(),
            )),
        },
    }
}

/// The figure in the claim's election, or its change since `change_from`.
fn over_change(
    claim: &Claim,
    unit: Unit,
    rule: &str,
    figure: impl Fn(Year) -> Result<Measure, Gap>,
) -> Numeric {
    match claim.change_from {
        None => Numeric {
            unit,
            rule: rule.to_owned(),
            measure: figure(claim.election),
        },
        Some(from) => Numeric {
            unit,
            rule: format!(
                "{rule}; change = the {} figure - the {from} figure",
                claim.election
            ),
            measure: figure(claim.election)
                .and_then(|now| figure(from).map(|before| now.minus(before))),
        },
    }
}

fn party(claim: &Claim) -> Result<&PartyCode, Gap> {
    claim
        .party
        .as_ref()
        .ok_or_else(|| Gap::Unverifiable(format!("the {} claim names no party", claim.kind)))
}

fn constituency_scope(claim: &Claim) -> Result<&ConstituencyId, Gap> {
    match &claim.scope {
        Scope::Constituency(id) => Ok(id),
        Scope::Area(area) => Err(Gap::Unverifiable(format!(
            "a {} is a figure of one constituency, and {area:?} is an area",
            claim.kind
        ))),
    }
}

fn area_scope(claim: &Claim) -> Result<&str, Gap> {
    match &claim.scope {
        Scope::Area(name) => Ok(name),
        Scope::Constituency(id) => Err(Gap::Unverifiable(format!(
            "{} are counted over an area, and {id} is one constituency",
            claim.kind
        ))),
    }
}

fn round3(v: f64) -> serde_json::Value {
    Unit::Percent.official_json(v)
}

fn seats(claim: &Claim, tallies: &Tallies) -> Numeric {
    let numeric = over_change(
        claim,
        Unit::Count,
        "seats = constituencies in the area whose winner is the party",
        |year| {
            let party = party(claim)?;
            let area = lookup::area(tallies, year, area_scope(claim)?)?;
            let results = lookup::declared_area(tallies, year, &area)?;
            let mut rows: Vec<EvidenceRow> = results
                .in_area(&area)
                .filter_map(|seat| {
                    let winner = seat.winner().filter(|w| &w.party == party)?;
                    Some(seat_row(seat, Some(winner), "won", true.into()))
                })
                .collect();
            let seats = results.seats(&area, party);
            rows.push(area_row(
                year,
                Some(party),
                format!("seats in {area}"),
                seats.into(),
            ));
            Ok(Measure::one(f64::from(seats), rows, Vec::new()))
        },
    );
    // A party that stood nowhere in the area has no seat count there to speak of.
    let measure = numeric.measure.and_then(|m| {
        let party = party(claim)?;
        let years = [Some(claim.election), claim.change_from];
        let stood = years.into_iter().flatten().any(|year| {
            let area = area_scope(claim).and_then(|name| lookup::area(tallies, year, name));
            match (lookup::election(tallies, year), area) {
                (Ok(results), Ok(area)) => lookup::stood_in_area(results, &area, party),
                _ => false,
            }
        });
        if stood {
            Ok(m)
        } else {
            Err(Gap::Unverifiable(format!(
                "{party} stood no candidate in {} in {}",
                claim_area_name(claim),
                claim.election
            )))
        }
    });
    Numeric { measure, ..numeric }
}

fn claim_area_name(claim: &Claim) -> String {
    match &claim.scope {
        Scope::Area(name) => name.clone(),
        Scope::Constituency(id) => id.to_string(),
    }
}

/// Whose votes a constituency figure counts.
enum Subject<'a> {
    Candidate(&'a CandidateResult),
    Party(PartyCode),
}

/// The candidate the claim names, else its party. In the earlier election of a change, a
/// candidate who did not stand then is replaced by their party, and a party that did not
/// stand counts as 0.
fn subject<'a>(
    claim: &Claim,
    tallies: &Tallies,
    seat: &'a ConstituencyResult,
    year: Year,
) -> Result<(Subject<'a>, Vec<String>), Gap> {
    let earlier = year != claim.election;
    let mut notes = Vec::new();
    if let Some(name) = &claim.candidate {
        if let Some(found) = lookup::candidate(seat, name) {
            notes.extend(found.note);
            return Ok((Subject::Candidate(found.candidate), notes));
        }
        let missing = || {
            Gap::Unverifiable(format!(
                "no candidate called {name:?} in {} in {year}",
                seat.name
            ))
        };
        if !earlier {
            return Err(missing());
        }
        let party = claim
            .party
            .clone()
            .or_else(|| {
                let now = lookup::seat(tallies, claim.election, &seat.id).ok()?;
                lookup::candidate(now, name).map(|f| f.candidate.party.clone())
            })
            .ok_or_else(missing)?;
        notes.push(format!(
            "{name} did not stand in {} in {year}: {party}'s votes then are used",
            seat.name
        ));
        if seat.party_votes(&party).is_none() {
            notes.push(format!(
                "{party} had no candidate in {} in {year}: counted as 0",
                seat.name
            ));
        }
        return Ok((Subject::Party(party), notes));
    }
    let party = claim.party.as_ref().ok_or_else(|| {
        Gap::Unverifiable(format!(
            "the {} claim names neither a candidate nor a party",
            claim.kind
        ))
    })?;
    if seat.party_votes(party).is_none() {
        if !earlier {
            return Err(Gap::Unverifiable(format!(
                "{party} had no candidate in {} in {year}",
                seat.name
            )));
        }
        notes.push(format!(
            "{party} had no candidate in {} in {year}: counted as 0",
            seat.name
        ));
    }
    Ok((Subject::Party(party.clone()), notes))
}

fn votes_or_share(claim: &Claim, tallies: &Tallies, unit: Unit) -> Numeric {
    let rule = match unit {
        Unit::Count => "votes = the candidate's votes, or the party's candidates' votes summed",
        Unit::Percent => {
            "share = the candidate's (or the party's summed) votes / valid votes x 100"
        }
    };
    over_change(claim, unit, rule, |year| match &claim.scope {
        Scope::Constituency(id) => seat_votes(claim, tallies, id, year, unit),
        Scope::Area(name) => area_votes(claim, tallies, name, year, unit),
    })
}

fn seat_votes(
    claim: &Claim,
    tallies: &Tallies,
    id: &ConstituencyId,
    year: Year,
    unit: Unit,
) -> Result<Measure, Gap> {
    let seat = lookup::seat(tallies, year, id)?;
    let (subject, notes) = subject(claim, tallies, seat, year)?;
    let (votes, share, mut rows) = match subject {
        Subject::Candidate(c) => (c.votes.0, seat.share(c), vec![votes_row(seat, c)]),
        Subject::Party(party) => (
            seat.party_votes(&party).map_or(0, |v| v.0),
            seat.party_share(&party).unwrap_or(0.0),
            seat.candidates
                .iter()
                .filter(|c| c.party == party)
                .map(|c| votes_row(seat, c))
                .collect(),
        ),
    };
    let value = match unit {
        Unit::Count => votes as f64,
        Unit::Percent => {
            rows.push(seat_row(
                seat,
                None,
                "valid_votes",
                seat.valid_votes.0.into(),
            ));
            share
        }
    };
    Ok(Measure::one(value, rows, notes))
}

fn area_votes(
    claim: &Claim,
    tallies: &Tallies,
    name: &str,
    year: Year,
    unit: Unit,
) -> Result<Measure, Gap> {
    let party = claim.party.as_ref().ok_or_else(|| {
        Gap::Unverifiable(format!(
            "a {} claim about an area must name a party",
            claim.kind
        ))
    })?;
    let area = lookup::area(tallies, year, name)?;
    let results = lookup::declared_area(tallies, year, &area)?;
    let mut notes = vec![format!(
        "summed over the {} constituencies in {area} in {year}",
        results.seat_count(&area)
    )];
    let share = match results.party_share(&area, party) {
        Some(share) => share,
        None if year == claim.election => {
            return Err(Gap::Unverifiable(format!(
                "{party} stood no candidate in {area} in {year}"
            )))
        }
        None => {
            notes.push(format!(
                "{party} stood no candidate in {area} in {year}: counted as 0"
            ));
            0.0
        }
    };
    let votes = results.party_votes(&area, party).0;
    let mut rows = vec![area_row(
        year,
        Some(party),
        format!("votes in {area}"),
        votes.into(),
    )];
    let value = match unit {
        Unit::Count => votes as f64,
        Unit::Percent => {
            rows.push(area_row(
                year,
                None,
                format!("valid_votes in {area}"),
                results.valid_votes(&area).0.into(),
            ));
            share
        }
    };
    Ok(Measure::one(value, rows, notes))
}

fn majority(claim: &Claim, tallies: &Tallies) -> Numeric {
    over_change(
        claim,
        Unit::Count,
        "majority = winner's votes - runner-up's votes",
        |year| {
            let seat = lookup::seat(tallies, year, constituency_scope(claim)?)?;
            let (Some(winner), Some(runner_up), Some(majority)) =
                (seat.winner(), seat.runner_up(), seat.majority())
            else {
                return Err(Gap::Unverifiable(format!(
                    "fewer than two candidates stood in {} in {year}: no majority",
                    seat.name
                )));
            };
            let mut notes = vec![format!(
                "{} ({}) won {} in {year}, ahead of {} ({})",
                winner.name, winner.party, seat.name, runner_up.name, runner_up.party
            )];
            if year == claim.election {
                notes.extend(not_the_winner(claim, seat, winner, year));
            }
            let rows = vec![
                votes_row(seat, winner),
                votes_row(seat, runner_up),
                seat_row(seat, None, "majority", majority.0.into()),
            ];
            Ok(Measure::one(majority.0 as f64, rows, notes))
        },
    )
}

/// A note when the claim's candidate (else its party) did not win the seat: the figure is
/// still the seat's majority, the winner's.
fn not_the_winner(
    claim: &Claim,
    seat: &ConstituencyResult,
    winner: &CandidateResult,
    year: Year,
) -> Option<String> {
    let compared = "the figure is compared with the winner's majority";
    if let Some(name) = &claim.candidate {
        return match lookup::candidate(seat, name) {
            Some(found) if std::ptr::eq(found.candidate, winner) => None,
            Some(found) => Some(format!(
                "{} did not win the seat in {year}: {compared}",
                found.candidate.name
            )),
            None => Some(format!(
                "no candidate called {name:?} in {} in {year}: {compared}",
                seat.name
            )),
        };
    }
    claim
        .party
        .as_ref()
        .filter(|p| **p != winner.party)
        .map(|p| format!("{p} did not win the seat in {year}: {compared}"))
}

fn swing(claim: &Claim, tallies: &Tallies) -> Numeric {
    Numeric {
        unit: Unit::Percent,
        rule: "swing = ((to-party's share now - then) - (from-party's share now - then)) / 2, \
               shares of the valid vote"
            .to_owned(),
        measure: swing_measure(claim, tallies),
    }
}

fn swing_measure(claim: &Claim, tallies: &Tallies) -> Result<Measure, Gap> {
    let to = party(claim)?;
    let mut notes = Vec::new();
    let before_year = match claim.change_from {
        Some(year) => year,
        None => {
            let year = tallies.previous(claim.election).ok_or_else(|| {
                Gap::Unverifiable(format!(
                    "no election before {} is known to swing from",
                    claim.election
                ))
            })?;
            notes.push(format!(
                "no earlier election stated: the swing since {year}"
            ));
            year
        }
    };
    let neither = |from: &PartyCode| {
        Gap::Unverifiable(format!(
            "neither {to} nor {from} stood in {before_year} or {}",
            claim.election
        ))
    };
    match &claim.scope {
        Scope::Constituency(id) => {
            let now = lookup::seat(tallies, claim.election, id)?;
            let before = lookup::seat(tallies, before_year, id)?;
            let from = match &claim.versus {
                Some(from) => from.clone(),
                None => {
                    let (from, why) = seat_swing_from(before, to)?;
                    notes.push(why);
                    from
                }
            };
            let value = butler_swing(now, before, to, &from).ok_or_else(|| neither(&from))?;
            let rows = [before, now]
                .into_iter()
                .flat_map(|seat| [to, &from].map(|party| seat_share_row(seat, party)))
                .collect();
            Ok(Measure::one(value, rows, notes))
        }
        Scope::Area(name) => {
            let area = lookup::area(tallies, claim.election, name)?;
            let now = lookup::declared_area(tallies, claim.election, &area)?;
            let before = lookup::declared_area(tallies, before_year, &area)?;
            let from = match &claim.versus {
                Some(from) => from.clone(),
                None => {
                    let (from, why) = area_swing_from(before, &area, before_year, to)?;
                    notes.push(why);
                    from
                }
            };
            let value =
                area_butler_swing(now, before, &area, to, &from).ok_or_else(|| neither(&from))?;
            let rows = [(before_year, before), (claim.election, now)]
                .into_iter()
                .flat_map(|(year, results)| {
                    [to, &from].map(|party| {
                        let share = results.party_share(&area, party).unwrap_or(0.0);
                        area_row(year, Some(party), format!("share in {area}"), round3(share))
                    })
                })
                .collect();
            notes.push(format!("shares of the votes summed over {area}"));
            Ok(Measure::one(value, rows, notes))
        }
    }
}

/// The party a swing without `versus` is from, in one seat: the seat's winner at the earlier
/// election, or its runner-up then if the winner was the party swung to.
fn seat_swing_from(
    before: &ConstituencyResult,
    to: &PartyCode,
) -> Result<(PartyCode, String), Gap> {
    let year = before.election;
    let winner = before.winner().ok_or_else(|| {
        Gap::Unverifiable(format!("no candidate stood in {} in {year}", before.name))
    })?;
    if &winner.party != to {
        return Ok((
            winner.party.clone(),
            format!(
                "no party swung from stated: taken as {}, the winner in {year}",
                winner.party
            ),
        ));
    }
    let runner_up = before.runner_up().ok_or_else(|| {
        Gap::Unverifiable(format!(
            "no party swung from stated, and {to} was unopposed in {} in {year}",
            before.name
        ))
    })?;
    Ok((
        runner_up.party.clone(),
        format!(
            "no party swung from stated: taken as {}, the runner-up in {year}, when {to} won",
            runner_up.party
        ),
    ))
}

/// The party a swing without `versus` is from, in an area: the party with the most votes
/// there at the earlier election, or the second if the first was the party swung to.
fn area_swing_from(
    before: &ElectionResults,
    area: &Area,
    year: Year,
    to: &PartyCode,
) -> Result<(PartyCode, String), Gap> {
    let mut by_votes: Vec<(PartyCode, u64)> = before
        .parties()
        .into_iter()
        .filter(|p| lookup::stood_in_area(before, area, p))
        .map(|p| {
            let votes = before.party_votes(area, &p).0;
            (p, votes)
        })
        .collect();
    by_votes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let (place, (from, _)) = by_votes
        .iter()
        .enumerate()
        .find(|(_, (p, _))| p != to)
        .ok_or_else(|| {
            Gap::Unverifiable(format!(
                "no party swung from stated, and no other party than {to} stood in {area} in \
                 {year}"
            ))
        })?;
    let which = if place == 0 { "most" } else { "second most" };
    Ok((
        from.clone(),
        format!("no party swung from stated: taken as {from}, the party with the {which} votes in {area} in {year}"),
    ))
}

/// A party's share in one seat as an evidence row (naming its candidate if it had one).
fn seat_share_row(seat: &ConstituencyResult, party: &PartyCode) -> EvidenceRow {
    let mut candidates = seat.candidates.iter().filter(|c| &c.party == party);
    let (first, more) = (candidates.next(), candidates.next().is_some());
    let mut row = seat_row(
        seat,
        first.filter(|_| !more),
        "share",
        round3(seat.party_share(party).unwrap_or(0.0)),
    );
    row.party = Some(party.clone());
    row
}

fn turnout(claim: &Claim, tallies: &Tallies) -> Numeric {
    over_change(
        claim,
        Unit::Percent,
        "turnout = valid votes / electorate x 100, or (valid + invalid votes) / electorate x 100",
        |year| {
            let (turnout, rows) = match &claim.scope {
                Scope::Constituency(id) => {
                    let seat = lookup::seat(tallies, year, id)?;
                    let rows = vec![
                        seat_row(seat, None, "electorate", seat.electorate.into()),
                        seat_row(seat, None, "valid_votes", seat.valid_votes.0.into()),
                        seat_row(seat, None, "invalid_votes", seat.invalid_votes.into()),
                    ];
                    (seat.turnout(), rows)
                }
                Scope::Area(name) => {
                    let area = lookup::area(tallies, year, name)?;
                    let results = lookup::declared_area(tallies, year, &area)?;
                    let turnout = results.turnout(&area).ok_or_else(|| {
                        Gap::Unverifiable(format!("no constituency in {area} in {year}"))
                    })?;
                    let rows = vec![
                        area_row(
                            year,
                            None,
                            format!("electorate in {area}"),
                            results.electorate(&area).into(),
                        ),
                        area_row(
                            year,
                            None,
                            format!("valid_votes in {area}"),
                            results.valid_votes(&area).0.into(),
                        ),
                        area_row(
                            year,
                            None,
                            format!("invalid_votes in {area}"),
                            results.invalid_votes(&area).into(),
                        ),
                    ];
                    (turnout, rows)
                }
            };
            Ok(turnout_measure(turnout, rows))
        },
    )
}

fn turnout_measure(turnout: Turnout, rows: Vec<EvidenceRow>) -> Measure {
    Measure {
        readings: vec![
            Reading {
                value: turnout.on_valid_votes,
                definition: Some("valid votes / electorate"),
            },
            Reading {
                value: turnout.on_all_ballots,
                definition: Some("valid and invalid votes / electorate"),
            },
        ],
        rows,
        notes: Vec::new(),
    }
}

fn rank(claim: &Claim, tallies: &Tallies) -> Numeric {
    let rule = match claim.scope {
        Scope::Constituency(_) => {
            "rank = place by votes, 1 for the winner (equal votes share a place); for a party, \
             its best candidate's place"
        }
        Scope::Area(_) => "rank = place among the parties by seats won in the area, from 1",
    };
    over_change(claim, Unit::Count, rule, |year| match &claim.scope {
        Scope::Constituency(id) => seat_rank(claim, tallies, id, year),
        Scope::Area(name) => area_rank(claim, tallies, name, year),
    })
}

fn seat_rank(
    claim: &Claim,
    tallies: &Tallies,
    id: &ConstituencyId,
    year: Year,
) -> Result<Measure, Gap> {
    let seat = lookup::seat(tallies, year, id)?;
    let mut notes = Vec::new();
    let candidate = match (&claim.candidate, &claim.party) {
        (Some(name), _) => {
            let found = lookup::candidate(seat, name).ok_or_else(|| {
                Gap::Unverifiable(format!(
                    "no candidate called {name:?} in {} in {year}",
                    seat.name
                ))
            })?;
            notes.extend(found.note);
            found.candidate
        }
        (None, Some(party)) => seat
            .candidates
            .iter()
            .filter(|c| &c.party == party)
            .max_by_key(|c| c.votes)
            .ok_or_else(|| {
                Gap::Unverifiable(format!(
                    "{party} had no candidate in {} in {year}",
                    seat.name
                ))
            })?,
        (None, None) => {
            return Err(Gap::Unverifiable(
                "the rank claim names neither a candidate nor a party".to_owned(),
            ))
        }
    };
    let place = seat
        .rank_of(&candidate.name)
        .ok_or_else(|| Gap::Unverifiable(format!("{} has no place in {year}", candidate.name)))?;
    let mut rows = vec![votes_row(seat, candidate)];
    if let Some(winner) = seat.winner().filter(|w| !std::ptr::eq(*w, candidate)) {
        rows.insert(0, votes_row(seat, winner));
    }
    Ok(Measure::one(place as f64, rows, notes))
}

fn area_rank(claim: &Claim, tallies: &Tallies, name: &str, year: Year) -> Result<Measure, Gap> {
    let party = party(claim)?;
    let area = lookup::area(tallies, year, name)?;
    let results = lookup::declared_area(tallies, year, &area)?;
    if !lookup::stood_in_area(results, &area, party) {
        return Err(Gap::Unverifiable(format!(
            "{party} stood no candidate in {area} in {year}"
        )));
    }
    let by_party = results.seats_by_party(&area);
    let own = by_party.get(party).copied().unwrap_or(0);
    let place = 1 + by_party.values().filter(|n| **n > own).count();
    let rows = by_party
        .iter()
        .map(|(p, n)| area_row(year, Some(p), format!("seats in {area}"), (*n).into()))
        .collect();
    Ok(Measure::one(place as f64, rows, Vec::new()))
}

fn threshold(claim: &Claim, tallies: &Tallies) -> Numeric {
    over_change(
        claim,
        Unit::Count,
        "threshold = floor(seats / 2) + 1, seats = all the UK's constituencies",
        |year| {
            let results = lookup::election(tallies, year)?;
            let area = lookup::area(tallies, year, area_scope(claim)?)?;
            if area != Area::Uk {
                return Err(Gap::Unverifiable(format!(
                    "a Commons majority is counted over the UK, not {area}"
                )));
            }
            let mut notes = Vec::new();
            let list = match lookup::expected_list(tallies, year) {
                Some(expected) => {
                    notes.push(format!(
                        "not every {year} result is declared yet: seats counted on the \
                         constituency list of the nearest other election"
                    ));
                    expected
                }
                None => results,
            };
            let rows = vec![area_row(
                year,
                None,
                "seats in UK".to_owned(),
                list.constituencies.len().into(),
            )];
            Ok(Measure::one(
                f64::from(list.majority_threshold()),
                rows,
                notes,
            ))
        },
    )
}
