//! The producer side of official results: the tally events a results feed publishes (ids
//! derived from their content, so publishing the same thing twice is one event), where they
//! go (the NATS inbox for the ingest service, or the store itself when embedded), and the
//! election-night replay that publishes the declarations in their official order and pace.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use newsroom_bus::Bus;
use newsroom_events::{Envelope, Event, EventId, StreamVersion, TallyCorrected, TallyDeclared};
use newsroom_store::{AppendOutcome, EventStore, ExpectedVersion};
use newsroom_tally::ConstituencyResult;
use tokio_util::sync::CancellationToken;

use crate::ServiceError;

/// An official result as a `tally.declared`, its id derived from the payload: the same
/// result published twice (by an import, then a replay) is one event.
pub fn tally_declared_event(result: ConstituencyResult, source: &str) -> Envelope {
    let event = Event::TallyDeclared(TallyDeclared { result });
    let id = EventId::from_content(
        TallyDeclared::TYPE,
        event.to_payload().to_string().as_bytes(),
    );
    Envelope::new(&event, StreamVersion(1), source, id)
}

/// A corrected result as a `tally.corrected`, its id derived from the payload (result and
/// reason).
pub fn tally_corrected_event(result: ConstituencyResult, reason: &str, source: &str) -> Envelope {
    let event = Event::TallyCorrected(TallyCorrected {
        result,
        reason: reason.to_owned(),
    });
    let id = EventId::from_content(
        TallyCorrected::TYPE,
        event.to_payload().to_string().as_bytes(),
    );
    Envelope::new(&event, StreamVersion(1), source, id)
}

/// What became of one published event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    New,
    /// The same event id was published (stored) before; nothing new.
    Duplicate,
}

/// Somewhere a producer publishes events to, waiting until they are stored.
#[async_trait]
pub trait Publish: Send + Sync {
    async fn publish(&self, envelope: &Envelope) -> Result<Delivered, ServiceError>;
}

/// The NATS inbox: `<ns>.inbox.<type>` with `Nats-Msg-Id` = event id; the ingest service
/// stores it. Acknowledged by JetStream (duplicates within its window are dropped there).
#[async_trait]
impl Publish for Bus {
    async fn publish(&self, envelope: &Envelope) -> Result<Delivered, ServiceError> {
        let published = self.submit(envelope).await?;
        Ok(if published.duplicate {
            Delivered::Duplicate
        } else {
            Delivered::New
        })
    }
}

/// The event store itself (embedded mode): appended to its stream after whatever it holds.
#[async_trait]
impl Publish for dyn EventStore {
    async fn publish(&self, envelope: &Envelope) -> Result<Delivered, ServiceError> {
        let outcome = self
            .append(
                &envelope.stream_id,
                ExpectedVersion::Any,
                vec![envelope.clone()],
            )
            .await?;
        Ok(match outcome {
            AppendOutcome::Appended { .. } => Delivered::New,
            AppendOutcome::AlreadyStored => Delivered::Duplicate,
        })
    }
}

/// Where a producer's events go: the inbox with NATS, the store without.
// One per command run: the size of a NATS connection handle beside an `Arc` does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum Producer {
    Inbox(Bus),
    Store(Arc<dyn EventStore>),
}

#[async_trait]
impl Publish for Producer {
    async fn publish(&self, envelope: &Envelope) -> Result<Delivered, ServiceError> {
        match self {
            Producer::Inbox(bus) => Publish::publish(bus, envelope).await,
            Producer::Store(store) => store.as_ref().publish(envelope).await,
        }
    }
}

/// How fast a replay goes: a multiple of real time, or as fast as the destination takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// No waiting between declarations.
    Max,
    /// This many times real time (600: a ten-hour night in a minute). Positive and finite.
    Times(f64),
}

/// A `--speed` that is neither a positive number, 0 nor `max`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("speed {0:?} is not a positive number of times real time, 0 or max")]
pub struct InvalidSpeed(pub String);

impl FromStr for Speed {
    type Err = InvalidSpeed;
    /// `max` or `0`: no waiting; a positive number: that many times real time.
    fn from_str(s: &str) -> Result<Speed, InvalidSpeed> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("max") {
            return Ok(Speed::Max);
        }
        match t.parse::<f64>() {
            Ok(0.0) => Ok(Speed::Max),
            Ok(v) if v.is_finite() && v > 0.0 => Ok(Speed::Times(v)),
            _ => Err(InvalidSpeed(s.to_owned())),
        }
    }
}

impl fmt::Display for Speed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Speed::Max => f.write_str("max"),
            Speed::Times(v) => write!(f, "{v}"),
        }
    }
}

/// One declaration of a replay and when to publish it, counted from the start.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheduled {
    pub at: Duration,
    pub result: ConstituencyResult,
}

/// The declarations in their official order, each with when to publish it counted from the
/// start of the replay: by declaration time (`declared_at`), ties by constituency name (then
/// ONS code), results without a time last (by name); the first declaration at zero, the
/// others after the official interval divided by `speed` (all at zero at [`Speed::Max`];
/// those without a time at the moment of the last timed one).
pub fn replay_declarations(results: Vec<ConstituencyResult>, speed: Speed) -> Vec<Scheduled> {
    let mut results = results;
    results.sort_by(|a, b| {
        let time = |r: &ConstituencyResult| (r.declared_at.is_none(), r.declared_at);
        (time(a), &a.name, &a.id).cmp(&(time(b), &b.name, &b.id))
    });
    let start = results.iter().find_map(|r| r.declared_at);
    let mut last = Duration::ZERO;
    results
        .into_iter()
        .map(|result| {
            let official = match (start, result.declared_at) {
                (Some(start), Some(at)) => (at - start).to_std().unwrap_or_default(),
                _ => last,
            };
            last = official;
            let at = match speed {
                Speed::Max => Duration::ZERO,
                Speed::Times(times) => official.div_f64(times),
            };
            Scheduled { at, result }
        })
        .collect()
}

/// What a replay published.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplayReport {
    pub new: u64,
    /// Declarations published before (the same event id): nothing new.
    pub duplicates: u64,
    /// Whether it was stopped before the last declaration.
    pub stopped: bool,
}

/// Publishes the schedule's declarations as `tally.declared` events with `source`, each at
/// its time counted from now, one after another (each stored before the next is sent),
/// until the end or `shutdown`. `progress` hears of each one published.
pub async fn replay<P: Publish + ?Sized>(
    producer: &P,
    schedule: &[Scheduled],
    source: &str,
    shutdown: &CancellationToken,
    mut progress: impl FnMut(&Scheduled, Delivered) + Send,
) -> Result<ReplayReport, ServiceError> {
    let start = tokio::time::Instant::now();
    let mut report = ReplayReport::default();
    for scheduled in schedule {
        let due = start + scheduled.at;
        if due > tokio::time::Instant::now() {
            tokio::select! {
                _ = shutdown.cancelled() => {}
                _ = tokio::time::sleep_until(due) => {}
            }
        }
        if shutdown.is_cancelled() {
            report.stopped = true;
            break;
        }
        let envelope = tally_declared_event(scheduled.result.clone(), source);
        let delivered = producer.publish(&envelope).await?;
        match delivered {
            Delivered::New => report.new += 1,
            Delivered::Duplicate => report.duplicates += 1,
        }
        tracing::debug!(
            constituency = %scheduled.result.name,
            declared_at = ?scheduled.result.declared_at,
            ?delivered,
            "declaration published"
        );
        progress(scheduled, delivered);
    }
    Ok(report)
}
