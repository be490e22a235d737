//! The imperative shell: each service reads a message from its feed, catches its state up
//! from the store, asks the decision function what to append, appends, and only then
//! acknowledges the message.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use newsroom_bus::{Bus, ConsumerSpec};
use newsroom_events::{ArticleSubmitted, Envelope, GlobalPosition};
use newsroom_extract::Extractor;
use newsroom_store::{AppendOutcome, EventStore, StoreError};
use tokio_util::sync::CancellationToken;

use crate::decide::{self, Append, Rejection, RejectionKind};
use crate::feed::{BusFeed, Feed, Incoming, Retried};
use crate::metrics::metrics;
use crate::projection::TallyProjection;
use crate::recheck::{CheckerView, CHECKER_INPUTS};
use crate::{ServiceError, ServiceKind};

/// Deliveries of one message before a service's JetStream feed dead-letters it. Transient
/// failures are retried with a backoff doubling from 1 s to at most 60 s, so this covers a
/// store outage of about a quarter of an hour.
pub const DEFAULT_MAX_DELIVER: u32 = 20;

/// Longest pause between retries.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What one run of a service loop did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages handled and acknowledged.
    pub processed: u64,
    /// Events appended to the store (not counting idempotent repeats).
    pub appended: u64,
    /// Messages rejected (dead-lettered or skipped).
    pub rejected: u64,
    /// Handling attempts that failed and were retried.
    pub retried: u64,
}

impl std::ops::AddAssign for Stats {
    fn add_assign(&mut self, o: Stats) {
        self.processed += o.processed;
        self.appended += o.appended;
        self.rejected += o.rejected;
        self.retried += o.retried;
    }
}

/// Why handling a message failed.
pub(crate) enum Failure {
    /// It can never succeed.
    Rejected(Rejection),
    /// It may succeed later (the store is unreachable).
    Transient(ServiceError),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        Failure::Transient(ServiceError::Store(e))
    }
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Failure {
        Failure::Transient(e)
    }
}

impl From<Rejection> for Failure {
    fn from(r: Rejection) -> Failure {
        Failure::Rejected(r)
    }
}

/// One service's handling of one decoded message: how many events it appended.
#[async_trait]
pub(crate) trait Handler: Send {
    fn kind(&self) -> ServiceKind;
    async fn handle(&mut self, subject: &str, envelope: &Envelope) -> Result<u64, Failure>;
}

/// Makes the appends a decision asked for, in order; how many events were new. A repeat
/// (every id stored already) appends nothing, which is how a redelivered message is
/// harmless. An id stored elsewhere, or with events of another stream, is refused for good.
pub(crate) async fn commit(store: &dyn EventStore, appends: Vec<Append>) -> Result<u64, Failure> {
    let mut appended = 0;
    for append in appends {
        let count = append.events.len() as u64;
        match store
            .append(&append.stream, append.expected, append.events)
            .await
        {
            Ok(AppendOutcome::Appended { .. }) => appended += count,
            Ok(AppendOutcome::AlreadyStored) => {
                tracing::debug!(stream = %append.stream, "already stored")
            }
            Err(e @ (StoreError::DuplicateEventId(_) | StoreError::MixedStreams(_))) => {
                return Err(Failure::Rejected(Rejection::Refused(e)))
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(appended)
}

/// Stores what producers submit on the inbox.
pub(crate) struct Ingest {
    store: Arc<dyn EventStore>,
    namespace: String,
}

#[async_trait]
impl Handler for Ingest {
    fn kind(&self) -> ServiceKind {
        ServiceKind::Ingest
    }
    async fn handle(&mut self, subject: &str, envelope: &Envelope) -> Result<u64, Failure> {
        decide::check_inbox_subject(&self.namespace, subject, envelope)?;
        let append = decide::on_submission(envelope)?;
        let appended = commit(self.store.as_ref(), vec![append]).await?;
        if appended == 0 {
            // Its id is stored already: a producer's replay, or another event under a
            // reused id, which would otherwise be dropped without a word.
            let stored = self.store.read_stream(&envelope.stream_id).await?;
            let same = stored
                .iter()
                .find(|e| e.event_id == envelope.event_id)
                .is_some_and(|stored| decide::is_replay(stored, envelope));
            if !same {
                return Err(Failure::Rejected(Rejection::IdReused(envelope.event_id)));
            }
            tracing::debug!(event_id = %envelope.event_id, "a replay of a stored submission");
            metrics().replay(ServiceKind::Ingest);
        }
        Ok(appended)
    }
}

/// Extracts claims from articles, with an extractor built from the current tallies.
pub(crate) struct ExtractorService {
    store: Arc<dyn EventStore>,
    projection: TallyProjection,
    /// The extractor and the tally version it was built from.
    extractor: Option<(u64, Extractor)>,
}

impl ExtractorService {
    pub(crate) fn new(store: Arc<dyn EventStore>) -> ExtractorService {
        ExtractorService {
            store,
            projection: TallyProjection::new(),
            extractor: None,
        }
    }
}

#[async_trait]
impl Handler for ExtractorService {
    fn kind(&self) -> ServiceKind {
        ServiceKind::Extractor
    }
    async fn handle(&mut self, _subject: &str, envelope: &Envelope) -> Result<u64, Failure> {
        self.projection.catch_up(self.store.as_ref()).await?;
        let version = self.projection.tallies().version();
        if !matches!(&self.extractor, Some((built, _)) if *built == version) {
            tracing::debug!(tally_version = version, "building the extractor");
            self.extractor = None;
        }
        let tallies = self.projection.tallies();
        let (_, extractor) = self
            .extractor
            .get_or_insert_with(|| (version, Extractor::new(tallies)));
        let appends = decide::on_article_submitted(envelope, extractor)?;
        commit(self.store.as_ref(), appends).await
    }
}

/// The checker: follows the store in order with a [`CheckerView`], checking extracted
/// claims and re-checking the claims a declaration or correction bears on.
///
/// Each message of its feed (any event of its types, on a store feed or JetStream) wakes it
/// to apply every event the store holds after its view's position, in store order,
/// committing what each one decides before the next; so it decides the same whatever the
/// order or the repeats the feed hands messages out in. Checkpoint [`Checker::CHECKPOINT`]
/// records how far the view's decisions are committed; on start the view is rebuilt by
/// replaying the store up to it (the decisions are taken again and not appended: they
/// were). After a failure the view is dropped and rebuilt the same way.
pub(crate) struct Checker {
    store: Arc<dyn EventStore>,
    view: Option<CheckerView>,
}

impl Checker {
    /// The checkpoint of the checker's view.
    pub(crate) const CHECKPOINT: &'static str = "checker-view";

    pub(crate) fn new(store: Arc<dyn EventStore>) -> Checker {
        Checker { store, view: None }
    }

    /// Applies every event after the view's position until none is left, committing each
    /// one's decision before the next.
    async fn catch_up(&mut self) -> Result<u64, Failure> {
        let store = self.store.clone();
        let view = match &mut self.view {
            Some(view) => view,
            None => self.view.insert(rebuild_view(store.as_ref()).await?),
        };
        let mut appended = 0;
        loop {
            let events = store.read_all_after(view.position(), VIEW_PAGE).await?;
            let Some(last) = events.last() else { break };
            if last.position.is_none() {
                return Err(Failure::Transient(ServiceError::Unpositioned(
                    last.event_id,
                )));
            }
            for envelope in &events {
                let decision = match view.apply(envelope) {
                    Ok(decision) => decision,
                    Err(rejection) => {
                        tracing::warn!(event_id = %envelope.event_id, %rejection, "the checker passes over an event it cannot read");
                        continue;
                    }
                };
                match commit(store.as_ref(), decision.appends).await {
                    Ok(count) => appended += count,
                    Err(Failure::Rejected(rejection)) => {
                        tracing::error!(cause = %envelope.event_id, %rejection, "the store refused what the checker decided")
                    }
                    Err(failure) => return Err(failure),
                }
            }
            // Reading on until nothing is left takes in the checker's own appends, so an
            // idle checker's checkpoint is the store's head.
            store
                .save_checkpoint(Self::CHECKPOINT, view.position())
                .await?;
        }
        Ok(appended)
    }
}

/// The checkpoint of the checker's view: how far the checker's decisions are committed.
pub const CHECKER_CHECKPOINT: &str = Checker::CHECKPOINT;

/// Events the checker's view reads per query.
const VIEW_PAGE: usize = 512;

/// The checker's view as of its checkpoint: the store's events up to it, applied in order.
async fn rebuild_view(store: &dyn EventStore) -> Result<CheckerView, ServiceError> {
    let upto = store.load_checkpoint(Checker::CHECKPOINT).await?;
    let mut view = CheckerView::new();
    let mut after = GlobalPosition(0);
    'read: while after < upto {
        let events = store.read_all_after(after, VIEW_PAGE).await?;
        let Some(last) = events.last() else { break };
        after = last
            .position
            .ok_or(ServiceError::Unpositioned(last.event_id))?;
        for envelope in &events {
            if envelope.position.is_some_and(|p| p > upto) {
                break 'read;
            }
            if let Err(rejection) = view.apply(envelope) {
                tracing::warn!(event_id = %envelope.event_id, %rejection, "the checker passes over an event it cannot read");
            }
        }
    }
    tracing::info!(
        position = view.position().0,
        claims = view.claim_count(),
        tally_version = view.tallies().version(),
        "checker view rebuilt"
    );
    Ok(view)
}

#[async_trait]
impl Handler for Checker {
    fn kind(&self) -> ServiceKind {
        ServiceKind::Checker
    }
    async fn handle(&mut self, _subject: &str, envelope: &Envelope) -> Result<u64, Failure> {
        // A message of the checker's types that cannot be read is refused as such; the view
        // passes over it when it gets there.
        if CHECKER_INPUTS.contains(&envelope.event_type.as_str()) {
            envelope.decode().map_err(Rejection::from)?;
        }
        let result = self.catch_up().await;
        if result.is_err() {
            self.view = None;
        }
        result
    }
}

/// Whether a loop runs until shut down or until its feed has nothing left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Until {
    Shutdown,
    Idle,
}

/// The pause before retry number `attempt` (1-based): 1 s, 2 s, 4 s ... at most 60 s.
pub fn backoff(attempt: u64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(6) as u32;
    Duration::from_secs(1u64 << exponent).min(MAX_BACKOFF)
}

/// Sleeps for `delay` unless shut down first; whether it slept the whole time.
async fn pause(delay: Duration, shutdown: &CancellationToken) -> bool {
    tokio::select! {
        _ = shutdown.cancelled() => false,
        _ = tokio::time::sleep(delay) => true,
    }
}

/// The loop every consuming service runs: next message, handle, settle.
pub(crate) async fn drive(
    handler: &mut dyn Handler,
    feed: &mut dyn Feed,
    shutdown: &CancellationToken,
    until: Until,
) -> Result<Stats, ServiceError> {
    let service = handler.kind();
    let mut stats = Stats::default();
    let mut failures: u64 = 0;
    while !shutdown.is_cancelled() {
        let next = tokio::select! {
            _ = shutdown.cancelled() => break,
            next = feed.next() => next,
        };
        let message = match next {
            Ok(Some(message)) => message,
            Ok(None) if until == Until::Idle => break,
            Ok(None) => continue,
            Err(error) if until == Until::Idle => return Err(error),
            Err(error) => {
                failures += 1;
                tracing::warn!(%service, %error, "feed failed; retrying");
                pause(backoff(failures), shutdown).await;
                continue;
            }
        };
        match settle(handler, feed, message, &mut stats, failures).await {
            Ok(true) => failures = 0,
            Ok(false) => failures += 1,
            Err(error) if until == Until::Idle => return Err(error),
            Err(error) => {
                failures += 1;
                tracing::warn!(%service, %error, "could not settle a message; it will come again");
                pause(backoff(failures), shutdown).await;
            }
        }
    }
    Ok(stats)
}

/// Handles one message and settles it; whether it was handled (acked or rejected) rather
/// than put back for a retry.
async fn settle(
    handler: &mut dyn Handler,
    feed: &mut dyn Feed,
    message: Incoming,
    stats: &mut Stats,
    failures: u64,
) -> Result<bool, ServiceError> {
    let service = handler.kind();
    let envelope = match &message.envelope {
        Ok(envelope) => envelope,
        Err(rejection) => {
            let (reason, kind) = (rejection.to_string(), rejection.kind());
            feed.reject(message, &reason).await?;
            metrics().dead_lettered(service, kind);
            stats.rejected += 1;
            return Ok(true);
        }
    };
    let event_id = envelope.event_id;
    match handler.handle(&message.subject, envelope).await {
        Ok(appended) => {
            tracing::debug!(%service, %event_id, subject = %message.subject, appended, "handled");
            feed.ack(message).await?;
            metrics().processed(service, appended);
            stats.processed += 1;
            stats.appended += appended;
            Ok(true)
        }
        Err(Failure::Rejected(rejection)) => {
            let (reason, kind) = (rejection.to_string(), rejection.kind());
            feed.reject(message, &reason).await?;
            metrics().dead_lettered(service, kind);
            stats.rejected += 1;
            Ok(true)
        }
        Err(Failure::Transient(error)) => {
            let attempt = message.delivered_count.max(failures + 1);
            let reason = error.to_string();
            match feed.retry(message, backoff(attempt), &reason).await? {
                Retried::Later => {
                    metrics().retried(service);
                    stats.retried += 1;
                    Ok(false)
                }
                Retried::GaveUp => {
                    metrics().dead_lettered(service, RejectionKind::GaveUp);
                    stats.rejected += 1;
                    Ok(true)
                }
            }
        }
    }
}

/// The durable consumer of a consuming service in JetStream mode: `ingest` on
/// `<ns>.inbox.>`, `extractor` on `<ns>.events.article.submitted`, `checker` on
/// `<ns>.events.>` (it acts on extractions, tally declarations and corrections and review
/// events, reading them from the store in order). `None` for the relay, which consumes the
/// store.
pub fn consumer_spec(namespace: &str, service: ServiceKind) -> Option<ConsumerSpec> {
    let filter = match service {
        ServiceKind::Relay => return None,
        ServiceKind::Ingest => format!("{namespace}.inbox.>"),
        ServiceKind::Extractor => {
            newsroom_events::subjects::event(namespace, ArticleSubmitted::TYPE)
        }
        // One filter subject per consumer (NATS 2.9): every event, the checker's types
        // taken by the checker, which reads the store in order on any of them.
        ServiceKind::Checker => format!("{namespace}.events.>"),
    };
    Some(ConsumerSpec::new(
        service.as_str(),
        filter,
        DEFAULT_MAX_DELIVER,
    ))
}

/// The event types a consuming service reads from a store feed. Empty for the relay
/// (it reads everything) and ingest (it reads the inbox, not the store).
pub fn store_feed_types(service: ServiceKind) -> &'static [&'static str] {
    match service {
        ServiceKind::Extractor => &[ArticleSubmitted::TYPE],
        ServiceKind::Checker => &CHECKER_INPUTS,
        ServiceKind::Relay | ServiceKind::Ingest => &[],
    }
}

/// Runs the ingest service on the inbox until `shutdown`.
pub async fn run_ingest(
    store: Arc<dyn EventStore>,
    bus: Bus,
    shutdown: CancellationToken,
) -> Result<Stats, ServiceError> {
    let namespace = bus.namespace().as_str().to_owned();
    let spec = consumer_spec(&namespace, ServiceKind::Ingest)
        .ok_or(ServiceError::NeedsNats(ServiceKind::Ingest))?;
    let mut feed = BusFeed::open(bus, ServiceKind::Ingest.as_str(), spec).await?;
    let mut handler = Ingest { store, namespace };
    run_logged(&mut handler, &mut feed, &shutdown).await
}

/// Runs the extractor on `feed` (a [`crate::StoreFeed`] of `article.submitted` or a
/// [`BusFeed`] on `<ns>.events.article.submitted`) until `shutdown`.
pub async fn run_extractor(
    store: Arc<dyn EventStore>,
    mut feed: impl Feed,
    shutdown: CancellationToken,
) -> Result<Stats, ServiceError> {
    let mut handler = ExtractorService::new(store);
    run_logged(&mut handler, &mut feed, &shutdown).await
}

/// Runs the checker on `feed` (a [`crate::StoreFeed`] of [`CHECKER_INPUTS`] or a
/// [`BusFeed`] on `<ns>.events.>`) until `shutdown`.
pub async fn run_checker(
    store: Arc<dyn EventStore>,
    mut feed: impl Feed,
    shutdown: CancellationToken,
) -> Result<Stats, ServiceError> {
    let mut handler = Checker::new(store);
    run_logged(&mut handler, &mut feed, &shutdown).await
}

async fn run_logged(
    handler: &mut dyn Handler,
    feed: &mut dyn Feed,
    shutdown: &CancellationToken,
) -> Result<Stats, ServiceError> {
    let service = handler.kind();
    tracing::info!(%service, "service started");
    let result = drive(handler, feed, shutdown, Until::Shutdown).await;
    let counted = metrics().snapshot().service(service);
    match &result {
        Ok(stats) => {
            tracing::info!(%service, processed = stats.processed, appended = stats.appended, rejected = stats.rejected, metrics = %counted, "service stopped")
        }
        Err(error) => tracing::error!(%service, %error, "service failed"),
    }
    result
}

/// The outbox relay: publishes the store's events, in global order, on
/// `<ns>.events.<type>` with `Nats-Msg-Id` = event id, and saves checkpoint `relay` after
/// JetStream acknowledged them. After a crash it publishes again from the checkpoint; the
/// server drops the repeats within the duplicate window (and every consumer is idempotent
/// by event id beyond it).
pub struct Relay {
    store: Arc<dyn EventStore>,
    bus: Bus,
    checkpoint: String,
    position: GlobalPosition,
    batch: usize,
}

impl Relay {
    /// The relay's checkpoint name.
    pub const CHECKPOINT: &'static str = "relay";

    /// Opens the relay at its saved checkpoint.
    pub async fn open(store: Arc<dyn EventStore>, bus: Bus) -> Result<Relay, ServiceError> {
        let position = store.load_checkpoint(Self::CHECKPOINT).await?;
        Ok(Relay {
            store,
            bus,
            checkpoint: Self::CHECKPOINT.to_owned(),
            position,
            batch: 256,
        })
    }

    /// The position up to which everything is published and checkpointed.
    pub fn position(&self) -> GlobalPosition {
        self.position
    }

    /// Publishes the next batch of events after the checkpoint and saves the checkpoint;
    /// how many were published (0 when caught up). If a publish fails, the checkpoint is
    /// saved after the last one acknowledged and the error returned.
    pub async fn step(&mut self) -> Result<u64, ServiceError> {
        let events = self.store.read_all_after(self.position, self.batch).await?;
        let mut published = 0;
        let mut reached = self.position;
        let mut failure = None;
        for envelope in &events {
            let position = envelope
                .position
                .ok_or(ServiceError::Unpositioned(envelope.event_id))?;
            match self.bus.publish_event(envelope).await {
                Ok(ack) => {
                    tracing::debug!(event_id = %envelope.event_id, position = position.0, duplicate = ack.duplicate, "relayed");
                    metrics().processed(ServiceKind::Relay, 0);
                    reached = position;
                    published += 1;
                }
                Err(error) if error.is_too_large() => {
                    // It can never be published: the bus would stall behind it. It stays
                    // in the store (the source of truth); the bus gets a dead letter.
                    if let Err(error) = self.dead_letter_too_large(envelope, &error).await {
                        failure = Some(error);
                        break;
                    }
                    metrics().dead_lettered(ServiceKind::Relay, RejectionKind::TooLarge);
                    reached = position;
                }
                Err(error) => {
                    failure = Some(error);
                    break;
                }
            }
        }
        if reached > self.position {
            self.store
                .save_checkpoint(&self.checkpoint, reached)
                .await?;
            self.position = reached;
        }
        match failure {
            Some(error) => {
                metrics().retried(ServiceKind::Relay);
                Err(error.into())
            }
            None => Ok(published),
        }
    }

    async fn dead_letter_too_large(
        &self,
        envelope: &Envelope,
        error: &newsroom_bus::BusError,
    ) -> Result<(), newsroom_bus::BusError> {
        let subject = envelope.subject(self.bus.namespace().as_str());
        let reason = format!(
            "stored event {} at position {} cannot be published: {error}",
            envelope.event_id,
            envelope.position.map_or(0, |p| p.0)
        );
        let original = serde_json::to_vec(envelope)?;
        self.bus
            .dead_letter(ServiceKind::Relay.as_str(), &subject, &reason, &original)
            .await?;
        Ok(())
    }

    /// Publishes everything stored so far; how many events.
    pub async fn run_until_idle(&mut self) -> Result<u64, ServiceError> {
        let mut total = 0;
        loop {
            let published = self.step().await?;
            if published == 0 {
                return Ok(total);
            }
            total += published;
        }
    }

    /// Publishes until `shutdown`, waiting for appends when caught up; how many events.
    pub async fn run(&mut self, shutdown: &CancellationToken) -> Result<u64, ServiceError> {
        let mut total = 0;
        let mut failures = 0;
        while !shutdown.is_cancelled() {
            match self.step().await {
                Ok(0) => {
                    failures = 0;
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = self.store.wait_for_append(self.position, Duration::from_secs(1)) => {}
                    }
                }
                Ok(published) => {
                    failures = 0;
                    total += published;
                }
                Err(error) => {
                    failures += 1;
                    tracing::warn!(%error, position = self.position.0, "relay failed; retrying");
                    pause(backoff(failures), shutdown).await;
                }
            }
        }
        Ok(total)
    }
}

/// Runs the relay until `shutdown`; how many events it published.
pub async fn run_relay(
    store: Arc<dyn EventStore>,
    bus: Bus,
    shutdown: CancellationToken,
) -> Result<u64, ServiceError> {
    let mut relay = Relay::open(store, bus).await?;
    tracing::info!(service = %ServiceKind::Relay, position = relay.position().0, "service started");
    let published = relay.run(&shutdown).await?;
    tracing::info!(service = %ServiceKind::Relay, published, "service stopped");
    Ok(published)
}
