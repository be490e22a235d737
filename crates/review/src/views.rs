//! What the API answers and accepts: the JSON shapes of the queue, a claim, its history,
//! the requests, errors and tokens. Each derives its JSON Schema for the OpenAPI document.

use chrono::{DateTime, Utc};
use newsroom_claims::{CheckReport, Kind, Verdict};
use newsroom_events::{AccessRole, ReviewDecision};
use newsroom_tally::Year;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::context::QuoteContext;
use crate::review::{Review, Status};

/// One claim in the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueItem {
    pub claim_id: String,
    pub article: String,
    pub kind: Kind,
    pub election: Year,
    /// The sentence the claim was read from.
    pub quote: String,
    /// The figure as the article states it (a number, a party, `won` or `lost`).
    pub claimed: serde_json::Value,
    /// The official figure compared with; null where none applies.
    pub official: serde_json::Value,
    /// The checker's (automatic) verdict.
    pub verdict: Verdict,
    /// The verdict in force: an approved override, else the automatic verdict.
    pub effective_verdict: Verdict,
    pub status: Status,
    pub assignee: Option<String>,
    /// The review's version: the `expected_version` of the next write.
    pub review_version: u64,
    /// When the claim was first checked.
    pub checked_at: DateTime<Utc>,
}

/// One page of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    /// How many claims match the filters, over all pages.
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
}

/// One event in a claim's history, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "event", deny_unknown_fields)]
pub enum HistoryEntry {
    /// The checker judged the claim.
    #[serde(rename = "claim.checked")]
    Checked {
        at: DateTime<Utc>,
        verdict: Verdict,
        official: serde_json::Value,
        tally_version: Option<u64>,
    },
    /// A re-check changed the verdict.
    #[serde(rename = "verdict.changed")]
    VerdictChanged {
        at: DateTime<Utc>,
        from: Verdict,
        to: Verdict,
        reason: String,
    },
    #[serde(rename = "review.assigned")]
    Assigned {
        at: DateTime<Utc>,
        version: u64,
        assignee: String,
        by: String,
    },
    #[serde(rename = "review.decided")]
    Decided {
        at: DateTime<Utc>,
        version: u64,
        decision: ReviewDecision,
        reason: Option<String>,
        by: String,
    },
    #[serde(rename = "review.override_approved")]
    OverrideApproved {
        at: DateTime<Utc>,
        version: u64,
        by: String,
    },
    #[serde(rename = "review.reopened")]
    Reopened {
        at: DateTime<Utc>,
        version: u64,
        reason: String,
        by: String,
    },
}

/// Everything about one claim a reviewer needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimView {
    pub claim_id: String,
    pub article: String,
    /// The latest check report (`CHECK-REPORT.md`): official figure, evidence rows, rule.
    pub report: CheckReport,
    /// The sentence in its paragraph, with where the figure is.
    pub context: QuoteContext,
    /// The checker's (automatic) verdict.
    pub verdict: Verdict,
    /// The verdict in force: an approved override, else the automatic verdict.
    pub effective_verdict: Verdict,
    pub review: Review,
    /// A decision stands but the automatic verdict changed after it: worth reopening.
    pub verdict_changed_since_decision: bool,
    pub history: Vec<HistoryEntry>,
}

/// Assign a claim: to `assignee`, or to yourself when it is left out.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The review version you saw (`review.version`).
    pub expected_version: u64,
    /// Who takes the claim: a person holding an editor, approver or admin token.
    pub assignee: Option<String>,
}

/// Confirm the automatic verdict.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    pub expected_version: u64,
    /// Optional, at most 2000 characters.
    pub reason: Option<String>,
}

/// Override the automatic verdict; counts once another editor approves.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRequest {
    pub expected_version: u64,
    /// The verdict that should stand; must differ from the automatic one.
    pub verdict: Verdict,
    /// Why; 1 to 2000 characters.
    pub reason: String,
}

/// Approve another editor's override (four eyes).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    pub expected_version: u64,
}

/// Reopen a decided (or awaiting approval) claim.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    pub expected_version: u64,
    /// Why; 1 to 2000 characters.
    pub reason: String,
}

/// The review of a claim after a write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewView {
    pub claim_id: String,
    pub review: Review,
    pub verdict: Verdict,
    pub effective_verdict: Verdict,
}

/// The holder of the token the request bears.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Me {
    pub name: String,
    pub role: AccessRole,
}

/// Issue a token.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueTokenRequest {
    /// The holder's name: 1 to 64 ASCII letters, digits, '.', '_' or '-'.
    pub name: String,
    pub role: AccessRole,
}

/// A token just issued: the only time it is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuedTokenView {
    pub name: String,
    pub role: AccessRole,
    /// The bearer token. Not stored anywhere; keep it now.
    pub token: String,
    pub fingerprint: String,
}

/// The active tokens (never the tokens themselves).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenList {
    pub tokens: Vec<crate::access::TokenInfo>,
}

/// How many tokens a revocation revoked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Revoked {
    pub name: String,
    pub revoked: usize,
}

/// Every error answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// A stable code: `unauthenticated`, `forbidden`, `four_eyes`, `not_found`,
    /// `stale_version`, `invalid_state`, `invalid_json`, `invalid_body`, `invalid_query`,
    /// `invalid_field`, `unknown_assignee`, `same_verdict`, `unsupported_media_type`,
    /// `body_too_large`, `method_not_allowed`, `store_unavailable`, `internal`.
    pub error: String,
    /// What went wrong, in words.
    pub message: String,
    /// The field or parameter at fault, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The review's current version, on `stale_version`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
}

/// The file format of an audit export: JSON Lines (one JSON object per event, then the
/// signed manifest) or CSV (one row per event, then the manifest's row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Jsonl,
    Csv,
}

/// The service is up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Health {
    pub status: String,
}

/// Statuses and verdicts as query values, for the OpenAPI parameters.
pub fn status_values() -> Vec<&'static str> {
    Status::ALL.iter().map(|s| s.as_str()).collect()
}

pub fn kind_values() -> Vec<&'static str> {
    Kind::ALL.iter().map(|k| k.as_str()).collect()
}

pub const VERDICT_VALUES: [Verdict; 5] = [
    Verdict::Accurate,
    Verdict::Inaccurate,
    Verdict::Unverifiable,
    Verdict::Ambiguous,
    Verdict::Pending,
];

/// The verdicts the queue holds when no verdict filter is given.
pub const QUEUE_VERDICTS: [Verdict; 4] = [
    Verdict::Inaccurate,
    Verdict::Ambiguous,
    Verdict::Unverifiable,
    Verdict::Pending,
];
