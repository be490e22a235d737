//! The SQLite event store, the embedded default.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use newsroom_events::{Envelope, EventId, GlobalPosition, StreamId, StreamVersion};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
};
use sqlx::{Row, Sqlite, Transaction};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::common::{self, AppendSignal, Placement};
use crate::{AppendOutcome, EventStore, ExpectedVersion, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a writer waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `SELECT <every column> FROM events <rest>`, as a `&'static str`.
macro_rules! select_events {
    ($rest:literal) => {
        concat!(
            "SELECT position, event_id, stream_id, stream_version, event_type, schema_version, ",
            "occurred_at, recorded_at, correlation_id, causation_id, source, payload FROM events ",
            $rest
        )
    };
}

/// The event store on SQLite.
///
/// One writer at a time: appends run in `BEGIN IMMEDIATE` transactions (which take SQLite's
/// write lock up front; other processes wait up to the busy timeout), and the store also
/// queues its own writers on an in-process mutex so they do not spin on that lock. Inside
/// the transaction positions are `MAX(position) + 1 ..`, so they are dense and commit in
/// order; readers (WAL mode) see a committed prefix of the global order and never skip.
///
/// Ids are stored as lowercase hyphenated UUID text, times as RFC 3339 UTC text with
/// microseconds, payloads as JSON text.
pub struct SqliteStore {
    pool: SqlitePool,
    /// Queues this process's writers (appends, checkpoint saves).
    write_lock: Mutex<()>,
    signal: AppendSignal,
}

impl SqliteStore {
    /// Opens (creating the file and its parent directories if missing) the database at
    /// `url` (`sqlite://path/to/events.db`, `sqlite:events.db`, `sqlite::memory:`) in WAL
    /// mode and runs the migrations. An in-memory database lives as long as the store.
    pub async fn connect(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?.busy_timeout(BUSY_TIMEOUT);
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = if in_memory {
            // One connection kept open for good: the database goes when the last one closes.
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options)
                .await?
        } else {
            create_parent_dir(options.get_filename())?;
            let options = options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal);
            SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await?
        };
        let store = SqliteStore::from_pool(pool);
        store.migrate().await?;
        store.signal.appended(store.head().await?);
        Ok(store)
    }

    /// A store on an existing pool. Runs no migrations: call [`SqliteStore::migrate`] unless
    /// the database is migrated already.
    pub fn from_pool(pool: SqlitePool) -> SqliteStore {
        SqliteStore {
            pool,
            write_lock: Mutex::new(()),
            signal: AppendSignal::new(),
        }
    }

    /// Brings the schema up to date (idempotent).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn append_in(
        tx: &mut Transaction<'static, Sqlite>,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[Envelope],
    ) -> Result<AppendOutcome, StoreError> {
        let mut stored = Vec::new();
        for event in events {
            let in_stream: Option<String> =
                sqlx::query_scalar("SELECT stream_id FROM events WHERE event_id = ?")
                    .bind(event.event_id.0.to_string())
                    .fetch_optional(&mut **tx)
                    .await?;
            if let Some(in_stream) = in_stream {
                stored.push((event.event_id, StreamId(in_stream)));
            }
        }
        if let Some(outcome) = common::idempotency(stream, events, &stored)? {
            return Ok(outcome);
        }

        let current: Option<i64> =
            sqlx::query_scalar("SELECT MAX(stream_version) FROM events WHERE stream_id = ?")
                .bind(stream.as_str())
                .fetch_one(&mut **tx)
                .await?;
        let current = current
            .map(|v| common::stored_u64(0, "stream version", v).map(StreamVersion))
            .transpose()?;
        common::check_expected(stream, expected, current)?;

        let head: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) FROM events")
            .fetch_one(&mut **tx)
            .await?;
        let head = GlobalPosition(common::stored_u64(head, "position", head)?);
        let place = Placement::after(current, head, events.len())?;
        let recorded_at = format_time(Utc::now());

        for (offset, event) in (0_i64..).zip(events) {
            sqlx::query(
                "INSERT INTO events (position, event_id, stream_id, stream_version, event_type, \
                     schema_version, occurred_at, recorded_at, correlation_id, causation_id, \
                     source, payload) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(place.first_position + offset)
            .bind(event.event_id.0.to_string())
            .bind(stream.as_str())
            .bind(place.first_version + offset)
            .bind(event.event_type.as_str())
            .bind(i64::from(event.schema_version))
            .bind(format_time(event.occurred_at))
            .bind(recorded_at.as_str())
            .bind(event.correlation_id.to_string())
            .bind(event.causation_id.map(|c| c.0.to_string()))
            .bind(event.source.as_str())
            .bind(event.payload.to_string())
            .execute(&mut **tx)
            .await?;
        }
        Ok(place.outcome(events.len()))
    }
}

#[async_trait]
impl EventStore for SqliteStore {
    async fn append(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: Vec<Envelope>,
    ) -> Result<AppendOutcome, StoreError> {
        common::validate_batch(stream, &events)?;
        if events.is_empty() {
            return Ok(AppendOutcome::AlreadyStored);
        }
        let _writer = self.write_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let outcome = Self::append_in(&mut tx, stream, expected, &events).await;
        match outcome {
            Ok(
                outcome @ AppendOutcome::Appended {
                    last_position,
                    version,
                },
            ) => {
                tx.commit().await?;
                tracing::debug!(%stream, count = events.len(), version = version.0,
                    last_position = last_position.0, "appended");
                self.signal.appended(last_position);
                Ok(outcome)
            }
            other => {
                // Roll back now rather than on drop, releasing the write lock at once.
                tx.rollback().await?;
                other
            }
        }
    }

    async fn read_stream(&self, stream: &StreamId) -> Result<Vec<Envelope>, StoreError> {
        let rows = sqlx::query(select_events!(
            "WHERE stream_id = ? ORDER BY stream_version"
        ))
        .bind(stream.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    async fn read_all_after(
        &self,
        after: GlobalPosition,
        limit: usize,
    ) -> Result<Vec<Envelope>, StoreError> {
        let after = i64::try_from(after.0).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = sqlx::query(select_events!(
            "WHERE position > ? ORDER BY position LIMIT ?"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(decode).collect()
    }

    async fn head(&self) -> Result<GlobalPosition, StoreError> {
        let head: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) FROM events")
            .fetch_one(&self.pool)
            .await?;
        Ok(GlobalPosition(common::stored_u64(head, "position", head)?))
    }

    async fn load_checkpoint(&self, name: &str) -> Result<GlobalPosition, StoreError> {
        let position: Option<i64> =
            sqlx::query_scalar("SELECT position FROM checkpoints WHERE name = ?")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        let position = position.unwrap_or(0);
        Ok(GlobalPosition(common::stored_u64(
            position,
            "checkpoint",
            position,
        )?))
    }

    async fn save_checkpoint(
        &self,
        name: &str,
        position: GlobalPosition,
    ) -> Result<(), StoreError> {
        let position = common::to_i64("checkpoint position", position.0)?;
        let _writer = self.write_lock.lock().await;
        sqlx::query(
            "INSERT INTO checkpoints (name, position, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT (name) DO UPDATE \
             SET position = excluded.position, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(position)
        .bind(format_time(Utc::now()))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn wait_for_append(&self, after: GlobalPosition, timeout: Duration) {
        self.signal.wait(after, timeout).await;
    }
}

fn create_parent_dir(file: &Path) -> Result<(), StoreError> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.display().to_string(),
                source,
            })
        }
        _ => Ok(()),
    }
}

/// `2024-07-05T01:02:03.123456Z`: RFC 3339, UTC, microseconds; sorts chronologically.
fn format_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_time(position: i64, what: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| common::corrupt(position, format!("{what} {text:?}: {e}")))
}

fn parse_uuid(position: i64, what: &str, text: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(text).map_err(|e| common::corrupt(position, format!("{what} {text:?}: {e}")))
}

fn decode(row: &SqliteRow) -> Result<Envelope, StoreError> {
    let position: i64 = row.try_get("position")?;
    let version: i64 = row.try_get("stream_version")?;
    let schema_version: i64 = row.try_get("schema_version")?;
    let schema_version = u32::try_from(schema_version)
        .map_err(|_| common::corrupt(position, format!("schema version {schema_version}")))?;
    let occurred_at: String = row.try_get("occurred_at")?;
    let recorded_at: String = row.try_get("recorded_at")?;
    let event_id: String = row.try_get("event_id")?;
    let correlation_id: String = row.try_get("correlation_id")?;
    let causation_id: Option<String> = row.try_get("causation_id")?;
    let payload: String = row.try_get("payload")?;
    Ok(Envelope {
        event_id: EventId(parse_uuid(position, "event id", &event_id)?),
        stream_id: StreamId(row.try_get("stream_id")?),
        stream_version: StreamVersion(common::stored_u64(position, "stream version", version)?),
        event_type: row.try_get("event_type")?,
        schema_version,
        occurred_at: parse_time(position, "occurred_at", &occurred_at)?,
        recorded_at: Some(parse_time(position, "recorded_at", &recorded_at)?),
        position: Some(GlobalPosition(common::stored_u64(
            position, "position", position,
        )?)),
        correlation_id: parse_uuid(position, "correlation id", &correlation_id)?,
        causation_id: causation_id
            .map(|c| parse_uuid(position, "causation id", &c).map(EventId))
            .transpose()?,
        source: row.try_get("source")?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| common::corrupt(position, format!("payload is not JSON: {e}")))?,
    })
}
