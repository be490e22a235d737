//! The editor review queue: an HTTP JSON API, documented by an OpenAPI 3.1 document it
//! serves, and a review page, over which editors see the claims the checker flagged with
//! their evidence and decide on them. It owns the review state machine (assign, confirm,
//! override, four-eyes approval, reopen) and the review projection (article bodies, check
//! reports and history, review state, active tokens) rebuilt by replaying the event store;
//! every decision is appended to the claim's `review-<claim id>` stream at the version the
//! editor saw, so a stale decision is refused (409), never lost. Access is by bearer token
//! with roles (auditor, editor, approver, admin); tokens are random, shown once, and
//! recorded only as SHA-256 hashes in `access.*` events. It serves auditors (and admins) the
//! signed audit export and the ClaimReview JSON-LD of `newsroom-audit` over HTTP. It also
//! owns the command-line arguments of the review service and of token management, for the
//! `newsroom` binary.

mod access;
mod cli;
mod context;
mod http;
mod input;
mod projection;
mod review;
mod tokens;
mod views;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use newsroom_events::EventId;
use newsroom_store::{EventStore, StoreError};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use access::{parse_role, role_name, Actor, Permission, Token, TokenHash, TokenInfo, ROLES};
pub use cli::{run_tokens, IssueTokenArgs, ReviewArgs, RevokeTokenArgs, TokensCommand};
pub use context::QuoteContext;
pub use http::respond::escape_json;
pub use input::{Invalid, PersonName, Reason, MAX_NAME_CHARS, MAX_REASON_CHARS};
pub use projection::{AssigneeFilter, QueueFilter, ReviewProjection};
pub use review::{decide, Command, Decision, Refusal, Review, Status};
pub use tokens::{issue as issue_token, list as list_tokens, revoke as revoke_tokens, IssuedToken};
pub use views::*;

/// Where the review service listens unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The newsroom's name in export manifests and ClaimReviews unless told otherwise (as
/// `newsroom audit` has it).
pub const DEFAULT_NEWSROOM: &str = "Newsroom";

/// How the review service runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewConfig {
    /// The address the API and the page are served on.
    pub listen: SocketAddr,
    /// How the audit exports it serves are signed and attributed.
    pub exports: AuditExports,
}

impl Default for ReviewConfig {
    fn default() -> Self {
        ReviewConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            exports: AuditExports::in_data_dir(Path::new("./data")),
        }
    }
}

/// How the audit exports served to auditors are signed and attributed: the same key and
/// names `newsroom audit export` and `newsroom audit claimreview` use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditExports {
    /// The Ed25519 signing key file (PKCS#8 PEM or DER, or a 32-byte seed in hex), created
    /// (mode 0600) by the first export when there is none.
    pub signing_key: PathBuf,
    /// Who signs the exports and authors the ClaimReviews.
    pub newsroom: String,
    /// The newsroom's web address, for the ClaimReviews' author.
    pub newsroom_url: Option<String>,
}

impl AuditExports {
    /// The defaults of a data directory: its `signing.key`, the newsroom called
    /// [`DEFAULT_NEWSROOM`], no address.
    pub fn in_data_dir(data_dir: &Path) -> AuditExports {
        AuditExports {
            signing_key: newsroom_audit::keys::key_path(None, data_dir),
            newsroom: DEFAULT_NEWSROOM.to_owned(),
            newsroom_url: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("event store: {0}")]
    Store(#[from] StoreError),
    #[error("stored event {0} has no global position")]
    Unpositioned(EventId),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the HTTP server failed: {0}")]
    Serve(std::io::Error),
    #[error("the operating system's random source failed: {0}")]
    Random(String),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),
}

/// The review service's router over `store`: the API, `/openapi.json` and the page. Its
/// projection replays the store on the first request and catches up on every request.
pub fn router(store: Arc<dyn EventStore>, exports: AuditExports) -> axum::Router {
    http::router(store, ReviewProjection::new(), exports)
}

/// Runs the review service on `config.listen` until `shutdown` is cancelled, then lets
/// requests in flight finish.
pub async fn serve(
    config: ReviewConfig,
    store: Arc<dyn EventStore>,
    shutdown: CancellationToken,
) -> Result<(), ReviewError> {
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| ReviewError::Bind {
            addr: config.listen,
            source,
        })?;
    serve_on(listener, store, config.exports, shutdown).await
}

/// Runs the review service on a bound listener (port 0 in tests) until `shutdown`.
pub async fn serve_on(
    listener: TcpListener,
    store: Arc<dyn EventStore>,
    exports: AuditExports,
    shutdown: CancellationToken,
) -> Result<(), ReviewError> {
    let mut projection = ReviewProjection::new();
    let replayed = projection.catch_up(store.as_ref()).await?;
    let address = listener.local_addr().map_err(ReviewError::Serve)?;
    tracing::info!(%address, replayed, "review service listening");
    let app = http::router(store, projection, exports);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
        .map_err(ReviewError::Serve)?;
    tracing::info!("review service stopped");
    Ok(())
}
