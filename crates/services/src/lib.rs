//! The newsroom services, each a thin imperative shell around pure decision functions:
//! the relay (the outbox: store → `<ns>.events.<type>`), ingest (producers'
//! `<ns>.inbox.>` → store), the extractor (`article.submitted` → `claims.extracted`) and
//! the checker (`claims.extracted` → one `claim.checked` per claim). It owns the decision
//! functions ([`decide`]), the feeds the services read from ([`StoreFeed`] in embedded
//! mode, [`BusFeed`] on JetStream), the projections they keep (the official tallies) and
//! the results read model, and running the services: one, all of a deployment with
//! graceful shutdown, or the embedded pipeline until idle.
//!
//! Delivery is at least once everywhere; effects are idempotent because every event a
//! service appends has an id derived from its cause, so a message handled twice appends
//! nothing the second time. A message is acknowledged only after its appends committed.

pub mod decide;
mod error;
mod feed;
mod projection;
mod run;
mod service;

pub use decide::{Append, Rejection};
pub use error::{ServiceError, ServiceKind};
pub use feed::{
    BusFeed, Feed, Incoming, Skipped, StoreFeed, STORE_FEED_BATCH, STORE_FEED_SKIPPED_LIMIT,
};
pub use projection::{results, ResultsProjection, TallyProjection};
pub use run::{
    connect_bus, run_all, run_service, run_until_idle, IdleReport, NatsConfig, ServeConfig,
    DEFAULT_DATABASE_URL,
};
pub use service::{
    backoff, consumer_spec, run_checker, run_extractor, run_ingest, run_relay, store_feed_types,
    Relay, Stats, DEFAULT_MAX_DELIVER,
};
pub use tokio_util::sync::CancellationToken;
