//! The PostgreSQL event store.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use newsroom_events::{Envelope, EventId, GlobalPosition, StreamId, StreamVersion};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row, Transaction};
use uuid::Uuid;

use crate::common::{self, AppendSignal, Placement};
use crate::{AppendOutcome, EventStore, ExpectedVersion, StoreError};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

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

/// The event store on PostgreSQL.
///
/// # How the global order stays gap-free for readers
///
/// Concurrent transactions that take positions from a sequence can commit out of order: T1
/// takes 5, T2 takes 6, T2 commits, a follower reads 6 and moves past it, then T1 commits 5
/// and the follower never sees it. So positions are not taken from a sequence. Every append
/// runs in a READ COMMITTED transaction that first takes
/// `pg_advisory_xact_lock(PgStore::APPEND_LOCK_KEY)`, in a statement of its own, and only
/// then reads `MAX(position)` and inserts `MAX + 1 ..`. The lock is held until the
/// transaction ends, and PostgreSQL releases it only once the commit is visible, so the next
/// appender (READ COMMITTED: each statement takes a fresh snapshot) sees the previous
/// append's rows before it assigns its own positions. Hence position `N + 1` is never
/// visible before position `N`, and positions are dense (a rolled-back append leaves no
/// gap). Readers take no lock. The price is one appender at a time across all processes
/// sharing the database, which the newsroom's write rate affords; the primary key on
/// `position` stays as the backstop should anything bypass the lock.
pub struct PgStore {
    pool: PgPool,
    signal: AppendSignal,
}

impl PgStore {
    /// The key of the transaction-scoped advisory lock every append takes before it assigns
    /// positions (ASCII "newsroom" as a big-endian integer).
    pub const APPEND_LOCK_KEY: i64 = 0x6e65_7773_726f_6f6d;

    /// Connects to `url` (`postgres://user@host:port/db`) and runs the migrations.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        Self::connect_with(PgConnectOptions::from_str(url)?).await
    }

    /// Connects with explicit options and runs the migrations.
    pub async fn connect_with(options: PgConnectOptions) -> Result<PgStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect_with(options)
            .await?;
        let store = PgStore::from_pool(pool);
        store.migrate().await?;
        store.signal.appended(store.head().await?);
        Ok(store)
    }

    /// Connects to `url` without running the migrations: for the services' least-privileged
    /// role (a member of `newsroom_service`, see migration 0003), which may read and append
    /// events but not change the schema. The database's owner migrates it beforehand
    /// ([`PgStore::connect`]); an unmigrated database fails at the first read or append.
    pub async fn connect_without_migrating(url: &str) -> Result<PgStore, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect_with(PgConnectOptions::from_str(url)?)
            .await?;
        let store = PgStore::from_pool(pool);
        store.signal.appended(store.head().await?);
        Ok(store)
    }

    /// A store on an existing pool. Runs no migrations: call [`PgStore::migrate`] unless
    /// the database is migrated already.
    pub fn from_pool(pool: PgPool) -> PgStore {
        PgStore {
            pool,
            signal: AppendSignal::new(),
        }
    }

    /// Brings the schema up to date (idempotent; concurrent callers serialize).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn append_in(
        tx: &mut Transaction<'static, Postgres>,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[Envelope],
    ) -> Result<AppendOutcome, StoreError> {
        // Serializes appenders; must come before positions are read (see the module docs).
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(Self::APPEND_LOCK_KEY)
            .execute(&mut **tx)
            .await?;

        let ids: Vec<Uuid> = events.iter().map(|e| e.event_id.0).collect();
        let stored: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT event_id, stream_id FROM events WHERE event_id = ANY($1)")
                .bind(&ids)
                .fetch_all(&mut **tx)
                .await?;
        let stored: Vec<(EventId, StreamId)> = stored
            .into_iter()
            .map(|(id, s)| (EventId(id), StreamId(s)))
            .collect();
        if let Some(outcome) = common::idempotency(stream, events, &stored)? {
            return Ok(outcome);
        }

        let current: Option<i64> =
            sqlx::query_scalar("SELECT MAX(stream_version) FROM events WHERE stream_id = $1")
                .bind(stream.as_str())
                .fetch_one(&mut **tx)
                .await?;
        let current = current
            .map(|v| common::stored_u64(0, "stream version", v).map(StreamVersion))
            .transpose()?;
        common::check_expected(stream, expected, current)?;

        let (head, recorded_at): (i64, DateTime<Utc>) =
            sqlx::query_as("SELECT COALESCE(MAX(position), 0), clock_timestamp() FROM events")
                .fetch_one(&mut **tx)
                .await?;
        let head = GlobalPosition(common::stored_u64(head, "position", head)?);
        let place = Placement::after(current, head, events.len())?;

        let n = events.len() as i64;
        let positions: Vec<i64> = (place.first_position..place.first_position + n).collect();
        let versions: Vec<i64> = (place.first_version..place.first_version + n).collect();
        let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
        let schema_versions: Vec<i64> =
            events.iter().map(|e| i64::from(e.schema_version)).collect();
        let occurred: Vec<DateTime<Utc>> = events
            .iter()
            .map(|e| common::to_micros(e.occurred_at))
            .collect();
        let correlations: Vec<Uuid> = events.iter().map(|e| e.correlation_id).collect();
        let causations: Vec<Option<Uuid>> =
            events.iter().map(|e| e.causation_id.map(|c| c.0)).collect();
        let sources: Vec<&str> = events.iter().map(|e| e.source.as_str()).collect();
        let payloads: Vec<&serde_json::Value> = events.iter().map(|e| &e.payload).collect();

        sqlx::query(
            "INSERT INTO events (position, event_id, stream_id, stream_version, event_type, \
                 schema_version, occurred_at, recorded_at, correlation_id, causation_id, source, \
                 payload) \
             SELECT u.position, u.event_id, $3, u.stream_version, u.event_type, \
                 u.schema_version, u.occurred_at, $8, u.correlation_id, u.causation_id, \
                 u.source, u.payload \
             FROM UNNEST($1::bigint[], $2::uuid[], $4::bigint[], $5::text[], $6::bigint[], \
                 $7::timestamptz[], $9::uuid[], $10::uuid[], $11::text[], $12::jsonb[]) \
                 AS u(position, event_id, stream_version, event_type, schema_version, \
                 occurred_at, correlation_id, causation_id, source, payload)",
        )
        .bind(&positions)
        .bind(&ids)
        .bind(stream.as_str())
        .bind(&versions)
        .bind(&types)
        .bind(&schema_versions)
        .bind(&occurred)
        .bind(recorded_at)
        .bind(&correlations)
        .bind(&causations)
        .bind(&sources)
        .bind(&payloads)
        .execute(&mut **tx)
        .await?;

        Ok(place.outcome(events.len()))
    }
}

#[async_trait]
impl EventStore for PgStore {
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
        // READ COMMITTED whatever the database default: the position query must see appends
        // committed while this transaction waited for the lock.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL READ COMMITTED")
            .await?;
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
                // Roll back now rather than on drop: the advisory lock is held until then.
                tx.rollback().await?;
                other
            }
        }
    }

    async fn read_stream(&self, stream: &StreamId) -> Result<Vec<Envelope>, StoreError> {
        let rows = sqlx::query(select_events!(
            "WHERE stream_id = $1 ORDER BY stream_version"
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
            "WHERE position > $1 ORDER BY position LIMIT $2"
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
            sqlx::query_scalar("SELECT position FROM checkpoints WHERE name = $1")
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
        sqlx::query(
            "INSERT INTO checkpoints (name, position, updated_at) \
             VALUES ($1, $2, clock_timestamp()) \
             ON CONFLICT (name) DO UPDATE \
             SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at",
        )
        .bind(name)
        .bind(common::to_i64("checkpoint position", position.0)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn wait_for_append(&self, after: GlobalPosition, timeout: Duration) {
        self.signal.wait(after, timeout).await;
    }
}

fn decode(row: &PgRow) -> Result<Envelope, StoreError> {
    let position: i64 = row.try_get("position")?;
    let version: i64 = row.try_get("stream_version")?;
    let schema_version: i64 = row.try_get("schema_version")?;
    let schema_version = u32::try_from(schema_version)
        .map_err(|_| common::corrupt(position, format!("schema version {schema_version}")))?;
    let recorded_at: DateTime<Utc> = row.try_get("recorded_at")?;
    let causation_id: Option<Uuid> = row.try_get("causation_id")?;
    Ok(Envelope {
        event_id: EventId(row.try_get("event_id")?),
        stream_id: StreamId(row.try_get("stream_id")?),
        stream_version: StreamVersion(common::stored_u64(position, "stream version", version)?),
        event_type: row.try_get("event_type")?,
        schema_version,
        occurred_at: row.try_get("occurred_at")?,
        recorded_at: Some(recorded_at),
        position: Some(GlobalPosition(common::stored_u64(
            position, "position", position,
        )?)),
        correlation_id: row.try_get("correlation_id")?,
        causation_id: causation_id.map(EventId),
        source: row.try_get("source")?,
        payload: row.try_get("payload")?,
    })
}
