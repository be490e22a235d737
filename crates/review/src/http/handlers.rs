//! The JSON API: read the queue and a claim, decide on claims, manage tokens.

use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post};
use newsroom_claims::{ClaimId, Kind, Verdict};
use newsroom_events::{review_stream, Envelope, EventId, StreamVersion};
use newsroom_store::{ExpectedVersion, StoreError};
use serde::Deserialize;

use super::openapi::{schema, Content, OperationDoc, Param};
use super::respond::{ApiError, ApiJson, Body};
use super::{
    AppState, Authorized, CanAdminister, CanApprove, CanDecide, CanRead, ClaimPath, Route,
};
use crate::access::Permission;
use crate::input::{ArticleKey, ClaimKey, PersonName, Reason};
use crate::projection::{AssigneeFilter, QueueFilter};
use crate::review::{decide, Command, Status};
use crate::views::{
    ApproveRequest, AssignRequest, ClaimView, ConfirmRequest, Health, IssueTokenRequest,
    IssuedTokenView, Me, OverrideRequest, QueuePage, ReopenRequest, ReviewView, Revoked, TokenList,
};
use crate::ReviewError;

/// The `source` of the events the review service appends.
pub const REVIEW_SOURCE: &str = "newsroom/review";
/// Queue page size when none is asked for, and the largest one may ask for.
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 200;

const READ_ERRORS: &[u16] = &[401, 403, 503];
const WRITE_ERRORS: &[u16] = &[400, 401, 403, 404, 409, 413, 415, 422, 503];

fn claim_param() -> Param {
    Param::path("claim_id", "The claim's id (a UUID).", schema::<String>)
}

fn write_doc(
    id: &'static str,
    summary: &'static str,
    description: &'static str,
    permission: Permission,
    request: super::openapi::SchemaFn,
) -> OperationDoc {
    OperationDoc {
        id,
        summary,
        description,
        tag: "review",
        permission: Some(permission),
        params: vec![claim_param()],
        request: Some(request),
        ok: (
            200,
            "The review after the write, at its new version.",
            Content::Json(schema::<ReviewView>),
        ),
        errors: WRITE_ERRORS,
    }
}

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route {
            method: Method::GET,
            path: "/healthz",
            doc: OperationDoc {
                id: "health",
                summary: "Whether the service is up and can read the event store",
                description: "",
                tag: "service",
                permission: None,
                params: vec![],
                request: None,
                ok: (200, "Up.", Content::Json(schema::<Health>)),
                errors: &[503],
            },
            handler: get(health),
        },
        Route {
            method: Method::GET,
            path: "/api/me",
            doc: OperationDoc {
                id: "me",
                summary: "Who the bearer token belongs to, and their role",
                description: "",
                tag: "access",
                permission: Some(Permission::Read),
                params: vec![],
                request: None,
                ok: (200, "The token's holder.", Content::Json(schema::<Me>)),
                errors: READ_ERRORS,
            },
            handler: get(me),
        },
        Route {
            method: Method::GET,
            path: "/api/claims",
            doc: OperationDoc {
                id: "listQueue",
                summary: "The review queue",
                description: "Checked claims, newest article first and in article order within \
                    one. Without `verdict`, the claims that need an editor: inaccurate, \
                    ambiguous, unverifiable and pending.",
                tag: "review",
                permission: Some(Permission::Read),
                params: vec![
                    Param::query("article", "Only this article's claims.", schema::<String>),
                    Param::query("kind", "Only claims of this kind.", schema::<Kind>),
                    Param::query(
                        "verdict",
                        "Only claims with this automatic verdict (any of the five).",
                        schema::<Verdict>,
                    ),
                    Param::query("status", "Only reviews in this state.", schema::<Status>),
                    Param::query(
                        "assignee",
                        "Only claims assigned to this person.",
                        schema::<String>,
                    ),
                    Param::query(
                        "unassigned",
                        "`true`: only claims assigned to nobody. Not with `assignee`.",
                        schema::<bool>,
                    ),
                    Param::query("limit", "Page size, 1 to 200 (default 50).", schema::<u32>),
                    Param::query("offset", "Claims to skip (default 0).", schema::<u32>),
                ],
                request: None,
                ok: (
                    200,
                    "One page of the queue.",
                    Content::Json(schema::<QueuePage>),
                ),
                errors: &[400, 401, 403, 422, 503],
            },
            handler: get(queue),
        },
        Route {
            method: Method::GET,
            path: "/api/claims/{claim_id}",
            doc: OperationDoc {
                id: "getClaim",
                summary: "One claim: report, sentence in context, evidence, review and history",
                description: "",
                tag: "review",
                permission: Some(Permission::Read),
                params: vec![claim_param()],
                request: None,
                ok: (200, "The claim.", Content::Json(schema::<ClaimView>)),
                errors: &[400, 401, 403, 404, 503],
            },
            handler: get(claim),
        },
        Route {
            method: Method::POST,
            path: "/api/claims/{claim_id}/assign",
            doc: write_doc(
                "assignClaim",
                "Assign the claim to yourself or a colleague",
                "Not once decided. The assignee must hold an editor, approver or admin token.",
                Permission::Decide,
                schema::<AssignRequest>,
            ),
            handler: post(assign),
        },
        Route {
            method: Method::POST,
            path: "/api/claims/{claim_id}/confirm",
            doc: write_doc(
                "confirmClaim",
                "Confirm the automatic verdict",
                "Only while the review is open.",
                Permission::Decide,
                schema::<ConfirmRequest>,
            ),
            handler: post(confirm),
        },
        Route {
            method: Method::POST,
            path: "/api/claims/{claim_id}/override",
            doc: write_doc(
                "overrideClaim",
                "Override the automatic verdict, with a reason",
                "Only while the review is open. The override counts once another editor \
                    with the approver role approves it (four eyes).",
                Permission::Decide,
                schema::<OverrideRequest>,
            ),
            handler: post(override_verdict),
        },
        Route {
            method: Method::POST,
            path: "/api/claims/{claim_id}/approve",
            doc: write_doc(
                "approveOverride",
                "Approve another editor's override (four eyes)",
                "Only while an override awaits approval; the editor who made it cannot \
                    approve it (403 `four_eyes`).",
                Permission::Approve,
                schema::<ApproveRequest>,
            ),
            handler: post(approve),
        },
        Route {
            method: Method::POST,
            path: "/api/claims/{claim_id}/reopen",
            doc: write_doc(
                "reopenClaim",
                "Reopen a decided claim, or one awaiting approval, with a reason",
                "The decision no longer stands; the claim is open again.",
                Permission::Decide,
                schema::<ReopenRequest>,
            ),
            handler: post(reopen),
        },
        Route {
            method: Method::GET,
            path: "/api/tokens",
            doc: OperationDoc {
                id: "listTokens",
                summary: "The active access tokens (never the tokens themselves)",
                description: "",
                tag: "access",
                permission: Some(Permission::Administer),
                params: vec![],
                request: None,
                ok: (
                    200,
                    "The active tokens.",
                    Content::Json(schema::<TokenList>),
                ),
                errors: READ_ERRORS,
            },
            handler: get(list_tokens),
        },
        Route {
            method: Method::POST,
            path: "/api/tokens",
            doc: OperationDoc {
                id: "issueToken",
                summary: "Issue a token",
                description: "The token is in this answer only; the store keeps its SHA-256.",
                tag: "access",
                permission: Some(Permission::Administer),
                params: vec![],
                request: Some(schema::<IssueTokenRequest>),
                ok: (
                    201,
                    "The new token, shown this once.",
                    Content::Json(schema::<IssuedTokenView>),
                ),
                errors: &[400, 401, 403, 413, 415, 422, 503],
            },
            handler: post(issue_token),
        },
        Route {
            method: Method::DELETE,
            path: "/api/tokens/{name}",
            doc: OperationDoc {
                id: "revokeTokens",
                summary: "Revoke every active token of a person",
                description: "",
                tag: "access",
                permission: Some(Permission::Administer),
                params: vec![Param::path("name", "The holder's name.", schema::<String>)],
                request: None,
                ok: (
                    200,
                    "How many tokens were revoked.",
                    Content::Json(schema::<Revoked>),
                ),
                errors: &[400, 401, 403, 404, 503],
            },
            handler: delete(revoke_tokens),
        },
    ]
}

async fn health(State(state): State<AppState>) -> Result<ApiJson<Health>, ApiError> {
    drop(state.fresh().await?);
    Ok(ApiJson(
        StatusCode::OK,
        Health {
            status: "ok".to_owned(),
        },
    ))
}

async fn me(auth: Authorized<CanRead>) -> ApiJson<Me> {
    ApiJson(
        StatusCode::OK,
        Me {
            name: auth.actor.name.to_string(),
            role: auth.actor.role,
        },
    )
}

/// The queue's query string as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueQuery {
    article: Option<String>,
    kind: Option<Kind>,
    verdict: Option<Verdict>,
    status: Option<Status>,
    assignee: Option<String>,
    unassigned: Option<bool>,
    limit: Option<usize>,
    offset: Option<usize>,
}

impl QueueQuery {
    fn parse(self) -> Result<QueueFilter, ApiError> {
        let article = self
            .article
            .as_deref()
            .map(ArticleKey::parse)
            .transpose()
            .map_err(|e| ApiError::invalid_field("article", e))?;
        let assignee = match (self.assignee.as_deref(), self.unassigned) {
            (Some(_), Some(true)) => {
                return Err(ApiError::invalid_field(
                    "unassigned",
                    crate::input::Invalid("give either assignee or unassigned=true".to_owned()),
                ))
            }
            (Some(name), _) => Some(AssigneeFilter::Person(
                PersonName::parse(name).map_err(|e| ApiError::invalid_field("assignee", e))?,
            )),
            (None, Some(true)) => Some(AssigneeFilter::Nobody),
            (None, _) => None,
        };
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid_field(
                "limit",
                crate::input::Invalid(format!("limit is 1 to {MAX_LIMIT}")),
            ));
        }
        Ok(QueueFilter {
            article,
            kind: self.kind,
            verdict: self.verdict,
            status: self.status,
            assignee,
            limit,
            offset: self.offset.unwrap_or(0),
        })
    }
}

async fn queue(
    _auth: Authorized<CanRead>,
    State(state): State<AppState>,
    query: Result<Query<QueueQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<ApiJson<QueuePage>, ApiError> {
    let Query(query) = query?;
    let filter = query.parse()?;
    let page = state.fresh().await?.queue(&filter);
    Ok(ApiJson(StatusCode::OK, page))
}

async fn claim(
    _auth: Authorized<CanRead>,
    ClaimPath(claim): ClaimPath,
    State(state): State<AppState>,
) -> Result<ApiJson<ClaimView>, ApiError> {
    let view = state
        .fresh()
        .await?
        .claim(&claim)
        .ok_or_else(|| no_claim(&claim))?;
    Ok(ApiJson(StatusCode::OK, view))
}

fn no_claim(claim: &ClaimKey) -> ApiError {
    ApiError::not_found(format!("no checked claim {}", claim.as_str()))
}

fn reason(field: &str, text: &str) -> Result<Reason, ApiError> {
    Reason::parse(text).map_err(|e| ApiError::invalid_field(field, e))
}

async fn assign(
    auth: Authorized<CanDecide>,
    ClaimPath(claim): ClaimPath,
    State(state): State<AppState>,
    Body(request): Body<AssignRequest>,
) -> Result<ApiJson<ReviewView>, ApiError> {
    let assignee = match request.assignee.as_deref() {
        Some(name) => {
            PersonName::parse(name).map_err(|e| ApiError::invalid_field("assignee", e))?
        }
        None => auth.actor.name.clone(),
    };
    write(
        &state,
        &auth.actor,
        claim,
        request.expected_version,
        Command::Assign { assignee },
    )
    .await
}

async fn confirm(
    auth: Authorized<CanDecide>,
    ClaimPath(claim): ClaimPath,
    State(state): State<AppState>,
    Body(request): Body<ConfirmRequest>,
) -> Result<ApiJson<ReviewView>, ApiError> {
    let reason = request
        .reason
        .as_deref()
        .map(|r| reason("reason", r))
        .transpose()?;
    write(
        &state,
        &auth.actor,
        claim,
        request.expected_version,
        Command::Confirm { reason },
    )
    .await
}

async fn override_verdict(
    auth: Authorized<CanDecide>,
    ClaimPath(claim): ClaimPath,
    State(state): State<AppState>,
    Body(request): Body<OverrideRequest>,
) -> Result<ApiJson<ReviewView>, ApiError> {
    let command = Command::Override {
        verdict: request.verdict,
        reason: reason("reason", &request.reason)?,
    };
    write(
        &state,
        &auth.actor,
        claim,
        request.expected_version,
        command,
    )
    .await
}

async fn approve(
    auth: Authorized<CanApprove>,
    ClaimPath(claim): ClaimPath,
    State(state): State<AppState>,
    Body(request): Body<ApproveRequest>,
) -> Result<ApiJson<ReviewView>, ApiError> {
    write(
        &state,
        &auth.actor,
        claim,
        request.expected_version,
        Command::Approve,
    )
    .await
}

async fn reopen(
    auth: Authorized<CanDecide>,
    ClaimPath(claim): ClaimPath,
    State(state): State<AppState>,
    Body(request): Body<ReopenRequest>,
) -> Result<ApiJson<ReviewView>, ApiError> {
    let command = Command::Reopen {
        reason: reason("reason", &request.reason)?,
    };
    write(
        &state,
        &auth.actor,
        claim,
        request.expected_version,
        command,
    )
    .await
}

/// Decides `command` on the review at `expected` and appends its event only if the
/// review's stream is still at `expected`: of concurrent writers at one version exactly
/// one wins; the others get 409 and nothing changes.
async fn write(
    state: &AppState,
    actor: &crate::access::Actor,
    claim: ClaimKey,
    expected: u64,
    command: Command,
) -> Result<ApiJson<ReviewView>, ApiError> {
    let action = command.name();
    let event = {
        let projection = state.fresh().await?;
        let (review, verdict) = projection
            .review_of(&claim)
            .ok_or_else(|| no_claim(&claim))?;
        if review.version != expected {
            return Err(ApiError::stale(expected, review.version));
        }
        let tokens = projection.tokens();
        decide(
            &ClaimId(claim.as_str().to_owned()),
            review,
            Some(verdict),
            actor,
            command,
            |name| tokens.can_decide(name),
        )
        .map_err(ApiError::refusal)?
    };
    let stream = review_stream(claim.as_str());
    let envelope = Envelope::new(
        &event,
        StreamVersion(expected + 1),
        REVIEW_SOURCE,
        EventId::random(),
    );
    match state
        .store
        .append(
            &stream,
            ExpectedVersion::Exactly(StreamVersion(expected)),
            vec![envelope],
        )
        .await
    {
        Ok(_) => {}
        Err(StoreError::Conflict { actual, .. }) => {
            return Err(ApiError::stale(expected, actual.map_or(0, |v| v.0)));
        }
        Err(error) => return Err(ApiError::store(ReviewError::Store(error))),
    }
    tracing::info!(claim = claim.as_str(), action, by = %actor.name, "review decision recorded");
    let view = state
        .fresh()
        .await?
        .review_view(&claim)
        .ok_or_else(|| no_claim(&claim))?;
    Ok(ApiJson(StatusCode::OK, view))
}

async fn list_tokens(
    _auth: Authorized<CanAdminister>,
    State(state): State<AppState>,
) -> Result<ApiJson<TokenList>, ApiError> {
    let tokens = state.fresh().await?.tokens().list();
    Ok(ApiJson(StatusCode::OK, TokenList { tokens }))
}

async fn issue_token(
    auth: Authorized<CanAdminister>,
    State(state): State<AppState>,
    Body(request): Body<IssueTokenRequest>,
) -> Result<ApiJson<IssuedTokenView>, ApiError> {
    let name = PersonName::parse(&request.name).map_err(|e| ApiError::invalid_field("name", e))?;
    let issued = crate::tokens::issue(
        state.store.as_ref(),
        &name,
        request.role,
        auth.actor.name.as_str(),
    )
    .await
    .map_err(ApiError::store)?;
    Ok(ApiJson(
        StatusCode::CREATED,
        IssuedTokenView {
            name: name.to_string(),
            role: request.role,
            fingerprint: issued.token.hash().fingerprint().to_owned(),
            token: issued.token.expose().to_owned(),
        },
    ))
}

async fn revoke_tokens(
    auth: Authorized<CanAdminister>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    State(state): State<AppState>,
) -> Result<ApiJson<Revoked>, ApiError> {
    let Path(name) = path?;
    let name = PersonName::parse(&name).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_path", e.0).with_field("name")
    })?;
    let revoked = crate::tokens::revoke(state.store.as_ref(), &name, auth.actor.name.as_str())
        .await
        .map_err(ApiError::store)?;
    if revoked == 0 {
        return Err(ApiError::not_found(format!("{name} holds no active token")));
    }
    Ok(ApiJson(
        StatusCode::OK,
        Revoked {
            name: name.to_string(),
            revoked,
        },
    ))
}
