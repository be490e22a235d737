//! The HTTP shell: the routes (one table, read by both the router and the OpenAPI
//! document, so the document names exactly what is served), the shared state, the bearer
//! token and role checks, and the headers every answer carries.

mod audit;
mod handlers;
pub(crate) mod openapi;
mod page;
pub(crate) mod respond;

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Router;
use newsroom_store::EventStore;
use tokio::sync::{Mutex, MutexGuard};

use crate::access::{Actor, Permission};
use crate::input::ClaimKey;
use crate::projection::ReviewProjection;
use crate::AuditExports;
use respond::ApiError;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest bearer token looked at; anything longer is no token of ours.
const MAX_TOKEN_CHARS: usize = 256;

/// What every handler shares: the store, and the projection it catches up before use.
#[derive(Clone)]
pub(crate) struct AppState {
    store: Arc<dyn EventStore>,
    projection: Arc<Mutex<ReviewProjection>>,
    openapi: Arc<Vec<u8>>,
    exports: Arc<AuditExports>,
}

impl AppState {
    /// The projection, caught up with the store: every request sees every event committed
    /// before it started, including appends by other processes.
    async fn fresh(&self) -> Result<MutexGuard<'_, ReviewProjection>, ApiError> {
        let mut projection = self.projection.lock().await;
        projection
            .catch_up(self.store.as_ref())
            .await
            .map_err(ApiError::store)?;
        Ok(projection)
    }
}

/// One route: what it is (for the OpenAPI document) and what serves it.
pub(crate) struct Route {
    pub method: Method,
    pub path: &'static str,
    pub doc: openapi::OperationDoc,
    pub handler: MethodRouter<AppState>,
}

/// The routes of the service, in the order the document lists them.
pub(crate) fn routes() -> Vec<Route> {
    let mut routes = page::routes();
    routes.extend(handlers::routes());
    routes.extend(audit::routes());
    routes
}

/// The service's router over `store` with a fresh projection.
pub(crate) fn router(
    store: Arc<dyn EventStore>,
    projection: ReviewProjection,
    exports: AuditExports,
) -> Router {
    let routes = routes();
    let openapi = openapi::document(&routes);
    let openapi = serde_json::to_vec_pretty(&openapi).unwrap_or_default();
    let state = AppState {
        store,
        projection: Arc::new(Mutex::new(projection)),
        openapi: Arc::new(respond::escape_json(&openapi)),
        exports: Arc::new(exports),
    };
    let mut by_path: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    for route in routes {
        match by_path.iter_mut().find(|(path, _)| *path == route.path) {
            Some((_, handler)) => *handler = std::mem::take(handler).merge(route.handler),
            None => by_path.push((route.path, route.handler)),
        }
    }
    let mut router = Router::new();
    for (path, handler) in by_path {
        router = router.route(path, handler);
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint; /openapi.json lists them")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take that method; /openapi.json lists them",
    )
}

/// Headers on every answer: no sniffing, no framing, no referrer, and no caching of
/// anything (answers may name people and hold unpublished text).
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    response
}

/// What a route demands of the token holder.
pub(crate) trait Requirement {
    const PERMISSION: Permission;
}

pub(crate) struct CanRead;
pub(crate) struct CanDecide;
pub(crate) struct CanApprove;
pub(crate) struct CanAdminister;
pub(crate) struct CanAudit;

impl Requirement for CanRead {
    const PERMISSION: Permission = Permission::Read;
}
impl Requirement for CanDecide {
    const PERMISSION: Permission = Permission::Decide;
}
impl Requirement for CanApprove {
    const PERMISSION: Permission = Permission::Approve;
}
impl Requirement for CanAdminister {
    const PERMISSION: Permission = Permission::Administer;
}
impl Requirement for CanAudit {
    const PERMISSION: Permission = Permission::Audit;
}

/// The holder of a valid bearer token whose role grants `R`. Extracted before the body,
/// so a request without the right token gets 401/403 whatever else is wrong with it.
pub(crate) struct Authorized<R> {
    pub actor: Actor,
    requirement: PhantomData<R>,
}

impl<R: Requirement> FromRequestParts<AppState> for Authorized<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers)?;
        let actor = state
            .fresh()
            .await?
            .tokens()
            .authenticate(token)
            .ok_or_else(|| ApiError::unauthenticated("the bearer token is unknown or revoked"))?;
        if !R::PERMISSION.granted_to(actor.role) {
            return Err(ApiError::forbidden(format!(
                "{} holds the role {}; this takes the role {}",
                actor.name,
                crate::access::role_name(actor.role),
                R::PERMISSION.roles()
            )));
        }
        Ok(Authorized {
            actor,
            requirement: PhantomData,
        })
    }
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthenticated("send a token: Authorization: Bearer <token>"))?;
    let malformed =
        || ApiError::unauthenticated("the Authorization header is not 'Bearer <token>'");
    let value = value.to_str().map_err(|_| malformed())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(malformed)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.len() > MAX_TOKEN_CHARS {
        return Err(malformed());
    }
    Ok(token)
}

/// The `{claim_id}` of the path, parsed.
pub(crate) struct ClaimPath(pub ClaimKey);

impl<S: Send + Sync> FromRequestParts<S> for ClaimPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await?;
        ClaimKey::parse(&raw).map(ClaimPath).map_err(|invalid| {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_path", invalid.0).with_field("claim_id")
        })
    }
}

/// The answer of the OpenAPI document.
async fn openapi_json(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    respond::json_bytes(StatusCode::OK, state.openapi.as_ref().clone()).into_response()
}
