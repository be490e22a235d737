//! The event store, the source of truth of the whole backend: one [`EventStore`] trait and
//! its PostgreSQL and SQLite implementations (sqlx, with migrations), both held to one
//! contract test suite. It owns optimistic concurrency per stream, idempotent append by
//! event id, the global order that readers follow without skipping events committed out of
//! order by concurrent writers, and named checkpoints (how far a relay or projection got).

use async_trait::async_trait;
use newsroom_events::{Envelope, EventId, GlobalPosition, StreamId, StreamVersion};

/// What the writer expects the stream's current version to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Append whatever the stream holds.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last event must have exactly this version.
    Exactly(StreamVersion),
}

/// What an append did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendOutcome {
    /// The events were stored; the stream's new version.
    Appended { version: StreamVersion, last_position: GlobalPosition },
    /// Every event id was stored already: nothing was written (idempotent retry).
    AlreadyStored,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("stream {stream} is at version {actual:?}, the writer expected {expected:?}")]
    Conflict { stream: StreamId, expected: ExpectedVersion, actual: Option<StreamVersion> },
    #[error("event {0} is stored already with other content or in another stream")]
    DuplicateEventId(EventId),
    #[error("events in one append must all belong to stream {0}")]
    MixedStreams(StreamId),
    #[error("stored event at position {position} is corrupt: {reason}")]
    Corrupt { position: u64, reason: String },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}
