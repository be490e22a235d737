//! What is particular to each backend and to `connect`: URL schemes, SQLite files and
//! in-memory databases, several store objects on one SQLite file, and the PostgreSQL append
//! lock that keeps the global order gap-free for readers.

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use newsroom_events::{Envelope, EventId, GlobalPosition, StreamId, StreamVersion};
use newsroom_store::{
    connect, AppendOutcome, Backend, EventStore, ExpectedVersion, PgStore, SqliteStore, StoreError,
};
use serde_json::json;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

fn event(stream: &StreamId, n: u64) -> Envelope {
    Envelope {
        event_id: EventId::random(),
        stream_id: stream.clone(),
        stream_version: StreamVersion(0),
        event_type: "test.happened".to_owned(),
        schema_version: 1,
        occurred_at: Utc::now(),
        recorded_at: None,
        position: None,
        correlation_id: Uuid::new_v4(),
        causation_id: None,
        source: "newsroom/store-tests".to_owned(),
        payload: json!({ "n": n }),
    }
}

#[test]
fn urls_pick_their_backend_by_scheme() {
    // given URLs of each supported form, then each names its backend
    for url in ["postgres://u@h/db", "postgresql://u@h:5432/db"] {
        assert_eq!(Backend::of_url(url).unwrap(), Backend::Postgres, "{url}");
    }
    for url in [
        "sqlite://data/events.db",
        "sqlite:events.db",
        "sqlite::memory:",
    ] {
        assert_eq!(Backend::of_url(url).unwrap(), Backend::Sqlite, "{url}");
    }
}

#[tokio::test]
async fn an_unknown_scheme_is_a_typed_error_that_does_not_echo_credentials() {
    // given a URL of a database the store does not support
    let url = "mysql://newsroom:hunter2@db.example/newsroom";
    // when connecting
    let outcome = connect(url).await;
    // then the error names the scheme only
    match outcome {
        Err(error @ StoreError::UnsupportedScheme { .. }) => {
            assert!(
                matches!(&error, StoreError::UnsupportedScheme { scheme } if scheme == "mysql")
            );
            assert!(!error.to_string().contains("hunter2"), "{error}");
        }
        Err(other) => panic!("expected an unsupported scheme, got {other}"),
        Ok(_) => panic!("expected an unsupported scheme, got a store"),
    }
}

#[tokio::test]
async fn a_reopened_sqlite_file_keeps_its_events_and_checkpoints() {
    // given a SQLite store that stored events and a checkpoint, then went away
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("events.db").display());
    let stream = StreamId::new("article-1");
    let sent = vec![event(&stream, 0), event(&stream, 1)];
    {
        let store = SqliteStore::connect(&url).await.unwrap();
        store
            .append(&stream, ExpectedVersion::NoStream, sent.clone())
            .await
            .unwrap();
        store
            .save_checkpoint("relay", GlobalPosition(1))
            .await
            .unwrap();
        store.pool().close().await;
    }
    // when it is opened again (running the migrations again)
    let store = connect(&url).await.unwrap();
    // then everything is still there
    let read = store.read_stream(&stream).await.unwrap();
    assert_eq!(
        read.iter().map(|e| e.event_id).collect::<Vec<_>>(),
        [sent[0].event_id, sent[1].event_id]
    );
    assert_eq!(
        store.load_checkpoint("relay").await.unwrap(),
        GlobalPosition(1)
    );
    // and a poller behind the stored events does not wait for a new append
    let started = std::time::Instant::now();
    store
        .wait_for_append(GlobalPosition(1), Duration::from_secs(30))
        .await;
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_memory_sqlite_store_is_one_database_per_connect() {
    // given two in-memory stores
    let first = connect("sqlite::memory:").await.unwrap();
    let second = connect("sqlite::memory:").await.unwrap();
    let stream = StreamId::new("article-1");
    // when events are appended to the first, concurrently with reads
    let (outcome, _) = tokio::join!(
        first.append(&stream, ExpectedVersion::NoStream, vec![event(&stream, 0)]),
        first.read_all_after(GlobalPosition(0), 10),
    );
    assert!(matches!(outcome.unwrap(), AppendOutcome::Appended { .. }));
    // then the first holds them and the second does not
    assert_eq!(first.read_stream(&stream).await.unwrap().len(), 1);
    assert_eq!(second.head().await.unwrap(), GlobalPosition(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sqlite_stores_on_one_file_write_one_dense_global_order() {
    // given two store objects on the same file, as two processes would have
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("events.db").display());
    let stores: Vec<Arc<dyn EventStore>> =
        vec![connect(&url).await.unwrap(), connect(&url).await.unwrap()];
    // when writers on both append concurrently
    let writers: Vec<_> = (0..6)
        .map(|w| {
            let store = stores[w % 2].clone();
            tokio::spawn(async move {
                let stream = StreamId::new(format!("writer-{w}"));
                for n in 0..10 {
                    store
                        .append(&stream, ExpectedVersion::Any, vec![event(&stream, n)])
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    // then every event has its own position, 1 to 60, seen alike through either store
    let all = stores[0]
        .read_all_after(GlobalPosition(0), 100)
        .await
        .unwrap();
    let positions: Vec<u64> = all.iter().map(|e| e.position.unwrap().0).collect();
    assert_eq!(positions, (1..=60).collect::<Vec<_>>());
    assert_eq!(
        stores[1]
            .read_all_after(GlobalPosition(0), 100)
            .await
            .unwrap(),
        all
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_accepts_the_postgresql_scheme_too() {
    support::with_postgres_database(|url| async move {
        // given the test database's URL spelt postgresql://
        let url = url.replacen("postgres://", "postgresql://", 1);
        // when connecting, then it is a working PostgreSQL store
        let store = connect(&url).await.unwrap();
        let stream = StreamId::new("article-1");
        let outcome = store.append(&stream, ExpectedVersion::NoStream, vec![event(&stream, 0)]);
        assert!(matches!(
            outcome.await.unwrap(),
            AppendOutcome::Appended { .. }
        ));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_appends_wait_for_the_append_lock_while_readers_do_not() {
    support::with_postgres_database(|url| async move {
        // given a store, and another transaction holding the append lock
        let store = Arc::new(PgStore::connect(&url).await.unwrap());
        let mut holder = PgConnection::connect(&url).await.unwrap();
        let mut tx = holder.begin().await.unwrap();
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(PgStore::APPEND_LOCK_KEY)
            .execute(&mut *tx)
            .await
            .unwrap();
        // when an append starts
        let stream = StreamId::new("article-1");
        let append = tokio::spawn({
            let store = store.clone();
            let batch = vec![event(&stream, 0)];
            let stream = stream.clone();
            async move {
                store
                    .append(&stream, ExpectedVersion::NoStream, batch)
                    .await
            }
        });
        // then it waits for the lock, while reads go on
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            !append.is_finished(),
            "the append did not wait for the append lock"
        );
        assert_eq!(store.head().await.unwrap(), GlobalPosition(0));
        assert!(store
            .read_all_after(GlobalPosition(0), 10)
            .await
            .unwrap()
            .is_empty());
        // and completes once the lock is released
        tx.commit().await.unwrap();
        let outcome = tokio::time::timeout(Duration::from_secs(5), append).await;
        let outcome = outcome
            .expect("the append did not finish")
            .unwrap()
            .unwrap();
        assert_eq!(
            outcome,
            AppendOutcome::Appended {
                version: StreamVersion(1),
                last_position: GlobalPosition(1)
            }
        );
    })
    .await;
}
