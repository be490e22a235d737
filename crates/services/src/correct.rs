//! Corrections of official results: one candidate's votes changed after the declaration (a
//! recount, a clerical error), published as a `tally.corrected` carrying the whole
//! corrected result.
//!
//! How a corrected result is made ([`corrected_result`]): the candidate's votes are
//! replaced; the valid votes become the sum of the candidates' votes (in the official
//! results the valid votes are exactly that sum, so a candidate's extra votes are extra
//! valid votes; the Croydon South correction of 2015 moved both by 270); the candidates are
//! put back in descending order of votes (a correction can change places); electorate and
//! invalid votes stay as declared. It is refused when it changes nothing or when the valid
//! and invalid votes would exceed the electorate.

use newsroom_events::Envelope;
use newsroom_store::EventStore;
use newsroom_tally::{ConstituencyId, ConstituencyResult, Votes, Year};

use crate::produce::{tally_corrected_event, Delivered, Publish};
use crate::projection::TallyProjection;
use crate::ServiceError;

/// One correction: in `constituency` at `election`, `candidate` has `votes`, because `reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub election: Year,
    /// An ONS code (`E14000656`) or the official name (`Croydon South`, any case).
    pub constituency: String,
    /// The candidate's official name (any case).
    pub candidate: String,
    pub votes: Votes,
    pub reason: String,
}

/// Why a correction cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum CorrectionError {
    #[error("no result of {constituency:?} at the {election} election is known")]
    UnknownConstituency {
        election: Year,
        constituency: String,
    },
    #[error("{constituency} has no candidate {candidate:?} (candidates: {known})")]
    UnknownCandidate {
        constituency: String,
        candidate: String,
        known: String,
    },
    #[error("{candidate} already has {votes} votes in {constituency}: nothing to correct")]
    NoChange {
        constituency: String,
        candidate: String,
        votes: u64,
    },
    #[error(
        "in {constituency}, {valid} valid and {invalid} invalid votes would exceed the \
         electorate of {electorate}"
    )]
    ExceedsElectorate {
        constituency: String,
        valid: u64,
        invalid: u64,
        electorate: u64,
    },
    #[error("a correction needs a reason")]
    NoReason,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// The result with `candidate`'s votes set to `votes` (see the module docs for what else
/// follows and when it is refused).
pub fn corrected_result(
    current: &ConstituencyResult,
    candidate: &str,
    votes: Votes,
) -> Result<ConstituencyResult, CorrectionError> {
    let seat = || format!("{} ({})", current.name, current.id);
    let found = current.candidate(candidate.trim());
    let Some(index) = current
        .candidates
        .iter()
        .position(|c| found.is_some_and(|f| std::ptr::eq(c, f)))
    else {
        return Err(CorrectionError::UnknownCandidate {
            constituency: seat(),
            candidate: candidate.to_owned(),
            known: current
                .candidates
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    if current.candidates[index].votes == votes {
        return Err(CorrectionError::NoChange {
            constituency: seat(),
            candidate: current.candidates[index].name.clone(),
            votes: votes.0,
        });
    }
    let mut corrected = current.clone();
    corrected.candidates[index].votes = votes;
    // Stable: candidates with equal votes keep their declared order.
    corrected
        .candidates
        .sort_by_key(|c| std::cmp::Reverse(c.votes));
    corrected.valid_votes = corrected.candidates.iter().map(|c| c.votes).sum();
    let ballots = corrected.valid_votes.0 + corrected.invalid_votes;
    if ballots > corrected.electorate {
        return Err(CorrectionError::ExceedsElectorate {
            constituency: seat(),
            valid: corrected.valid_votes.0,
            invalid: corrected.invalid_votes,
            electorate: corrected.electorate,
        });
    }
    Ok(corrected)
}

/// The constituency a correction names, by ONS code or official name, among the results
/// of its election.
fn find<'a>(
    projection: &'a TallyProjection,
    election: Year,
    constituency: &str,
) -> Option<&'a ConstituencyResult> {
    let results = projection.tallies().election(election)?;
    match ConstituencyId::parse(constituency.trim()) {
        Ok(id) => results.constituency(&id),
        Err(_) => results.constituency_named(constituency.trim()),
    }
}

/// What a published correction was.
#[derive(Debug, Clone)]
pub struct Corrected {
    pub before: ConstituencyResult,
    pub envelope: Envelope,
    pub delivered: Delivered,
}

/// Reads the constituency's current result from the tallies projection of `store`, applies
/// the correction ([`corrected_result`]) and publishes it as a `tally.corrected` with
/// `source` through `producer` (the inbox, or the store itself).
pub async fn correct<P: Publish + ?Sized>(
    store: &dyn EventStore,
    producer: &P,
    correction: &Correction,
    source: &str,
) -> Result<Corrected, CorrectionError> {
    if correction.reason.trim().is_empty() {
        return Err(CorrectionError::NoReason);
    }
    let mut projection = TallyProjection::new();
    projection.catch_up(store).await?;
    let before = find(&projection, correction.election, &correction.constituency)
        .ok_or_else(|| CorrectionError::UnknownConstituency {
            election: correction.election,
            constituency: correction.constituency.clone(),
        })?
        .clone();
    let after = corrected_result(&before, &correction.candidate, correction.votes)?;
    let envelope = tally_corrected_event(after, correction.reason.trim(), source);
    let delivered = producer.publish(&envelope).await?;
    tracing::info!(
        constituency = %before.name,
        candidate = %correction.candidate,
        votes = correction.votes.0,
        ?delivered,
        "correction published"
    );
    Ok(Corrected {
        before,
        envelope,
        delivered,
    })
}
