//! Running services: one, all of a deployment, or the embedded pipeline until idle.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use newsroom_bus::{Bus, BusOptions};
use newsroom_events::subjects::DEFAULT_NAMESPACE;
use newsroom_store::EventStore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::feed::{BusFeed, Skipped, StoreFeed};
use crate::metrics::{metrics, MetricsSnapshot};
use crate::service::{
    consumer_spec, drive, run_checker, run_extractor, run_ingest, run_relay, store_feed_types,
    Checker, ExtractorService, Stats, Until,
};
use crate::{ServiceError, ServiceKind};

/// How often [`run_all`] logs the metrics (when they changed).
pub const METRICS_LOG_PERIOD: Duration = Duration::from_secs(60);

/// Logs the metrics every [`METRICS_LOG_PERIOD`] while they change, and once at the end.
async fn log_metrics(stop: CancellationToken) {
    let mut last = MetricsSnapshot::default();
    loop {
        let stopped = tokio::select! {
            _ = stop.cancelled() => true,
            _ = tokio::time::sleep(METRICS_LOG_PERIOD) => false,
        };
        let now = metrics().snapshot();
        if now != last || stopped {
            tracing::info!(metrics = %now, "metrics");
            last = now;
        }
        if stopped {
            return;
        }
    }
}

/// The embedded store when no database URL is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite:newsroom.db";

/// Where NATS is and how the namespace's streams are shaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsConfig {
    pub url: String,
    pub namespace: String,
    /// Stream and consumer replicas: 1 on a single server, 3 in a cluster.
    pub replicas: usize,
}

impl NatsConfig {
    /// The default namespace (`newsroom`), one replica.
    pub fn new(url: impl Into<String>) -> NatsConfig {
        NatsConfig {
            url: url.into(),
            namespace: DEFAULT_NAMESPACE.to_owned(),
            replicas: 1,
        }
    }
}

/// What `newsroom serve` runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    /// The services to run; empty means every service the mode runs.
    pub services: Vec<ServiceKind>,
    pub database_url: String,
    /// JetStream mode when set; embedded mode (store feeds) when not.
    pub nats: Option<NatsConfig>,
}

impl ServeConfig {
    /// Embedded mode: the extractor and checker follow the store directly.
    pub fn embedded(database_url: impl Into<String>) -> ServeConfig {
        ServeConfig {
            services: Vec::new(),
            database_url: database_url.into(),
            nats: None,
        }
    }

    /// JetStream mode: every service, messages through NATS.
    pub fn jetstream(database_url: impl Into<String>, nats: NatsConfig) -> ServeConfig {
        ServeConfig {
            services: Vec::new(),
            database_url: database_url.into(),
            nats: Some(nats),
        }
    }

    /// The services to run, each once: the ones asked for, or all four with NATS, or the
    /// extractor and checker without. Relay and ingest without NATS are an error.
    pub fn resolved_services(&self) -> Result<Vec<ServiceKind>, ServiceError> {
        let mut services = if !self.services.is_empty() {
            self.services.clone()
        } else if self.nats.is_some() {
            ServiceKind::ALL.to_vec()
        } else {
            vec![ServiceKind::Extractor, ServiceKind::Checker]
        };
        services.sort();
        services.dedup();
        if self.nats.is_none() {
            if let Some(kind) = services.iter().find(|k| k.needs_nats()) {
                return Err(ServiceError::NeedsNats(*kind));
            }
        }
        Ok(services)
    }
}

/// Connects to NATS and ensures the namespace's streams.
pub async fn connect_bus(nats: &NatsConfig, client_name: &str) -> Result<Bus, ServiceError> {
    let options = BusOptions {
        replicas: nats.replicas,
        client_name: Some(client_name.to_owned()),
        ..BusOptions::new(nats.url.clone(), nats.namespace.clone())
    };
    let bus = Bus::connect_with(options).await?;
    bus.ensure_streams().await?;
    Ok(bus)
}

/// Runs one service until `shutdown`: on its JetStream consumer when `bus` is given, on a
/// store feed (checkpoint named after the service) when not.
pub async fn run_service(
    kind: ServiceKind,
    store: Arc<dyn EventStore>,
    bus: Option<Bus>,
    shutdown: CancellationToken,
) -> Result<(), ServiceError> {
    match (kind, bus) {
        (ServiceKind::Relay, Some(bus)) => run_relay(store, bus, shutdown).await.map(drop),
        (ServiceKind::Ingest, Some(bus)) => run_ingest(store, bus, shutdown).await.map(drop),
        (ServiceKind::Relay | ServiceKind::Ingest, None) => Err(ServiceError::NeedsNats(kind)),
        (ServiceKind::Extractor | ServiceKind::Checker, Some(bus)) => {
            let spec = consumer_spec(bus.namespace().as_str(), kind)
                .ok_or(ServiceError::NeedsNats(kind))?;
            let feed = BusFeed::open(bus, kind.as_str(), spec).await?;
            match kind {
                ServiceKind::Extractor => run_extractor(store, feed, shutdown).await.map(drop),
                _ => run_checker(store, feed, shutdown).await.map(drop),
            }
        }
        (ServiceKind::Extractor | ServiceKind::Checker, None) => {
            let feed =
                StoreFeed::open(store.clone(), kind.as_str(), store_feed_types(kind)).await?;
            match kind {
                ServiceKind::Extractor => run_extractor(store, feed, shutdown).await.map(drop),
                _ => run_checker(store, feed, shutdown).await.map(drop),
            }
        }
    }
}

/// Runs the configured services until `shutdown` is cancelled, then waits for each to
/// finish the message in hand. If one fails, the others are stopped and its error returned.
pub async fn run_all(config: ServeConfig, shutdown: CancellationToken) -> Result<(), ServiceError> {
    let services = config.resolved_services()?;
    let store = newsroom_store::connect(&config.database_url).await?;
    let bus = match &config.nats {
        Some(nats) => Some(connect_bus(nats, "newsroom/serve").await?),
        None => None,
    };
    let names: Vec<&str> = services.iter().map(|s| s.as_str()).collect();
    tracing::info!(
        services = ?names,
        mode = if bus.is_some() { "jetstream" } else { "embedded" },
        "serving"
    );
    let stop = shutdown.child_token();
    let reporter = tokio::spawn(log_metrics(stop.clone()));
    let mut tasks = JoinSet::new();
    let mut kinds = HashMap::new();
    for kind in services {
        let task = run_service(kind, store.clone(), bus.clone(), stop.clone())
            .instrument(tracing::info_span!("service", name = kind.as_str()));
        let handle = tasks.spawn(task);
        kinds.insert(handle.id(), kind);
    }
    let mut first_error = None;
    while let Some(joined) = tasks.join_next_with_id().await {
        let failure = match joined {
            Ok((_, Ok(()))) => None,
            Ok((id, Err(error))) => Some((kinds.get(&id).copied(), error)),
            Err(join) => {
                let kind = kinds.get(&join.id()).copied();
                let reason = join.to_string();
                kind.map(|service| (Some(service), ServiceError::Crashed { service, reason }))
            }
        };
        if let Some((kind, error)) = failure {
            tracing::error!(service = ?kind, %error, "service failed; stopping the others");
            stop.cancel();
            first_error.get_or_insert(error);
        }
    }
    stop.cancel();
    if let Err(error) = reporter.await {
        tracing::warn!(%error, "the metrics reporter failed");
    }
    first_error.map_or(Ok(()), Err)
}

/// What [`run_until_idle`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdleReport {
    pub extractor: Stats,
    pub checker: Stats,
    /// Events that could not be used, with the reasons.
    pub skipped: Vec<Skipped>,
}

/// The embedded pipeline as a one-shot: extracts every article, checks every extraction and
/// re-checks on every declaration and correction not yet handled (by checkpoints
/// `extractor`, `checker` and the checker's view, [`crate::CHECKER_CHECKPOINT`]), and
/// returns when nothing is left. Running it again appends nothing new.
pub async fn run_until_idle(store: Arc<dyn EventStore>) -> Result<IdleReport, ServiceError> {
    let never = CancellationToken::new();
    let extractor_types = store_feed_types(ServiceKind::Extractor);
    let checker_types = store_feed_types(ServiceKind::Checker);
    let mut extractor_feed = StoreFeed::open(
        store.clone(),
        ServiceKind::Extractor.as_str(),
        extractor_types,
    )
    .await?
    .with_idle_wait(Duration::ZERO);
    let mut checker_feed =
        StoreFeed::open(store.clone(), ServiceKind::Checker.as_str(), checker_types)
            .await?
            .with_idle_wait(Duration::ZERO);
    let mut extractor = ExtractorService::new(store.clone());
    let mut checker = Checker::new(store);
    let mut report = IdleReport::default();
    loop {
        let extracted = drive(&mut extractor, &mut extractor_feed, &never, Until::Idle).await?;
        let checked = drive(&mut checker, &mut checker_feed, &never, Until::Idle).await?;
        report.extractor += extracted;
        report.checker += checked;
        let settled =
            extracted.processed + extracted.rejected + checked.processed + checked.rejected;
        if settled == 0 {
            break;
        }
    }
    report.skipped = extractor_feed.take_skipped();
    report.skipped.extend(checker_feed.take_skipped());
    tracing::info!(
        articles = report.extractor.processed,
        extractions = report.checker.processed,
        skipped = report.skipped.len(),
        "pipeline idle"
    );
    Ok(report)
}
