//! Read models built from the store: the official tallies the extractor and checker judge
//! by, and the check results per claim.

use std::collections::BTreeMap;

use newsroom_claims::CheckReport;
use newsroom_events::{ClaimChecked, Envelope, Event, GlobalPosition};
use newsroom_store::EventStore;
use newsroom_tally::Tallies;

use crate::decide::apply_tally;
use crate::ServiceError;

/// Events read per query when a projection catches up.
const PAGE: usize = 1000;

/// The official tallies as the store's `tally.declared` events say, kept up to date by
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

    /// Applies one event (anything but `tally.declared` is passed over). A stored
    /// `tally.declared` whose payload this build cannot read is logged and passed over.
    pub fn apply(&mut self, envelope: &Envelope) {
        if let Err(rejection) = apply_tally(&mut self.tallies, envelope) {
            tracing::warn!(event_id = %envelope.event_id, %rejection, "tally event passed over");
        }
        if let Some(position) = envelope.position {
            self.position = self.position.max(position);
        }
    }

    /// Reads every event after the projection's position up to the store's head; returns
    /// how many declarations were applied.
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
