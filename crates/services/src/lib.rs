//! The newsroom services, each a thin imperative shell around pure decision functions:
//! the relay (the outbox: store → `<ns>.events.<type>`), ingest (producers'
//! `<ns>.inbox.>` → store), the extractor (`article.submitted` → `claims.extracted`) and
//! the checker (`claims.extracted` → one `claim.checked` per claim; `tally.declared` and
//! `tally.corrected` → re-checks of exactly the claims the result bears on, with
//! `verdict.changed` and `review.reopened` where a verdict changed). It owns the decision
//! functions ([`decide`], [`recheck`]), the feeds the services read from ([`StoreFeed`] in
//! embedded mode, [`BusFeed`] on JetStream), the projections they keep (the official
//! tallies, the checker's view and claim index) and the read models (results, a claim's
//! check history), running the services (one, all of a deployment with graceful shutdown,
//! or the embedded pipeline until idle), and the producer side of official results (the
//! election-night replay and corrections), and the metrics: per service, messages
//! processed, events appended, replays, retries and dead letters by kind ([`metrics`]).
//!
//! Delivery is at least once everywhere; effects are idempotent because every event a
//! service appends has an id derived from its cause, so a message handled twice appends
//! nothing the second time. A message is acknowledged only after its appends committed.

mod args;
mod correct;
pub mod decide;
mod error;
mod feed;
mod metrics;
mod produce;
mod projection;
pub mod recheck;
mod run;
mod service;

pub use args::{CorrectArgs, ReplayArgs};
pub use correct::{correct, corrected_result, Corrected, Correction, CorrectionError};
pub use decide::{Append, Rejection, RejectionKind, TextProblem};
pub use error::{ServiceError, ServiceKind};
pub use feed::{
    BusFeed, Feed, Incoming, Retried, Skipped, StoreFeed, STORE_FEED_BATCH,
    STORE_FEED_SKIPPED_LIMIT,
};
pub use metrics::{metrics, Metrics, MetricsSnapshot, ServiceMetrics};
pub use produce::{
    replay, replay_declarations, tally_corrected_event, tally_declared_event, Delivered,
    InvalidSpeed, Producer, Publish, ReplayReport, Scheduled, Speed,
};
pub use projection::{claim_history, results, ClaimHistory, ResultsProjection, TallyProjection};
pub use recheck::{CheckerView, ClaimIndex, Decision, Dependency, CHECKER_INPUTS};
pub use run::{
    connect_bus, run_all, run_service, run_until_idle, IdleReport, NatsConfig, ServeConfig,
    DEFAULT_DATABASE_URL, METRICS_LOG_PERIOD,
};
pub use service::{
    backoff, consumer_spec, run_checker, run_extractor, run_ingest, run_relay, store_feed_types,
    Relay, Stats, CHECKER_CHECKPOINT, DEFAULT_MAX_DELIVER,
};
pub use tokio_util::sync::CancellationToken;
