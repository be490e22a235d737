//! The review read model: a projection of the event store rebuilt by replay and kept up
//! to date by reading what was appended since. It holds the submitted article bodies, each
//! claim's latest check report, check history and review state, and the active tokens.

use std::cmp::Reverse;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use newsroom_claims::{CheckReport, ClaimId, Kind, Verdict};
use newsroom_events::{
    ArticleSubmitted, ClaimChecked, Envelope, Event, GlobalPosition, OverrideApproved,
    ReviewAssigned, ReviewDecided, ReviewReopened, TokenIssued, TokenRevoked, VerdictChanged,
};
use newsroom_store::EventStore;

use crate::access::TokenRegistry;
use crate::context::locate;
use crate::input::{ArticleKey, ClaimKey, PersonName};
use crate::review::{Review, Status};
use crate::views::{ClaimView, HistoryEntry, QueueItem, QueuePage, ReviewView, QUEUE_VERDICTS};
use crate::ReviewError;

/// Events read per query when the projection catches up.
const PAGE: usize = 1000;

/// The event types the projection reads; it passes over the rest without decoding them.
const TYPES: &[&str] = &[
    ArticleSubmitted::TYPE,
    ClaimChecked::TYPE,
    VerdictChanged::TYPE,
    ReviewAssigned::TYPE,
    ReviewDecided::TYPE,
    OverrideApproved::TYPE,
    ReviewReopened::TYPE,
    TokenIssued::TYPE,
    TokenRevoked::TYPE,
];

/// Who the queue is filtered to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    Person(PersonName),
    Nobody,
}

/// What the queue is filtered by, and which page.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueFilter {
    pub article: Option<ArticleKey>,
    pub kind: Option<Kind>,
    /// One verdict; when absent, those that need an editor (inaccurate, ambiguous,
    /// unverifiable, pending).
    pub verdict: Option<Verdict>,
    pub status: Option<Status>,
    pub assignee: Option<AssigneeFilter>,
    pub limit: usize,
    pub offset: usize,
}

impl QueueFilter {
    /// Whether a claim with this report, automatic verdict and review is in the queue.
    fn admits(&self, report: &CheckReport, verdict: Verdict, review: &Review) -> bool {
        let article = self
            .article
            .as_ref()
            .is_none_or(|a| report.article == a.as_str());
        let verdict = match self.verdict {
            Some(v) => verdict == v,
            None => QUEUE_VERDICTS.contains(&verdict),
        };
        let assignee = match &self.assignee {
            None => true,
            Some(AssigneeFilter::Nobody) => review.assignee.is_none(),
            Some(AssigneeFilter::Person(p)) => review.assignee.as_deref() == Some(p.as_str()),
        };
        article
            && verdict
            && assignee
            && self.kind.is_none_or(|k| report.kind == k)
            && self.status.is_none_or(|s| review.status == s)
    }
}

#[derive(Debug, Default)]
struct Article {
    /// Every body submitted, oldest first.
    bodies: Vec<String>,
    /// When it was last submitted, in store order.
    submitted: GlobalPosition,
}

#[derive(Debug)]
struct ClaimRecord {
    report: Option<CheckReport>,
    automatic: Option<Verdict>,
    first_seen: GlobalPosition,
    checked_at: Option<DateTime<Utc>>,
    review: Review,
    history: Vec<HistoryEntry>,
}

impl ClaimRecord {
    fn new(position: GlobalPosition) -> ClaimRecord {
        ClaimRecord {
            report: None,
            automatic: None,
            first_seen: position,
            checked_at: None,
            review: Review::default(),
            history: Vec::new(),
        }
    }
}

/// The read model of the review service.
#[derive(Debug, Default)]
pub struct ReviewProjection {
    position: GlobalPosition,
    articles: HashMap<String, Article>,
    claims: HashMap<String, ClaimRecord>,
    tokens: TokenRegistry,
}

impl ReviewProjection {
    pub fn new() -> ReviewProjection {
        ReviewProjection::default()
    }

    /// The store position read up to.
    pub fn position(&self) -> GlobalPosition {
        self.position
    }

    pub fn tokens(&self) -> &TokenRegistry {
        &self.tokens
    }

    /// Reads every event after the projection's position up to the store's head; returns
    /// how many events were read.
    pub async fn catch_up(&mut self, store: &dyn EventStore) -> Result<usize, ReviewError> {
        let mut read = 0;
        loop {
            let events = store.read_all_after(self.position, PAGE).await?;
            let Some(last) = events.last() else { break };
            let last = last
                .position
                .ok_or(ReviewError::Unpositioned(last.event_id))?;
            for envelope in &events {
                self.apply(envelope);
            }
            self.position = self.position.max(last);
            read += events.len();
            if events.len() < PAGE {
                break;
            }
        }
        Ok(read)
    }

    /// Applies one stored event. An event of a type it reads whose payload this build
    /// cannot decode is logged and passed over.
    pub fn apply(&mut self, envelope: &Envelope) {
        let position = envelope.position.unwrap_or(self.position);
        self.position = self.position.max(position);
        if !TYPES.contains(&envelope.event_type.as_str()) {
            return;
        }
        let event = match envelope.decode() {
            Ok(event) => event,
            Err(error) => {
                tracing::warn!(event_id = %envelope.event_id, %error, "event passed over by the review projection");
                return;
            }
        };
        let at = envelope.occurred_at;
        match &event {
            Event::ArticleSubmitted(article) => {
                let entry = self.articles.entry(article.article_id.clone()).or_default();
                if !entry.bodies.contains(&article.body) {
                    entry.bodies.push(article.body.clone());
                }
                entry.submitted = entry.submitted.max(position);
            }
            Event::ClaimChecked(checked) => {
                let report = &checked.report;
                let record = self.record(&report.claim_id, position);
                record.automatic = Some(report.verdict);
                record.checked_at.get_or_insert(at);
                record.history.push(HistoryEntry::Checked {
                    at,
                    verdict: report.verdict,
                    official: report.official.clone(),
                    tally_version: report.evidence.tally_version,
                });
                record.report = Some(report.clone());
            }
            Event::VerdictChanged(changed) => {
                let record = self.record(&changed.claim_id, position);
                record.automatic = Some(changed.to);
                record.history.push(HistoryEntry::VerdictChanged {
                    at,
                    from: changed.from,
                    to: changed.to,
                    reason: changed.reason.clone(),
                });
            }
            Event::ReviewAssigned(e) => self.review(&e.claim_id, position, envelope, &event),
            Event::ReviewDecided(e) => self.review(&e.claim_id, position, envelope, &event),
            Event::OverrideApproved(e) => self.review(&e.claim_id, position, envelope, &event),
            Event::ReviewReopened(e) => self.review(&e.claim_id, position, envelope, &event),
            Event::TokenIssued(_) | Event::TokenRevoked(_) => self.tokens.apply(envelope, &event),
            Event::ClaimsExtracted(_) | Event::TallyDeclared(_) | Event::TallyCorrected(_) => {}
        }
    }

    fn record(&mut self, claim: &ClaimId, position: GlobalPosition) -> &mut ClaimRecord {
        self.claims
            .entry(claim.0.clone())
            .or_insert_with(|| ClaimRecord::new(position))
    }

    fn review(
        &mut self,
        claim: &ClaimId,
        position: GlobalPosition,
        envelope: &Envelope,
        event: &Event,
    ) {
        let at = envelope.occurred_at;
        let version = envelope.stream_version.0;
        let record = self.record(claim, position);
        record.review.apply(event, version, at, record.automatic);
        let entry = match event {
            Event::ReviewAssigned(e) => HistoryEntry::Assigned {
                at,
                version,
                assignee: e.assignee.clone(),
                by: e.by.clone(),
            },
            Event::ReviewDecided(e) => HistoryEntry::Decided {
                at,
                version,
                decision: e.decision.clone(),
                reason: e.reason.clone(),
                by: e.by.clone(),
            },
            Event::OverrideApproved(e) => HistoryEntry::OverrideApproved {
                at,
                version,
                by: e.by.clone(),
            },
            Event::ReviewReopened(e) => HistoryEntry::Reopened {
                at,
                version,
                reason: e.reason.clone(),
                by: e.by.clone(),
            },
            _ => return,
        };
        record.history.push(entry);
    }

    /// A checked claim's review state and automatic verdict; `None` for a claim the
    /// checker never reported.
    pub fn review_of(&self, claim: &ClaimKey) -> Option<(&Review, Verdict)> {
        let record = self.claims.get(claim.as_str())?;
        record.report.as_ref()?;
        Some((&record.review, record.automatic?))
    }

    /// The review of a claim after a write, as answered.
    pub fn review_view(&self, claim: &ClaimKey) -> Option<ReviewView> {
        let (review, verdict) = self.review_of(claim)?;
        Some(ReviewView {
            claim_id: claim.as_str().to_owned(),
            review: review.clone(),
            verdict,
            effective_verdict: review.effective_verdict(Some(verdict)).unwrap_or(verdict),
        })
    }

    /// Everything about one checked claim.
    pub fn claim(&self, claim: &ClaimKey) -> Option<ClaimView> {
        let record = self.claims.get(claim.as_str())?;
        let report = record.report.as_ref()?;
        let verdict = record.automatic?;
        let bodies = self
            .articles
            .get(&report.article)
            .map(|a| a.bodies.as_slice())
            .unwrap_or_default();
        let context = locate(
            bodies.iter().map(String::as_str),
            &report.quote,
            report.span,
            &report.claimed,
        );
        let verdict_changed_since_decision = record
            .review
            .decision
            .as_ref()
            .is_some_and(|d| d.on_verdict.is_some_and(|on| on != verdict));
        Some(ClaimView {
            claim_id: report.claim_id.0.clone(),
            article: report.article.clone(),
            report: report.clone(),
            context,
            verdict,
            effective_verdict: record
                .review
                .effective_verdict(Some(verdict))
                .unwrap_or(verdict),
            review: record.review.clone(),
            verdict_changed_since_decision,
            history: record.history.clone(),
        })
    }

    /// The queue: checked claims matching `filter`, newest article first, then in the
    /// order they stand in their article.
    pub fn queue(&self, filter: &QueueFilter) -> QueuePage {
        struct Row<'a> {
            /// Newest article first: when it was last submitted, or, for claims of an
            /// article the store does not hold, when the claim was first checked.
            rank: Reverse<GlobalPosition>,
            id: &'a str,
            record: &'a ClaimRecord,
            report: &'a CheckReport,
            verdict: Verdict,
        }
        let mut matching: Vec<Row<'_>> = self
            .claims
            .iter()
            .filter_map(|(id, record)| {
                let report = record.report.as_ref()?;
                let rank = self
                    .articles
                    .get(&report.article)
                    .map_or(record.first_seen, |a| a.submitted);
                Some(Row {
                    rank: Reverse(rank),
                    id: id.as_str(),
                    record,
                    report,
                    verdict: record.automatic?,
                })
            })
            .filter(|row| filter.admits(row.report, row.verdict, &row.record.review))
            .collect();
        matching
            .sort_by(|a, b| (a.rank, a.report.span.0, a.id).cmp(&(b.rank, b.report.span.0, b.id)));
        let total = matching.len();
        let items = matching
            .into_iter()
            .skip(filter.offset)
            .take(filter.limit)
            .map(|row| QueueItem {
                claim_id: row.id.to_owned(),
                article: row.report.article.clone(),
                kind: row.report.kind,
                election: row.report.election,
                quote: row.report.quote.clone(),
                claimed: row.report.claimed.clone(),
                official: row.report.official.clone(),
                verdict: row.verdict,
                effective_verdict: row
                    .record
                    .review
                    .effective_verdict(Some(row.verdict))
                    .unwrap_or(row.verdict),
                status: row.record.review.status,
                assignee: row.record.review.assignee.clone(),
                review_version: row.record.review.version,
                checked_at: row.record.checked_at.unwrap_or_default(),
            })
            .collect();
        QueuePage {
            items,
            total,
            limit: filter.limit,
            offset: filter.offset,
        }
    }
}
