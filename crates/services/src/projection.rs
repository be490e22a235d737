//! Read models built from the store: the official tallies the extractor and checker judge
//! by, and the check results per claim.

use std::collections::BTreeMap;

use newsroom_claims::{CheckReport, ClaimId, Verdict};
use newsroom_events::{
    claim_stream, ClaimChecked, Envelope, Event, GlobalPosition, VerdictChanged,
};
use newsroom_store::EventStore;
use newsroom_tally::Tallies;

use crate::decide::apply_tally;
use crate::ServiceError;

/// Events read per query when a projection catches up.
const PAGE: usize = 1000;

/// The official tallies as the store's `tally.declared` and `tally.corrected` events say
/// (a correction replaces the constituency's result), kept up to date by
/// [`TallyProjection::catch_up`]: replayed from the start on the first call, then only the
/// events appended since.
#[derive(Debug, Default)]
pub struct TallyProjection {
    tallies: Tallies,
    position: GlobalPosition,
}

impl TallyProjection {
    pub fn new() -> TallyProjection {
        TallyProjection::default()
    }

    pub fn tallies(&self) -> &Tallies {
        &self.tallies
    }

    /// The store position the projection has read up to.
    pub fn position(&self) -> GlobalPosition {
        self.position
    }

    /// Applies one event (anything but `tally.declared` and `tally.corrected` is passed
    /// over; so is an event at or before the projection's position). A stored tally event
    /// whose payload this build cannot read is logged and passed over.
    pub fn apply(&mut self, envelope: &Envelope) {
        if envelope.position.is_some_and(|p| p <= self.position) {
            return;
        }
        if let Err(rejection) = apply_tally(&mut self.tallies, envelope) {
            tracing::warn!(event_id = %envelope.event_id, %rejection, "tally event passed over");
        }
        if let Some(position) = envelope.position {
            self.position = self.position.max(position);
        }
    }

    /// Reads every event after the projection's position up to the store's head; returns
    /// how many declarations and corrections were applied.
    pub async fn catch_up(&mut self, store: &dyn EventStore) -> Result<u64, ServiceError> {
        let before = self.tallies.version();
        loop {
            let events = store.read_all_after(self.position, PAGE).await?;
            let Some(last) = events.last() else { break };
            let last = last
                .position
                .ok_or(ServiceError::Unpositioned(last.event_id))?;
            for envelope in &events {
                self.apply(envelope);
            }
            self.position = last;
            if events.len() < PAGE {
                break;
            }
        }
        let applied = self.tallies.version() - before;
        if applied > 0 {
            tracing::debug!(
                applied,
                version = self.tallies.version(),
                "tallies caught up"
            );
        }
        Ok(applied)
    }
}

/// The latest check report of each claim, from `claim.checked` events in store order.
#[derive(Debug, Default)]
pub struct ResultsProjection {
    latest: BTreeMap<String, CheckReport>,
}

impl ResultsProjection {
    pub fn new() -> ResultsProjection {
        ResultsProjection::default()
    }

    /// Applies one event: a `claim.checked` replaces the claim's earlier report; anything
    /// else (and a report this build cannot read, which is logged) is passed over.
    pub fn apply(&mut self, envelope: &Envelope) {
        if envelope.event_type != ClaimChecked::TYPE {
            return;
        }
        match envelope.decode() {
            Ok(Event::ClaimChecked(checked)) => {
                self.latest
                    .insert(checked.report.claim_id.0.clone(), checked.report);
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(event_id = %envelope.event_id, %error, "check report passed over")
            }
        }
    }

    /// The reports, of one article or all, ordered by article, then span, then claim id.
    pub fn reports(&self, article: Option<&str>) -> Vec<CheckReport> {
        let mut reports: Vec<CheckReport> = self
            .latest
            .values()
            .filter(|r| article.is_none_or(|a| r.article == a))
            .cloned()
            .collect();
        reports.sort_by(|a, b| {
            (&a.article, a.span, &a.claim_id).cmp(&(&b.article, b.span, &b.claim_id))
        });
        reports
    }
}

/// The latest check report of each claim in the store, of one article or all, ordered by
/// article, then span.
pub async fn results(
    store: &dyn EventStore,
    article: Option<&str>,
) -> Result<Vec<CheckReport>, ServiceError> {
    let mut projection = ResultsProjection::new();
    let mut position = GlobalPosition(0);
    loop {
        let events = store.read_all_after(position, PAGE).await?;
        let Some(last) = events.last() else { break };
        position = last
            .position
            .ok_or(ServiceError::Unpositioned(last.event_id))?;
        for envelope in &events {
            projection.apply(envelope);
        }
        if events.len() < PAGE {
            break;
        }
    }
    Ok(projection.reports(article))
}

/// The check history of one claim, from its stream `claim-<claim id>`: every report in the
/// order the checker published them, and every verdict change with its reason. Each report
/// records the tally version it was judged on, so the history answers both "was it right
/// when published?" ([`ClaimHistory::first`]) and "is it right now?"
/// ([`ClaimHistory::latest`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimHistory {
    pub claim_id: ClaimId,
    /// Every `claim.checked` report, oldest first.
    pub reports: Vec<CheckReport>,
    /// Every `verdict.changed`, oldest first.
    pub changes: Vec<VerdictChanged>,
}

impl ClaimHistory {
    /// The first report: the verdict when the claim was first checked.
    pub fn first(&self) -> Option<&CheckReport> {
        self.reports.first()
    }

    /// The latest report: the verdict now.
    pub fn latest(&self) -> Option<&CheckReport> {
        self.reports.last()
    }

    /// The verdicts in order, each with the tally version it was judged on.
    pub fn verdicts(&self) -> Vec<(Verdict, Option<u64>)> {
        self.reports
            .iter()
            .map(|r| (r.verdict, r.evidence.tally_version))
            .collect()
    }
}

/// The check history of one claim (empty if the store holds none).
pub async fn claim_history(
    store: &dyn EventStore,
    claim_id: &ClaimId,
) -> Result<ClaimHistory, ServiceError> {
    let mut history = ClaimHistory {
        claim_id: claim_id.clone(),
        reports: Vec::new(),
        changes: Vec::new(),
    };
    for envelope in store.read_stream(&claim_stream(&claim_id.0)).await? {
        match envelope.decode() {
            Ok(Event::ClaimChecked(checked)) => history.reports.push(checked.report),
            Ok(Event::VerdictChanged(changed)) => history.changes.push(changed),
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(event_id = %envelope.event_id, %error, "claim event passed over")
            }
        }
    }
    Ok(history)
}
