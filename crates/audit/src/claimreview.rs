//! schema.org `ClaimReview` JSON-LD for the checked and reviewed claims, as fact-checking
//! organisations publish them: a pure fold over the store's events ([`ClaimReviews`]) and
//! the shell that pages through a store.

use std::collections::HashMap;
use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};
use newsroom_claims::{CheckReport, Verdict};
use newsroom_events::{Envelope, Event, GlobalPosition, ReviewDecision};
use newsroom_store::EventStore;
use serde_json::{json, Map, Value};

use crate::export::PAGE_SIZE;
use crate::AuditError;

/// The rating scale: an accurate claim rates 5, an inaccurate one 1. Ambiguous and
/// unverifiable claims get no numeric value, only their `alternateName`; pending claims
/// (figure not declared yet) are not rated and left out.
pub const BEST_RATING: u8 = 5;
pub const WORST_RATING: u8 = 1;

/// Who publishes the reviews and which claims.
#[derive(Debug, Clone, Default)]
pub struct ClaimReviewOptions {
    /// The review's `author`: the newsroom's name.
    pub newsroom: String,
    /// The newsroom's web address, for the author.
    pub newsroom_url: Option<String>,
    /// Only the claims of this article.
    pub article: Option<String>,
    /// An article's address is this followed by its id (`https://example.org/articles/`).
    pub article_base_url: Option<String>,
    /// Who made the claims (the `itemReviewed` Claim's author); without it, the newsroom,
    /// whose articles these are.
    pub claim_author: Option<String>,
}

#[derive(Debug, Clone)]
struct Override {
    verdict: Verdict,
    reason: Option<String>,
    by: String,
}

#[derive(Debug, Clone)]
struct ClaimState {
    report: CheckReport,
    /// The automatic verdict: the latest check's, or the latest verdict change's.
    automatic: Verdict,
    first_checked: DateTime<Utc>,
    /// The latest re-check, verdict change or change of an approved override.
    modified: Option<DateTime<Utc>>,
    recheck_reason: Option<String>,
    proposed: Option<Override>,
    approved: Option<(Override, String)>,
    confirmed_by: Option<String>,
}

impl ClaimState {
    fn verdict(&self) -> Verdict {
        self.approved
            .as_ref()
            .map_or(self.automatic, |(o, _)| o.verdict)
    }
}

/// The claims' review state, folded from the events in global order.
#[derive(Debug, Clone)]
pub struct ClaimReviews {
    options: ClaimReviewOptions,
    claims: Vec<ClaimState>,
    index: HashMap<String, usize>,
    published: HashMap<String, NaiveDate>,
}

impl ClaimReviews {
    pub fn new(options: ClaimReviewOptions) -> ClaimReviews {
        ClaimReviews {
            options,
            claims: Vec::new(),
            index: HashMap::new(),
            published: HashMap::new(),
        }
    }

    /// Takes the next event in global order. Events of other kinds, and events that do not
    /// decode, are passed over.
    pub fn apply(&mut self, envelope: &Envelope) {
        let at = envelope.recorded_at.unwrap_or(envelope.occurred_at);
        let event = match envelope.decode() {
            Ok(event) => event,
            Err(e) => {
                tracing::debug!(event_type = %envelope.event_type, error = %e, "not read for ClaimReview");
                return;
            }
        };
        match event {
            Event::ArticleSubmitted(a) => {
                if let Some(date) = a.published {
                    self.published.insert(a.article_id, date);
                }
            }
            Event::ClaimChecked(checked) => {
                let report = checked.report;
                if self
                    .options
                    .article
                    .as_ref()
                    .is_some_and(|a| *a != report.article)
                {
                    return;
                }
                match self.index.get(&report.claim_id.0) {
                    Some(&i) => {
                        let claim = &mut self.claims[i];
                        claim.automatic = report.verdict;
                        claim.report = report;
                        claim.modified = Some(at);
                    }
                    None => {
                        self.index
                            .insert(report.claim_id.0.clone(), self.claims.len());
                        self.claims.push(ClaimState {
                            automatic: report.verdict,
                            report,
                            first_checked: at,
                            modified: None,
                            recheck_reason: None,
                            proposed: None,
                            approved: None,
                            confirmed_by: None,
                        });
                    }
                }
            }
            Event::VerdictChanged(changed) => {
                if let Some(claim) = self.claim_mut(&changed.claim_id.0) {
                    claim.automatic = changed.to;
                    claim.recheck_reason = Some(changed.reason);
                    claim.modified = Some(at);
                }
            }
            Event::ReviewDecided(decided) => {
                if let Some(claim) = self.claim_mut(&decided.claim_id.0) {
                    match decided.decision {
                        ReviewDecision::Confirm => {
                            claim.confirmed_by = Some(decided.by);
                            claim.proposed = None;
                        }
                        ReviewDecision::Override { verdict } => {
                            claim.proposed = Some(Override {
                                verdict,
                                reason: decided.reason,
                                by: decided.by,
                            });
                        }
                    }
                }
            }
            Event::OverrideApproved(approved) => {
                if let Some(claim) = self.claim_mut(&approved.claim_id.0) {
                    if let Some(proposed) = claim.proposed.take() {
                        claim.approved = Some((proposed, approved.by));
                        claim.modified = Some(at);
                    }
                }
            }
            Event::ReviewReopened(reopened) => {
                if let Some(claim) = self.claim_mut(&reopened.claim_id.0) {
                    claim.proposed = None;
                    claim.confirmed_by = None;
                    if claim.approved.take().is_some() {
                        claim.modified = Some(at);
                    }
                }
            }
            // Extraction, tallies, assignments and anything newer do not change a review.
            _ => {}
        }
    }

    fn claim_mut(&mut self, claim_id: &str) -> Option<&mut ClaimState> {
        let i = *self.index.get(claim_id)?;
        self.claims.get_mut(i)
    }

    /// One ClaimReview per rated claim, in the order the claims were first checked.
    pub fn reviews(&self) -> Vec<Value> {
        self.claims
            .iter()
            .filter(|c| c.verdict() != Verdict::Pending)
            .map(|c| self.review(c))
            .collect()
    }

    fn review(&self, claim: &ClaimState) -> Value {
        let o = &self.options;
        let report = &claim.report;
        let verdict = claim.verdict();

        let mut rating = Map::new();
        rating.insert("@type".into(), "Rating".into());
        if let Some(value) = rating_value(verdict) {
            rating.insert("ratingValue".into(), value.into());
        }
        rating.insert("bestRating".into(), BEST_RATING.into());
        rating.insert("worstRating".into(), WORST_RATING.into());
        rating.insert("alternateName".into(), label(verdict).into());
        rating.insert("ratingExplanation".into(), explanation(claim).into());

        let mut appearance = Map::new();
        appearance.insert("@type".into(), "CreativeWork".into());
        appearance.insert("identifier".into(), report.article.clone().into());
        if let Some(base) = &o.article_base_url {
            appearance.insert("url".into(), format!("{base}{}", report.article).into());
        }
        if let Some(date) = self.published.get(&report.article) {
            appearance.insert("datePublished".into(), date.to_string().into());
        }

        let mut author = Map::new();
        author.insert("@type".into(), "Organization".into());
        author.insert("name".into(), o.newsroom.clone().into());
        if let Some(url) = &o.newsroom_url {
            author.insert("url".into(), url.clone().into());
        }
        let claim_author = o.claim_author.as_ref().unwrap_or(&o.newsroom);

        let mut review = Map::new();
        review.insert("@context".into(), "https://schema.org".into());
        review.insert("@type".into(), "ClaimReview".into());
        review.insert("identifier".into(), report.claim_id.0.clone().into());
        review.insert("claimReviewed".into(), report.quote.clone().into());
        review.insert("reviewRating".into(), Value::Object(rating));
        review.insert(
            "itemReviewed".into(),
            json!({
                "@type": "Claim",
                "appearance": Value::Object(appearance),
                "author": {"@type": "Organization", "name": claim_author},
            }),
        );
        review.insert("author".into(), Value::Object(author));
        review.insert("datePublished".into(), rfc3339(claim.first_checked).into());
        if let Some(modified) = claim.modified {
            review.insert("dateModified".into(), rfc3339(modified).into());
        }
        Value::Object(review)
    }
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The numeric rating of a verdict, where one applies.
pub fn rating_value(verdict: Verdict) -> Option<u8> {
    match verdict {
        Verdict::Accurate => Some(BEST_RATING),
        Verdict::Inaccurate => Some(WORST_RATING),
        Verdict::Unverifiable | Verdict::Ambiguous | Verdict::Pending => None,
    }
}

/// The verdict's name as a rating's `alternateName`.
pub fn label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Accurate => "Accurate",
        Verdict::Inaccurate => "Inaccurate",
        Verdict::Unverifiable => "Unverifiable",
        Verdict::Ambiguous => "Ambiguous",
        Verdict::Pending => "Pending",
    }
}

fn figure(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Why the rating: the figures compared, the rule and tolerance applied, the checker's note,
/// a re-check's reason and any editor's override.
fn explanation(claim: &ClaimState) -> String {
    let report = &claim.report;
    let evidence = &report.evidence;
    let mut parts = Vec::new();
    match &report.official {
        Value::Null => parts.push(format!("The article states {}.", figure(&report.claimed))),
        official => parts.push(format!(
            "The article states {}; the official figure is {}.",
            figure(&report.claimed),
            figure(official)
        )),
    }
    if !evidence.rule.is_empty() {
        parts.push(format!("Rule: {}.", evidence.rule.trim_end_matches('.')));
    }
    if let Some(tolerance) = &evidence.tolerance {
        parts.push(format!("Tolerance: {}.", tolerance.trim_end_matches('.')));
    }
    if let Some(note) = &evidence.note {
        parts.push(format!("{}.", note.trim_end_matches('.')));
    }
    if let Some(reason) = &claim.recheck_reason {
        parts.push(format!("Re-checked: {}.", reason.trim_end_matches('.')));
    }
    if let Some((o, approver)) = &claim.approved {
        let reason = o
            .reason
            .as_deref()
            .map(|r| format!(": {}", r.trim_end_matches('.')))
            .unwrap_or_default();
        parts.push(format!(
            "Editor {} overrode the automatic verdict ({}), approved by {approver}{reason}.",
            o.by,
            label(claim.automatic).to_lowercase()
        ));
    } else if let Some(by) = &claim.confirmed_by {
        parts.push(format!("Confirmed by editor {by}."));
    }
    parts.join(" ")
}

/// Reads every event of the store in global order and writes the ClaimReviews as a JSON
/// array of JSON-LD objects.
pub async fn claimreview<W: Write + ?Sized>(
    store: &dyn EventStore,
    options: ClaimReviewOptions,
    out: &mut W,
) -> Result<usize, AuditError> {
    let mut reviews = ClaimReviews::new(options);
    let mut after = GlobalPosition(0);
    loop {
        let page = store.read_all_after(after, PAGE_SIZE).await?;
        let Some(last) = page.last().and_then(|e| e.position) else {
            break;
        };
        for envelope in &page {
            reviews.apply(envelope);
        }
        after = last;
    }
    let list = reviews.reviews();
    serde_json::to_writer_pretty(&mut *out, &list)?;
    out.write_all(b"\n")?;
    Ok(list.len())
}
