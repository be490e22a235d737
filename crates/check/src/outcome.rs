//! Outcome claims: who won the seat. The claim names the winning party, or says that a
//! named candidate (else a party) won or lost.

use newsroom_claims::{Claim, Claimed, EvidenceRow, Outcome, Scope};
use newsroom_tally::{CandidateResult, ConstituencyResult, Tallies};

use crate::lookup::{self, votes_row, Gap};
use crate::{verdict, Judged};

const RULE: &str = "the winner is the candidate with the most votes";

/// Judges an outcome claim against the seat's winner.
pub(crate) fn judge(claim: &Claim, tallies: &Tallies) -> Judged {
    match judge_seat(claim, tallies) {
        Ok(judged) => judged,
        Err(gap) => Judged::gap(RULE.to_owned(), gap),
    }
}

fn judge_seat(claim: &Claim, tallies: &Tallies) -> Result<Judged, Gap> {
    let id = match &claim.scope {
        Scope::Constituency(id) => id,
        Scope::Area(area) => {
            return Err(Gap::Unverifiable(format!(
                "an outcome is judged for one constituency, and {area:?} is an area"
            )))
        }
    };
    let Claimed::Outcome(outcome) = &claim.claimed else {
        return Err(Gap::Unverifiable(
            "an outcome claim names a party, or says won or lost, and this one states a number"
                .to_owned(),
        ));
    };
    let seat = lookup::seat(tallies, claim.election, id)?;
    let winner = seat.winner().ok_or_else(|| {
        Gap::Unverifiable(format!(
            "no candidate stood in {} in {}",
            seat.name, claim.election
        ))
    })?;
    let mut rows = vec![votes_row(seat, winner)];
    let mut notes = Vec::new();
    if let Some(runner_up) = seat.runner_up() {
        rows.push(votes_row(seat, runner_up));
    }
    let (official, agrees) = match outcome {
        Outcome::Party(party) => {
            if !seat.candidates.iter().any(|c| &c.party == party) {
                notes.push(format!(
                    "{party} had no candidate in {} in {}",
                    seat.name, claim.election
                ));
            }
            (winner.party.0.clone(), &winner.party == party)
        }
        Outcome::Won | Outcome::Lost => {
            let won = subject_won(claim, seat, winner, &mut rows, &mut notes)?;
            let official = if won { "won" } else { "lost" };
            (official.to_owned(), won == (*outcome == Outcome::Won))
        }
    };
    notes.insert(
        0,
        format!(
            "{} ({}) won {} in {}",
            winner.name, winner.party, seat.name, claim.election
        ),
    );
    Ok(Judged {
        official: official.into(),
        verdict: verdict(agrees),
        rule: RULE.to_owned(),
        tolerance: Some("exact".to_owned()),
        rows,
        notes,
    })
}

/// Whether the claim's candidate (else its party) won the seat.
fn subject_won(
    claim: &Claim,
    seat: &ConstituencyResult,
    winner: &CandidateResult,
    rows: &mut Vec<EvidenceRow>,
    notes: &mut Vec<String>,
) -> Result<bool, Gap> {
    let year = claim.election;
    if let Some(name) = &claim.candidate {
        let found = lookup::candidate(seat, name).ok_or_else(|| {
            Gap::Unverifiable(format!(
                "no candidate called {name:?} in {} in {year}",
                seat.name
            ))
        })?;
        notes.extend(found.note);
        let won = std::ptr::eq(found.candidate, winner);
        if !won
            && !rows
                .iter()
                .any(|r| r.candidate.as_deref() == Some(&found.candidate.name))
        {
            rows.push(votes_row(seat, found.candidate));
        }
        return Ok(won);
    }
    if let Some(party) = &claim.party {
        if !seat.candidates.iter().any(|c| &c.party == party) {
            return Err(Gap::Unverifiable(format!(
                "{party} had no candidate in {} in {year}",
                seat.name
            )));
        }
        return Ok(&winner.party == party);
    }
    Err(Gap::Unverifiable(
        "the claim says won or lost but names neither a candidate nor a party".to_owned(),
    ))
}
