use chrono::NaiveDate;
use newsroom_claims::{CheckReport, Claim, ClaimId, Verdict};
use newsroom_tally::{ConstituencyResult, Year};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::envelope::{DecodeError, StreamId};

/// A producer (the CMS, a wire feed) submitted an article for checking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ArticleSubmitted {
    /// The article's id; for an article read from a file, the file's name.
    pub article_id: String,
    /// The article body exactly as published; claim spans are byte offsets into it.
    pub body: String,
    /// Publication date, when the producer knows it: it decides which election is "this" one.
    pub published: Option<NaiveDate>,
}

/// The extractor read these claims out of an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClaimsExtracted {
    pub article_id: String,
    /// The election the article was read as being about.
    pub election: Year,
    pub claims: Vec<Claim>,
}

/// The checker judged one claim against the official tallies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ClaimChecked {
    pub report: CheckReport,
}

/// The official result of one constituency was declared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TallyDeclared {
    pub result: ConstituencyResult,
}

/// An official result was corrected after its declaration (a recount, a clerical error).
/// The result carried is the whole corrected result; it replaces the declared one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TallyCorrected {
    pub result: ConstituencyResult,
    /// Why, as the returning officer or the official publication says.
    pub reason: String,
}

/// A re-check changed a claim's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VerdictChanged {
    pub article: String,
    pub claim_id: ClaimId,
    pub from: Verdict,
    pub to: Verdict,
    /// What changed: the declaration or correction that triggered the re-check.
    pub reason: String,
    /// The tally version the new verdict was judged on.
    pub tally_version: u64,
}

/// An editor took (or was given) a claim to review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReviewAssigned {
    pub claim_id: ClaimId,
    pub assignee: String,
    pub by: String,
}

/// What an editor decided about a claim's automatic verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum ReviewDecision {
    /// The automatic verdict stands.
    Confirm,
    /// The editor replaces the automatic verdict; it counts once a second editor approves.
    Override { verdict: Verdict },
}

/// An editor decided on a claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReviewDecided {
    pub claim_id: ClaimId,
    pub decision: ReviewDecision,
    pub reason: Option<String>,
    pub by: String,
}

/// A second editor approved an override (four eyes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OverrideApproved {
    pub claim_id: ClaimId,
    pub by: String,
}

/// A decided claim was reopened for review: by an editor, or because a re-check changed its
/// verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReviewReopened {
    pub claim_id: ClaimId,
    pub reason: String,
    pub by: String,
}

/// What the holder of an access token may do in the review service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessRole {
    /// Reads the queue and claims; assigns, confirms, overrides and reopens.
    Editor,
    /// An editor who may also approve another editor's override.
    Approver,
    /// Reads only.
    Auditor,
    /// Everything, and issues and revokes tokens.
    Admin,
}

/// An access token was issued. Only the token's SHA-256 is recorded, never the token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TokenIssued {
    /// Who holds the token: the name their actions are recorded under.
    pub name: String,
    pub role: AccessRole,
    /// SHA-256 of the token, lowercase hex.
    pub token_hash: String,
    pub by: String,
}

/// An access token was revoked; requests bearing it are refused from now on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TokenRevoked {
    pub name: String,
    /// SHA-256 of the token, lowercase hex.
    pub token_hash: String,
    pub by: String,
}

/// Every event the backend knows, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    ArticleSubmitted(ArticleSubmitted),
    ClaimsExtracted(ClaimsExtracted),
    ClaimChecked(ClaimChecked),
    TallyDeclared(TallyDeclared),
    TallyCorrected(TallyCorrected),
    VerdictChanged(VerdictChanged),
    ReviewAssigned(ReviewAssigned),
    ReviewDecided(ReviewDecided),
    OverrideApproved(OverrideApproved),
    ReviewReopened(ReviewReopened),
    TokenIssued(TokenIssued),
    TokenRevoked(TokenRevoked),
}

/// One row of the event catalogue: type name, current schema version, description.
pub struct EventType {
    pub name: &'static str,
    pub schema_version: u32,
    pub description: &'static str,
    pub schema: fn() -> schemars::Schema,
}

/// The catalogue of event types, for documentation and schema generation.
pub const EVENT_TYPES: &[EventType] = &[
    EventType {
        name: ArticleSubmitted::TYPE,
        schema_version: 1,
        description: "A producer submitted an article for checking. Stream `article-<article id>`.",
        schema: || schemars::schema_for!(ArticleSubmitted),
    },
    EventType {
        name: ClaimsExtracted::TYPE,
        schema_version: 1,
        description: "The extractor read the checkable claims out of an article. Stream `article-<article id>`.",
        schema: || schemars::schema_for!(ClaimsExtracted),
    },
    EventType {
        name: ClaimChecked::TYPE,
        schema_version: 1,
        description: "The checker judged one claim; the payload's `report` is the check report. Stream `claim-<claim id>`.",
        schema: || schemars::schema_for!(ClaimChecked),
    },
    EventType {
        name: TallyDeclared::TYPE,
        schema_version: 1,
        description: "The official result of one constituency was declared. Stream `tally-<year>-<ONS code>`.",
        schema: || schemars::schema_for!(TallyDeclared),
    },
    EventType {
        name: TallyCorrected::TYPE,
        schema_version: 1,
        description: "An official result was corrected; the payload is the whole corrected result. Stream `tally-<year>-<ONS code>`.",
        schema: || schemars::schema_for!(TallyCorrected),
    },
    EventType {
        name: VerdictChanged::TYPE,
        schema_version: 1,
        description: "A re-check changed a claim's verdict: from what, to what and why. Stream `claim-<claim id>`.",
        schema: || schemars::schema_for!(VerdictChanged),
    },
    EventType {
        name: ReviewAssigned::TYPE,
        schema_version: 1,
        description: "An editor took or was given a claim to review. Stream `review-<claim id>`.",
        schema: || schemars::schema_for!(ReviewAssigned),
    },
    EventType {
        name: ReviewDecided::TYPE,
        schema_version: 1,
        description: "An editor confirmed or overrode a claim's automatic verdict. Stream `review-<claim id>`.",
        schema: || schemars::schema_for!(ReviewDecided),
    },
    EventType {
        name: OverrideApproved::TYPE,
        schema_version: 1,
        description: "A second editor approved an override (four eyes). Stream `review-<claim id>`.",
        schema: || schemars::schema_for!(OverrideApproved),
    },
    EventType {
        name: ReviewReopened::TYPE,
        schema_version: 1,
        description: "A decided claim was reopened for review. Stream `review-<claim id>`.",
        schema: || schemars::schema_for!(ReviewReopened),
    },
    EventType {
        name: TokenIssued::TYPE,
        schema_version: 1,
        description: "An access token was issued to a person with a role; only its SHA-256 is recorded. Stream `access-<name>`.",
        schema: || schemars::schema_for!(TokenIssued),
    },
    EventType {
        name: TokenRevoked::TYPE,
        schema_version: 1,
        description: "An access token was revoked. Stream `access-<name>`.",
        schema: || schemars::schema_for!(TokenRevoked),
    },
];

impl ArticleSubmitted {
    pub const TYPE: &'static str = "article.submitted";
}
impl ClaimsExtracted {
    pub const TYPE: &'static str = "claims.extracted";
}
impl ClaimChecked {
    pub const TYPE: &'static str = "claim.checked";
}
impl TallyDeclared {
    pub const TYPE: &'static str = "tally.declared";
}
impl TallyCorrected {
    pub const TYPE: &'static str = "tally.corrected";
}
impl VerdictChanged {
    pub const TYPE: &'static str = "verdict.changed";
}
impl ReviewAssigned {
    pub const TYPE: &'static str = "review.assigned";
}
impl ReviewDecided {
    pub const TYPE: &'static str = "review.decided";
}
impl OverrideApproved {
    pub const TYPE: &'static str = "review.override_approved";
}
impl ReviewReopened {
    pub const TYPE: &'static str = "review.reopened";
}
impl TokenIssued {
    pub const TYPE: &'static str = "access.token_issued";
}
impl TokenRevoked {
    pub const TYPE: &'static str = "access.token_revoked";
}

/// The stream of the access tokens issued to one person.
pub fn access_stream(name: &str) -> StreamId {
    StreamId(format!("access-{name}"))
}

/// The stream of one claim's editorial review.
pub fn review_stream(claim_id: &str) -> StreamId {
    StreamId(format!("review-{claim_id}"))
}

/// The stream of an article's events.
pub fn article_stream(article_id: &str) -> StreamId {
    StreamId(format!("article-{article_id}"))
}

/// The stream of one claim's check results.
pub fn claim_stream(claim_id: &str) -> StreamId {
    StreamId(format!("claim-{claim_id}"))
}

/// The stream of one constituency's official result at one election.
pub fn tally_stream(election: Year, constituency: &str) -> StreamId {
    StreamId(format!("tally-{election}-{constituency}"))
}

impl Event {
    pub fn event_type(&self) -> &'static str {
        match self {
            Event::ArticleSubmitted(_) => ArticleSubmitted::TYPE,
            Event::ClaimsExtracted(_) => ClaimsExtracted::TYPE,
            Event::ClaimChecked(_) => ClaimChecked::TYPE,
            Event::TallyDeclared(_) => TallyDeclared::TYPE,
            Event::TallyCorrected(_) => TallyCorrected::TYPE,
            Event::VerdictChanged(_) => VerdictChanged::TYPE,
            Event::ReviewAssigned(_) => ReviewAssigned::TYPE,
            Event::ReviewDecided(_) => ReviewDecided::TYPE,
            Event::OverrideApproved(_) => OverrideApproved::TYPE,
            Event::ReviewReopened(_) => ReviewReopened::TYPE,
            Event::TokenIssued(_) => TokenIssued::TYPE,
            Event::TokenRevoked(_) => TokenRevoked::TYPE,
        }
    }

    pub fn schema_version(&self) -> u32 {
        1
    }

    pub fn stream_id(&self) -> StreamId {
        match self {
            Event::ArticleSubmitted(e) => article_stream(&e.article_id),
            Event::ClaimsExtracted(e) => article_stream(&e.article_id),
            Event::ClaimChecked(e) => claim_stream(&e.report.claim_id.0),
            Event::TallyDeclared(e) => tally_stream(e.result.election, e.result.id.as_str()),
            Event::TallyCorrected(e) => tally_stream(e.result.election, e.result.id.as_str()),
            Event::VerdictChanged(e) => claim_stream(&e.claim_id.0),
            Event::ReviewAssigned(e) => review_stream(&e.claim_id.0),
            Event::ReviewDecided(e) => review_stream(&e.claim_id.0),
            Event::OverrideApproved(e) => review_stream(&e.claim_id.0),
            Event::ReviewReopened(e) => review_stream(&e.claim_id.0),
            Event::TokenIssued(e) => access_stream(&e.name),
            Event::TokenRevoked(e) => access_stream(&e.name),
        }
    }

    pub fn to_payload(&self) -> serde_json::Value {
        let v = match self {
            Event::ArticleSubmitted(e) => serde_json::to_value(e),
            Event::ClaimsExtracted(e) => serde_json::to_value(e),
            Event::ClaimChecked(e) => serde_json::to_value(e),
            Event::TallyDeclared(e) => serde_json::to_value(e),
            Event::TallyCorrected(e) => serde_json::to_value(e),
            Event::VerdictChanged(e) => serde_json::to_value(e),
            Event::ReviewAssigned(e) => serde_json::to_value(e),
            Event::ReviewDecided(e) => serde_json::to_value(e),
            Event::OverrideApproved(e) => serde_json::to_value(e),
            Event::ReviewReopened(e) => serde_json::to_value(e),
            Event::TokenIssued(e) => serde_json::to_value(e),
            Event::TokenRevoked(e) => serde_json::to_value(e),
        };
        // Serialising these plain data types cannot fail: no maps with non-string keys.
        v.unwrap_or(serde_json::Value::Null)
    }

    pub fn decode(
        event_type: &str,
        schema_version: u32,
        payload: &serde_json::Value,
    ) -> Result<Event, DecodeError> {
        let known = EVENT_TYPES
            .iter()
            .find(|t| t.name == event_type)
            .ok_or_else(|| DecodeError::UnknownType(event_type.to_owned()))?;
        if schema_version == 0 || schema_version > known.schema_version {
            return Err(DecodeError::SchemaVersion {
                event_type: event_type.to_owned(),
                version: schema_version,
                supported: known.schema_version,
            });
        }
        fn de<T: serde::de::DeserializeOwned>(
            t: &str,
            p: &serde_json::Value,
        ) -> Result<T, DecodeError> {
            T::deserialize(p).map_err(|source| DecodeError::Payload {
                event_type: t.to_owned(),
                source,
            })
        }
        Ok(match event_type {
            ArticleSubmitted::TYPE => Event::ArticleSubmitted(de(event_type, payload)?),
            ClaimsExtracted::TYPE => Event::ClaimsExtracted(de(event_type, payload)?),
            ClaimChecked::TYPE => Event::ClaimChecked(de(event_type, payload)?),
            TallyDeclared::TYPE => Event::TallyDeclared(de(event_type, payload)?),
            TallyCorrected::TYPE => Event::TallyCorrected(de(event_type, payload)?),
            VerdictChanged::TYPE => Event::VerdictChanged(de(event_type, payload)?),
            ReviewAssigned::TYPE => Event::ReviewAssigned(de(event_type, payload)?),
            ReviewDecided::TYPE => Event::ReviewDecided(de(event_type, payload)?),
            OverrideApproved::TYPE => Event::OverrideApproved(de(event_type, payload)?),
            ReviewReopened::TYPE => Event::ReviewReopened(de(event_type, payload)?),
            TokenIssued::TYPE => Event::TokenIssued(de(event_type, payload)?),
            TokenRevoked::TYPE => Event::TokenRevoked(de(event_type, payload)?),
            other => return Err(DecodeError::UnknownType(other.to_owned())),
        })
    }
}
