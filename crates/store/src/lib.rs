//! The event store, the source of truth of the whole backend: one [`EventStore`] trait and
//! its PostgreSQL and SQLite implementations (sqlx, with migrations), both held to one
//! contract test suite. It owns optimistic concurrency per stream, idempotent append by
//! event id, the global order that readers follow without skipping events committed out of
//! order by concurrent writers, and named checkpoints (how far a relay or projection got).
//!
//! # Invariants every implementation keeps
//!
//! - **Dense global order.** Every stored event has a position 1, 2, 3, ... with no gaps;
//!   one append takes consecutive positions.
//! - **Positions become visible in order.** A reader never sees position `N + 1` while
//!   position `N` is still uncommitted, so a follower that remembers the last position it
//!   read and asks for everything after it ([`EventStore::read_all_after`]) never skips an
//!   event. PostgreSQL gets this from a transaction-scoped advisory lock taken before
//!   positions are assigned (see [`PgStore`]); SQLite from its single writer (see
//!   [`SqliteStore`]). A sequence or identity column alone would not do: concurrent
//!   transactions can commit sequence values out of order.
//! - **Append-only.** Events are only ever inserted and read, never updated or deleted, so
//!   an audit feature can revoke UPDATE/DELETE on the `events` table from the services'
//!   role. Checkpoints live in their own table.
//! - **Times to the microsecond.** `occurred_at` and `recorded_at` are stored to the
//!   microsecond (PostgreSQL's precision; SQLite keeps the same so both behave alike): an
//!   `occurred_at` with nanoseconds reads back truncated.
//!
//! [`connect`] picks the implementation from the URL (`postgres://`, `postgresql://`,
//! `sqlite:`) and runs the embedded migrations (`migrations/postgres`, `migrations/sqlite`).

mod common;
mod pg;
mod sqlite;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use newsroom_events::{Envelope, EventId, GlobalPosition, StreamId, StreamVersion};

pub use pg::PgStore;
pub use sqlite::SqliteStore;

/// What the writer expects the stream's current version to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Append whatever the stream holds.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last event must have exactly this version. `Exactly(StreamVersion(0))`
    /// means the same as [`ExpectedVersion::NoStream`] (versions start at 1).
    Exactly(StreamVersion),
}

/// What an append did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendOutcome {
    /// The events were stored; the stream's new version.
    Appended {
        version: StreamVersion,
        last_position: GlobalPosition,
    },
    /// Every event id was stored already: nothing was written (idempotent retry). An empty
    /// batch also writes nothing and reports this.
    AlreadyStored,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("stream {stream} is at version {actual:?}, the writer expected {expected:?}")]
    Conflict {
        stream: StreamId,
        expected: ExpectedVersion,
        actual: Option<StreamVersion>,
    },
    #[error("event {0} is stored already with other content or in another stream")]
    DuplicateEventId(EventId),
    #[error("events in one append must all belong to stream {0}")]
    MixedStreams(StreamId),
    #[error("stored event at position {position} is corrupt: {reason}")]
    Corrupt { position: u64, reason: String },
    #[error("{what} {value} is out of the range the store can hold")]
    OutOfRange { what: &'static str, value: u64 },
    #[error("unsupported database URL scheme {scheme:?}: expected postgres://, postgresql:// or sqlite:")]
    UnsupportedScheme { scheme: String },
    #[error("cannot create the directory of the SQLite database {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The event store. Shared as `Arc<dyn EventStore>` by every service.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Appends events (all of one stream, versions assigned by the store in order after the
    /// current version; the envelopes' `stream_version`, `recorded_at` and `position` fields
    /// are overwritten) if the stream is at `expected`.
    ///
    /// Idempotent by event id: if every event id is already stored (in that stream) ->
    /// `Ok(AlreadyStored)`, even if `expected` no longer matches. Some but not all stored, an
    /// id stored in another stream, or one id twice in the batch -> `Err(DuplicateEventId)`.
    /// An envelope of another stream -> `Err(MixedStreams)`. Version mismatch ->
    /// `Err(Conflict { .. })`. On any error nothing is written.
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<Envelope>,
    ) -> Result<AppendOutcome, StoreError>;

    /// The stream's events in version order (empty if the stream does not exist).
    async fn read_stream(&self, stream: &StreamId) -> Result<Vec<Envelope>, StoreError>;

    /// Events with position > `after`, in global order, at most `limit`. Never skips an
    /// event: positions become visible in order (see the crate docs), so a reader that
    /// passes the last position it read sees every event exactly once.
    async fn read_all_after(
        &self,
        after: GlobalPosition,
        limit: usize,
    ) -> Result<Vec<Envelope>, StoreError>;

    /// The position of the last stored event, 0 if the store is empty.
    async fn head(&self) -> Result<GlobalPosition, StoreError>;

    /// The saved position of checkpoint `name`, 0 if none was saved.
    async fn load_checkpoint(&self, name: &str) -> Result<GlobalPosition, StoreError>;

    /// Saves (creates or overwrites) checkpoint `name`.
    async fn save_checkpoint(&self, name: &str, position: GlobalPosition)
        -> Result<(), StoreError>;

    /// Resolves when an event with position > `after` may exist (an append through this
    /// store object, or events already there when it connected), or when `timeout` has
    /// elapsed, whichever comes first, so pollers sleep without busy-looping. Appends by
    /// other processes are only noticed at the timeout.
    async fn wait_for_append(&self, after: GlobalPosition, timeout: Duration);
}

/// Connects to the store at `url` and runs the migrations: PostgreSQL for `postgres://`
/// and `postgresql://`, SQLite for `sqlite:` (`sqlite://path/to/events.db`,
/// `sqlite::memory:`; a missing file and its parent directories are created).
pub async fn connect(url: &str) -> Result<Arc<dyn EventStore>, StoreError> {
    match Backend::of_url(url)? {
        Backend::Postgres => Ok(Arc::new(PgStore::connect(url).await?)),
        Backend::Sqlite => Ok(Arc::new(SqliteStore::connect(url).await?)),
    }
}

/// The database behind a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// The backend a URL names, by its scheme.
    pub fn of_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            // Only the scheme goes into the error: the rest may hold credentials.
            let scheme = url
                .split_once(':')
                .map_or("", |(scheme, _)| scheme)
                .to_owned();
            Err(StoreError::UnsupportedScheme { scheme })
        }
    }
}
