//! The rules both implementations share: batch validation, the idempotency and expected
//! version decisions, integer conversions and the in-process append signal.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use newsroom_events::{Envelope, EventId, GlobalPosition, StreamId, StreamVersion};
use tokio::sync::watch;

use crate::{AppendOutcome, ExpectedVersion, StoreError};

/// Checks that every envelope belongs to `stream` and no event id appears twice.
pub(crate) fn validate_batch(stream: &StreamId, events: &[Envelope]) -> Result<(), StoreError> {
    let mut ids = HashSet::with_capacity(events.len());
    for event in events {
        if &event.stream_id != stream {
            return Err(StoreError::MixedStreams(stream.clone()));
        }
        if !ids.insert(event.event_id) {
            return Err(StoreError::DuplicateEventId(event.event_id));
        }
    }
    Ok(())
}

/// Decides from the batch's ids that are stored already (with the stream each is stored in)
/// whether the append is an idempotent retry (`Some(AlreadyStored)`), a duplicate (error),
/// or new (`None`).
pub(crate) fn idempotency(
    stream: &StreamId,
    events: &[Envelope],
    stored: &[(EventId, StreamId)],
) -> Result<Option<AppendOutcome>, StoreError> {
    if let Some((id, _)) = stored.iter().find(|(_, in_stream)| in_stream != stream) {
        return Err(StoreError::DuplicateEventId(*id));
    }
    match stored.first() {
        None => Ok(None),
        Some(_) if stored.len() == events.len() => Ok(Some(AppendOutcome::AlreadyStored)),
        Some((id, _)) => Err(StoreError::DuplicateEventId(*id)),
    }
}

/// Checks the stream's current version against the writer's expectation.
pub(crate) fn check_expected(
    stream: &StreamId,
    expected: ExpectedVersion,
    current: Option<StreamVersion>,
) -> Result<(), StoreError> {
    let matches = match expected {
        ExpectedVersion::Any => true,
        ExpectedVersion::NoStream => current.is_none(),
        ExpectedVersion::Exactly(version) => current.map_or(0, |c| c.0) == version.0,
    };
    if matches {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            stream: stream.clone(),
            expected,
            actual: current,
        })
    }
}

/// Where the events of one append go: the versions after `current` and the positions
/// after `head`, one each, in batch order.
pub(crate) struct Placement {
    pub first_version: i64,
    pub first_position: i64,
}

impl Placement {
    pub(crate) fn after(
        current: Option<StreamVersion>,
        head: GlobalPosition,
        count: usize,
    ) -> Result<Placement, StoreError> {
        let count = to_i64("batch size", count as u64)?;
        let current = to_i64("stream version", current.map_or(0, |v| v.0))?;
        let head = to_i64("global position", head.0)?;
        let overflow = |what, value: i64| StoreError::OutOfRange {
            what,
            value: value as u64,
        };
        current
            .checked_add(count)
            .ok_or_else(|| overflow("stream version", current))?;
        head.checked_add(count)
            .ok_or_else(|| overflow("global position", head))?;
        Ok(Placement {
            first_version: current + 1,
            first_position: head + 1,
        })
    }

    pub(crate) fn outcome(&self, count: usize) -> AppendOutcome {
        let last = count as i64 - 1;
        AppendOutcome::Appended {
            version: StreamVersion((self.first_version + last) as u64),
            last_position: GlobalPosition((self.first_position + last) as u64),
        }
    }
}

/// A `u64` as the `i64` the databases store.
pub(crate) fn to_i64(what: &'static str, value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::OutOfRange { what, value })
}

/// A stored `i64` that must not be negative, as `u64`.
pub(crate) fn stored_u64(position: i64, what: &str, value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt(position, format!("negative {what} {value}")))
}

pub(crate) fn corrupt(position: i64, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        position: u64::try_from(position).unwrap_or(0),
        reason: reason.into(),
    }
}

/// A time at the precision the store keeps (microseconds).
pub(crate) fn to_micros(time: DateTime<Utc>) -> DateTime<Utc> {
    time.trunc_subsecs(6)
}

/// The positions appended through one store object, for [`crate::EventStore::wait_for_append`].
pub(crate) struct AppendSignal {
    latest: watch::Sender<GlobalPosition>,
}

impl AppendSignal {
    pub(crate) fn new() -> AppendSignal {
        AppendSignal {
            latest: watch::Sender::new(GlobalPosition(0)),
        }
    }

    /// Records that events up to `position` exist, waking the waiters it concerns.
    pub(crate) fn appended(&self, position: GlobalPosition) {
        self.latest.send_if_modified(|latest| {
            let newer = position > *latest;
            if newer {
                *latest = position;
            }
            newer
        });
    }

    pub(crate) async fn wait(&self, after: GlobalPosition, timeout: Duration) {
        let mut latest = self.latest.subscribe();
        // The sender lives as long as `self`, so `wait_for` only ends when the condition holds.
        let _ = tokio::time::timeout(timeout, latest.wait_for(|latest| *latest > after)).await;
    }
}
