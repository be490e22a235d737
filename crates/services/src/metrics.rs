//! Counters of what each service did: messages processed, events appended, replays stored
//! already, attempts retried, and messages dead-lettered (on a store feed: recorded and
//! skipped) by [`RejectionKind`]. Process-wide ([`metrics`]), lock-free (relaxed atomics:
//! each counter is exact, a snapshot is not one instant across counters), read with
//! [`Metrics::snapshot`] and logged when a service stops and periodically by
//! [`crate::run_all`].
//!
//! Plain atomics rather than a metrics crate: nothing scrapes the process yet, and a
//! [`MetricsSnapshot`] is what any exporter (Prometheus text, OpenTelemetry) would read.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::decide::RejectionKind;
use crate::ServiceKind;

const KINDS: usize = RejectionKind::ALL.len();

struct Counters {
    processed: AtomicU64,
    appended: AtomicU64,
    replays: AtomicU64,
    retried: AtomicU64,
    dead_lettered: [AtomicU64; KINDS],
}

impl Counters {
    const fn new() -> Counters {
        Counters {
            processed: AtomicU64::new(0),
            appended: AtomicU64::new(0),
            replays: AtomicU64::new(0),
            retried: AtomicU64::new(0),
            dead_lettered: [const { AtomicU64::new(0) }; KINDS],
        }
    }

    fn read(&self) -> ServiceMetrics {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ServiceMetrics {
            processed: load(&self.processed),
            appended: load(&self.appended),
            replays: load(&self.replays),
            retried: load(&self.retried),
            dead_lettered: RejectionKind::ALL
                .into_iter()
                .map(|kind| (kind, load(&self.dead_lettered[kind.index()])))
                .filter(|(_, n)| *n > 0)
                .collect(),
        }
    }
}

/// The counters of every service. See the module docs.
pub struct Metrics {
    services: [Counters; ServiceKind::ALL.len()],
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.snapshot(), f)
    }
}

impl Metrics {
    pub const fn new() -> Metrics {
        Metrics {
            services: [const { Counters::new() }; ServiceKind::ALL.len()],
        }
    }

    fn of(&self, service: ServiceKind) -> &Counters {
        &self.services[service as usize]
    }

    /// A message handled and acknowledged, having appended `appended` new events.
    pub fn processed(&self, service: ServiceKind, appended: u64) {
        let c = self.of(service);
        c.processed.fetch_add(1, Ordering::Relaxed);
        c.appended.fetch_add(appended, Ordering::Relaxed);
    }

    /// A submission stored already (a producer's replay): nothing appended.
    pub fn replay(&self, service: ServiceKind) {
        self.of(service).replays.fetch_add(1, Ordering::Relaxed);
    }

    /// A handling attempt failed for a reason that may pass and was put back.
    pub fn retried(&self, service: ServiceKind) {
        self.of(service).retried.fetch_add(1, Ordering::Relaxed);
    }

    /// A message given up on: dead-lettered (or, on a store feed, recorded and skipped).
    pub fn dead_lettered(&self, service: ServiceKind, kind: RejectionKind) {
        self.of(service).dead_lettered[kind.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// Every counter as it is now.
    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            services: ServiceKind::ALL
                .into_iter()
                .map(|kind| (kind, self.of(kind).read()))
                .collect(),
        }
    }
}

/// The process-wide counters the services record into.
pub fn metrics() -> &'static Metrics {
    static METRICS: Metrics = Metrics::new();
    &METRICS
}

/// One service's counters at one time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceMetrics {
    pub processed: u64,
    pub appended: u64,
    /// Submissions stored already (ingest): acknowledged, nothing appended.
    pub replays: u64,
    pub retried: u64,
    /// Messages given up on, by kind (kinds never seen are left out).
    pub dead_lettered: BTreeMap<RejectionKind, u64>,
}

impl ServiceMetrics {
    /// Messages given up on, of every kind.
    pub fn dead_lettered_total(&self) -> u64 {
        self.dead_lettered.values().sum()
    }

    /// How many messages of `kind` were given up on.
    pub fn dead_lettered_of(&self, kind: RejectionKind) -> u64 {
        self.dead_lettered.get(&kind).copied().unwrap_or(0)
    }

    /// What was counted after `earlier` (counters only grow).
    pub fn since(&self, earlier: &ServiceMetrics) -> ServiceMetrics {
        ServiceMetrics {
            processed: self.processed.saturating_sub(earlier.processed),
            appended: self.appended.saturating_sub(earlier.appended),
            replays: self.replays.saturating_sub(earlier.replays),
            retried: self.retried.saturating_sub(earlier.retried),
            dead_lettered: self
                .dead_lettered
                .iter()
                .map(|(kind, n)| (*kind, n.saturating_sub(earlier.dead_lettered_of(*kind))))
                .filter(|(_, n)| *n > 0)
                .collect(),
        }
    }
}

impl fmt::Display for ServiceMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "processed={} appended={} replays={} retried={} dead_lettered={}",
            self.processed,
            self.appended,
            self.replays,
            self.retried,
            self.dead_lettered_total()
        )?;
        if !self.dead_lettered.is_empty() {
            let kinds: Vec<String> = self
                .dead_lettered
                .iter()
                .map(|(kind, n)| format!("{kind}={n}"))
                .collect();
            write!(f, " {{{}}}", kinds.join(","))?;
        }
        Ok(())
    }
}

/// Every service's counters at one time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsSnapshot {
    pub services: BTreeMap<ServiceKind, ServiceMetrics>,
}

impl MetricsSnapshot {
    /// One service's counters.
    pub fn service(&self, service: ServiceKind) -> ServiceMetrics {
        self.services.get(&service).cloned().unwrap_or_default()
    }

    /// What was counted after `earlier`.
    pub fn since(&self, earlier: &MetricsSnapshot) -> MetricsSnapshot {
        MetricsSnapshot {
            services: self
                .services
                .iter()
                .map(|(kind, now)| (*kind, now.since(&earlier.service(*kind))))
                .collect(),
        }
    }
}

impl fmt::Display for MetricsSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (kind, metrics) in &self.services {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{kind}: {metrics}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_kept_per_service_and_per_kind_of_rejection() {
        // Given fresh counters
        let metrics = Metrics::new();
        // When ingest processes two messages and dead-letters three of two kinds
        metrics.processed(ServiceKind::Ingest, 1);
        metrics.processed(ServiceKind::Ingest, 0);
        metrics.replay(ServiceKind::Ingest);
        metrics.dead_lettered(ServiceKind::Ingest, RejectionKind::NotAnEnvelope);
        metrics.dead_lettered(ServiceKind::Ingest, RejectionKind::NotAnEnvelope);
        metrics.dead_lettered(ServiceKind::Ingest, RejectionKind::TooLarge);
        metrics.retried(ServiceKind::Checker);

        // Then the snapshot says so, service by service
        let snapshot = metrics.snapshot();
        let ingest = snapshot.service(ServiceKind::Ingest);
        assert_eq!(
            (ingest.processed, ingest.appended, ingest.replays),
            (2, 1, 1)
        );
        assert_eq!(ingest.dead_lettered_of(RejectionKind::NotAnEnvelope), 2);
        assert_eq!(ingest.dead_lettered_of(RejectionKind::TooLarge), 1);
        assert_eq!(ingest.dead_lettered_total(), 3);
        assert_eq!(snapshot.service(ServiceKind::Checker).retried, 1);
        assert_eq!(
            snapshot.service(ServiceKind::Relay),
            ServiceMetrics::default()
        );
        assert_eq!(
            ingest.to_string(),
            "processed=2 appended=1 replays=1 retried=0 dead_lettered=3 \
             {too_large=1,not_an_envelope=2}"
        );
    }

    #[test]
    fn a_snapshot_since_an_earlier_one_holds_only_what_was_counted_in_between() {
        let metrics = Metrics::new();
        metrics.dead_lettered(ServiceKind::Ingest, RejectionKind::UnknownType);
        let before = metrics.snapshot();
        metrics.dead_lettered(ServiceKind::Ingest, RejectionKind::UnknownType);
        metrics.processed(ServiceKind::Extractor, 1);
        let delta = metrics.snapshot().since(&before);
        assert_eq!(
            delta.service(ServiceKind::Ingest).dead_lettered,
            BTreeMap::from([(RejectionKind::UnknownType, 1)])
        );
        assert_eq!(delta.service(ServiceKind::Extractor).processed, 1);
    }

    #[test]
    fn every_rejection_kind_has_its_own_counter() {
        for (i, kind) in RejectionKind::ALL.into_iter().enumerate() {
            assert_eq!(kind.index(), i, "{kind}");
        }
    }
}
