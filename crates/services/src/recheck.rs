//! The checker's functional core: its view of the store (the official tallies, every claim
//! with its latest report, which claims were reviewed) and what to append for each event it
//! reads, in store order.
//!
//! Re-checks are driven by a [`ClaimIndex`] from official figures to the claims whose last
//! check depended on them: a declaration or correction of one constituency re-checks the
//! claims about that seat (or whose evidence used it), the claims about an area holding it,
//! and the claims waiting for the first result of its election, never all claims.
//!
//! The view is a pure fold over the store's events: the same events in the same order give
//! the same state and the same decisions, whatever the timing. That is what makes the
//! checker restartable (rebuild the view by replaying the store up to its checkpoint, go on
//! from there) and its output idempotent (every event it appends has an id derived from the
//! event that caused it and the claim).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use newsroom_check::{awaiting_results, check, resolve_area};
use newsroom_claims::{CheckReport, Claim, ClaimId, Kind, Scope};
use newsroom_events::{
    ClaimChecked, ClaimsExtracted, Envelope, Event, GlobalPosition, OverrideApproved,
    ReviewAssigned, ReviewDecided, ReviewReopened, StreamVersion, TallyCorrected, TallyDeclared,
    VerdictChanged,
};
use newsroom_tally::{Area, ConstituencyId, ConstituencyResult, Tallies, Year};

use crate::decide::{checked_name, Append, Rejection, CHECKER_SOURCE};

/// Who the checker says reopened a review.
pub const CHECKER_REVIEWER: &str = "checker";

/// The event types the checker reads: the extractions it checks, the tally events it
/// re-checks on, and the review events that tell it which claims were reviewed.
pub const CHECKER_INPUTS: [&str; 7] = [
    ClaimsExtracted::TYPE,
    TallyDeclared::TYPE,
    TallyCorrected::TYPE,
    ReviewAssigned::TYPE,
    ReviewDecided::TYPE,
    OverrideApproved::TYPE,
    ReviewReopened::TYPE,
];

/// An official figure a claim's check depended on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dependency {
    /// One constituency's result at one election.
    Seat(Year, ConstituencyId),
    /// The results of the seats of the area a place name means, at one election.
    Area(Year, String),
    /// An election of which no result was known: its first declaration bears on the claim.
    Election(Year),
}

/// The official figures a check of `claim` depended on, given its report and the tallies it
/// was judged on:
/// - for each election the claim reads (its own, the one it measures a change from, and
///   for a swing the previous election known), its seat or its area in that election, and
///   the election itself while none of its results is known;
/// - for a claim about a seat, every constituency its evidence rows name. (The rows of an
///   area claim all lie in the area, which its area dependency covers already.)
pub fn dependencies(
    claim: &Claim,
    report: &CheckReport,
    tallies: &Tallies,
) -> BTreeSet<Dependency> {
    let mut years = BTreeSet::from([claim.election]);
    years.extend(claim.change_from);
    if claim.kind == Kind::Swing {
        years.extend(tallies.previous(claim.election));
    }
    let mut dependencies = BTreeSet::new();
    for &year in &years {
        let known = tallies
            .election(year)
            .is_some_and(|e| !e.constituencies.is_empty());
        if !known {
            dependencies.insert(Dependency::Election(year));
        }
        dependencies.insert(match &claim.scope {
            Scope::Constituency(id) => Dependency::Seat(year, id.clone()),
            Scope::Area(name) => Dependency::Area(year, name.clone()),
        });
    }
    if let Scope::Constituency(_) = &claim.scope {
        for row in &report.evidence.rows {
            if let Some(id) = &row.constituency_id {
                dependencies.insert(Dependency::Seat(row.election, id.clone()));
            }
        }
    }
    dependencies
}

/// One constituency's result changing in the tallies (declared, re-declared or corrected),
/// with what the tallies said before it.
#[derive(Debug, Clone, Copy)]
pub struct TallyChange<'a> {
    /// The result as it now stands.
    pub result: &'a ConstituencyResult,
    /// The result it replaced, if the seat had declared before.
    pub replaced: Option<&'a ConstituencyResult>,
    /// Whether no result of the election was known before.
    pub first_of_election: bool,
    /// Elections that were awaiting results before the change (see
    /// [`newsroom_check::awaiting_results`]).
    pub awaiting_before: &'a BTreeSet<Year>,
}

/// Which claims depend on which official figures: the checker's index from figures to the
/// claims to re-check when they change. Kept in step with each claim's latest check.
#[derive(Debug, Default, Clone)]
pub struct ClaimIndex {
    by_dependency: BTreeMap<Dependency, BTreeSet<ClaimId>>,
    of_claim: HashMap<ClaimId, BTreeSet<Dependency>>,
    /// The area each indexed place name resolved to at its election when last looked at.
    areas: BTreeMap<(Year, String), Option<Area>>,
}

impl ClaimIndex {
    pub fn new() -> ClaimIndex {
        ClaimIndex::default()
    }

    /// How many claims are indexed.
    pub fn len(&self) -> usize {
        self.of_claim.len()
    }

    pub fn is_empty(&self) -> bool {
        self.of_claim.is_empty()
    }

    /// The figures the claim's latest check depended on.
    pub fn dependencies_of(&self, claim: &ClaimId) -> Option<&BTreeSet<Dependency>> {
        self.of_claim.get(claim)
    }

    /// The claims whose latest check depended on the figure.
    pub fn dependents(&self, dependency: &Dependency) -> impl Iterator<Item = &ClaimId> + '_ {
        self.by_dependency.get(dependency).into_iter().flatten()
    }

    /// Records (or replaces) the figures a claim depends on; place names new to the index
    /// are resolved against `tallies`.
    pub fn set(&mut self, claim: &ClaimId, dependencies: BTreeSet<Dependency>, tallies: &Tallies) {
        let old = self.of_claim.remove(claim).unwrap_or_default();
        for gone in old.difference(&dependencies) {
            if let Some(claims) = self.by_dependency.get_mut(gone) {
                claims.remove(claim);
                if claims.is_empty() {
                    self.by_dependency.remove(gone);
                    if let Dependency::Area(year, name) = gone {
                        self.areas.remove(&(*year, name.clone()));
                    }
                }
            }
        }
        for new in dependencies.difference(&old) {
            if let Dependency::Area(year, name) = new {
                self.areas
                    .entry((*year, name.clone()))
                    .or_insert_with(|| resolve_area(tallies, *year, name));
            }
            self.by_dependency
                .entry(new.clone())
                .or_default()
                .insert(claim.clone());
        }
        self.of_claim.insert(claim.clone(), dependencies);
    }

    /// The claims a change of one constituency's result bears on, `tallies` being the
    /// tallies after the change: the claims about the seat (or whose evidence used it),
    /// those waiting for the election's first result, and those about an area that holds
    /// the seat, before or after the change, or whose place name the change makes mean
    /// another area. Looks at the place names indexed for the election, not at the claims.
    pub fn affected_by(&mut self, change: TallyChange<'_>, tallies: &Tallies) -> BTreeSet<ClaimId> {
        let result = change.result;
        let year = result.election;
        let mut affected = BTreeSet::new();
        let mut take = |by_dependency: &BTreeMap<Dependency, BTreeSet<ClaimId>>, d: Dependency| {
            if let Some(claims) = by_dependency.get(&d) {
                affected.extend(claims.iter().cloned());
            }
        };
        take(
            &self.by_dependency,
            Dependency::Seat(year, result.id.clone()),
        );
        if change.first_of_election {
            take(&self.by_dependency, Dependency::Election(year));
        }
        let new_seat = change.replaced.is_none();
        if new_seat {
            // Elections still being declared read this election's list as the one they
            // are expected to end with: their claims about this seat may stop (or start)
            // being pending.
            let awaiting: Vec<Year> = change
                .awaiting_before
                .iter()
                .copied()
                .filter(|y| *y != year)
                .collect();
            for other in awaiting {
                take(
                    &self.by_dependency,
                    Dependency::Seat(other, result.id.clone()),
                );
            }
        }
        let completed = change.awaiting_before.contains(&year) != awaiting_results(tallies, year);
        let mut hit_names = Vec::new();
        for ((name_year, name), resolved) in self.areas.iter_mut() {
            let same_year = *name_year == year;
            let bears = same_year
                && (result.bears_area_name(name)
                    || change.replaced.is_some_and(|r| r.bears_area_name(name)));
            // A new seat of another election matters to names only while that election
            // is still being declared (it may be read through this election's list).
            let other_awaiting =
                !same_year && new_seat && change.awaiting_before.contains(name_year);
            let mut hit = false;
            if (same_year && (bears || completed || change.first_of_election)) || other_awaiting {
                let now = resolve_area(tallies, *name_year, name);
                if now != *resolved {
                    *resolved = now;
                    hit = true;
                }
            }
            if same_year {
                if let Some(area) = resolved {
                    hit |=
                        area.contains(result) || change.replaced.is_some_and(|r| area.contains(r));
                }
            }
            if hit {
                hit_names.push(Dependency::Area(*name_year, name.clone()));
            }
        }
        for dependency in hit_names {
            take(&self.by_dependency, dependency);
        }
        affected
    }
}

/// What the checker decided for one event: the appends, and which claims it re-checked
/// (whether or not their report changed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    pub appends: Vec<Append>,
    pub rechecked: Vec<ClaimId>,
}

/// One claim as the checker knows it.
#[derive(Debug, Clone)]
struct Tracked {
    claim: Claim,
    report: CheckReport,
}

/// The checker's view of the store: the official tallies, every claim with its latest
/// report, the index of which claims depend on which figures, and which claims were
/// reviewed. Built by [`CheckerView::apply`]-ing the store's events in order.
#[derive(Debug, Default, Clone)]
pub struct CheckerView {
    tallies: Tallies,
    claims: HashMap<ClaimId, Tracked>,
    index: ClaimIndex,
    reviewed: HashSet<ClaimId>,
    position: GlobalPosition,
}

impl CheckerView {
    pub fn new() -> CheckerView {
        CheckerView::default()
    }

    /// The store position of the last event applied.
    pub fn position(&self) -> GlobalPosition {
        self.position
    }

    /// The tallies as the events applied so far declare and correct them.
    pub fn tallies(&self) -> &Tallies {
        &self.tallies
    }

    pub fn index(&self) -> &ClaimIndex {
        &self.index
    }

    /// The claim's latest report, as the checker decided it.
    pub fn report(&self, claim: &ClaimId) -> Option<&CheckReport> {
        self.claims.get(claim).map(|t| &t.report)
    }

    /// How many claims the checker knows.
    pub fn claim_count(&self) -> usize {
        self.claims.len()
    }

    /// Applies one event and says what to append because of it:
    /// - `claims.extracted`: each claim is checked against the tallies so far, indexed, and
    ///   gets a `claim.checked` (id derived from the extraction's and the claim id);
    /// - `tally.declared` / `tally.corrected`: the tallies take the result, and the claims
    ///   it bears on (see [`ClaimIndex::affected_by`]) are re-checked. A claim whose report
    ///   changed (the tally version it was judged on aside) gets a new `claim.checked`; one
    ///   whose verdict changed also a `verdict.changed` (from, to, the declaration or
    ///   correction, the tally version), and if it had been reviewed a `review.reopened` by
    ///   `checker`. Their ids are derived from the tally event's and the claim id;
    /// - a review event marks its claim as reviewed; anything else changes nothing.
    ///
    /// An event at or before the view's position (one it has applied) changes nothing. An
    /// event of the checker's types that does not decode is refused (the view moves past it).
    pub fn apply(&mut self, envelope: &Envelope) -> Result<Decision, Rejection> {
        if let Some(position) = envelope.position {
            if position <= self.position {
                return Ok(Decision::default());
            }
            self.position = position;
        }
        if !CHECKER_INPUTS.contains(&envelope.event_type.as_str()) {
            return Ok(Decision::default());
        }
        match envelope.decode()? {
            Event::ClaimsExtracted(extracted) => Ok(self.on_extracted(envelope, extracted)),
            Event::TallyDeclared(declared) => Ok(self.on_tally(envelope, declared.result, None)),
            Event::TallyCorrected(corrected) => {
                Ok(self.on_tally(envelope, corrected.result, Some(corrected.reason)))
            }
            Event::ReviewAssigned(e) => Ok(self.on_reviewed(e.claim_id)),
            Event::ReviewDecided(e) => Ok(self.on_reviewed(e.claim_id)),
            Event::OverrideApproved(e) => Ok(self.on_reviewed(e.claim_id)),
            Event::ReviewReopened(e) => Ok(self.on_reviewed(e.claim_id)),
            _ => Ok(Decision::default()),
        }
    }

    fn on_reviewed(&mut self, claim: ClaimId) -> Decision {
        self.reviewed.insert(claim);
        Decision::default()
    }

    fn on_extracted(&mut self, cause: &Envelope, extracted: ClaimsExtracted) -> Decision {
        let mut decision = Decision::default();
        for claim in extracted.claims {
            let report = check(&claim, &self.tallies);
            let dependencies = dependencies(&claim, &report, &self.tallies);
            self.index.set(&claim.claim_id, dependencies, &self.tallies);
            decision.appends.push(checked_append(cause, &report));
            self.claims
                .insert(claim.claim_id.clone(), Tracked { claim, report });
        }
        decision
    }

    fn on_tally(
        &mut self,
        cause: &Envelope,
        result: ConstituencyResult,
        correction: Option<String>,
    ) -> Decision {
        let year = result.election;
        let replaced = self
            .tallies
            .election(year)
            .and_then(|e| e.constituency(&result.id))
            .cloned();
        let first_of_election = self
            .tallies
            .election(year)
            .is_none_or(|e| e.constituencies.is_empty());
        let awaiting_before: BTreeSet<Year> = self
            .tallies
            .years()
            .filter(|y| awaiting_results(&self.tallies, *y))
            .collect();
        let why = match &correction {
            Some(reason) => format!(
                "the {year} result of {} ({}) was corrected: {reason}",
                result.name, result.id
            ),
            None if replaced.is_some() => {
                format!(
                    "{} ({}) re-declared its {year} result",
                    result.name, result.id
                )
            }
            None => format!("{} ({}) declared its {year} result", result.name, result.id),
        };
        self.tallies.declare(result.clone());
        let change = TallyChange {
            result: &result,
            replaced: replaced.as_ref(),
            first_of_election,
            awaiting_before: &awaiting_before,
        };
        let affected = self.index.affected_by(change, &self.tallies);
        let mut decision = Decision::default();
        for claim in affected {
            decision.appends.extend(self.recheck(&claim, cause, &why));
            decision.rechecked.push(claim);
        }
        decision
    }

    /// Re-checks one claim because of `cause`; the appends if its report changed.
    fn recheck(&mut self, claim_id: &ClaimId, cause: &Envelope, why: &str) -> Vec<Append> {
        let Some(tracked) = self.claims.get_mut(claim_id) else {
            return Vec::new();
        };
        let report = check(&tracked.claim, &self.tallies);
        let dependencies = dependencies(&tracked.claim, &report, &self.tallies);
        self.index.set(claim_id, dependencies, &self.tallies);
        if same_judgement(&tracked.report, &report) {
            return Vec::new();
        }
        let mut appends = vec![checked_append(cause, &report)];
        let (from, to) = (tracked.report.verdict, report.verdict);
        if from != to {
            let changed = Event::VerdictChanged(VerdictChanged {
                article: report.article.clone(),
                claim_id: claim_id.clone(),
                from,
                to,
                reason: why.to_owned(),
                tally_version: self.tallies.version(),
            });
            let name = format!("{}/{claim_id}", VerdictChanged::TYPE);
            appends.push(Append::one(Envelope::derived(
                &changed,
                StreamVersion(1),
                CHECKER_SOURCE,
                cause,
                &name,
            )));
            if self.reviewed.contains(claim_id) {
                let reopened = Event::ReviewReopened(ReviewReopened {
                    claim_id: claim_id.clone(),
                    reason: format!("the verdict changed from {from} to {to}: {why}"),
                    by: CHECKER_REVIEWER.to_owned(),
                });
                let name = format!("{}/{claim_id}", ReviewReopened::TYPE);
                appends.push(Append::one(Envelope::derived(
                    &reopened,
                    StreamVersion(1),
                    CHECKER_SOURCE,
                    cause,
                    &name,
                )));
            }
        }
        tracked.report = report;
        appends
    }
}

/// Whether two reports of a claim say the same, the tally version they were judged on aside.
pub fn same_judgement(a: &CheckReport, b: &CheckReport) -> bool {
    let mut a = a.clone();
    a.evidence.tally_version = b.evidence.tally_version;
    a == *b
}

/// A `claim.checked` with the report, its id derived from the cause's and the claim id.
fn checked_append(cause: &Envelope, report: &CheckReport) -> Append {
    let event = Event::ClaimChecked(ClaimChecked {
        report: report.clone(),
    });
    let name = checked_name(&report.claim_id.0);
    Append::one(Envelope::derived(
        &event,
        StreamVersion(1),
        CHECKER_SOURCE,
        cause,
        &name,
    ))
}
