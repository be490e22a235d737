//! Stored events are immutable in PostgreSQL (migration 0003_append_only): triggers refuse
//! UPDATE, DELETE and TRUNCATE of `events` even for the table's owner, and the
//! `newsroom_service` role the services log in through may only read and append events
//! (and save checkpoints). Appends keep working throughout. Needs the PostgreSQL test
//! server (see `support`); an unreachable server fails these tests.

mod support;

use chrono::Utc;
use newsroom_events::{Envelope, EventId, GlobalPosition, StreamId, StreamVersion};
use newsroom_store::{AppendOutcome, EventStore, ExpectedVersion, PgStore};
use serde_json::json;
use sqlx::{Connection, PgConnection, PgPool};
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

/// Runs `sql` on `pool` and returns the SQLSTATE and message of the error it must raise.
async fn refused(pool: &PgPool, sql: &'static str) -> (String, String) {
    match sqlx::query(sql).execute(pool).await {
        Err(sqlx::Error::Database(e)) => (
            e.code().map(|c| c.into_owned()).unwrap_or_default(),
            e.message().to_owned(),
        ),
        Err(other) => panic!("{sql}: expected a database error, got {other}"),
        Ok(done) => panic!(
            "{sql}: expected a refusal, it affected {} rows",
            done.rows_affected()
        ),
    }
}

async fn payloads(store: &dyn EventStore) -> Vec<serde_json::Value> {
    store
        .read_all_after(GlobalPosition(0), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.payload)
        .collect()
}

#[tokio::test]
async fn the_owner_cannot_update_delete_or_truncate_events_but_appends_still_work() {
    support::with_postgres_database(|url| async move {
        // given a store (connected as the table's owner) holding two events
        let store = PgStore::connect(&url).await.unwrap();
        let stream = StreamId::new("article-a1");
        store
            .append(
                &stream,
                ExpectedVersion::NoStream,
                vec![event(&stream, 1), event(&stream, 2)],
            )
            .await
            .unwrap();

        // when its own pool tries to change, delete or truncate them, then each is refused
        for sql in [
            "UPDATE events SET source = 'someone else' WHERE position = 1",
            "DELETE FROM events WHERE position = 2",
            "TRUNCATE events",
        ] {
            let (code, message) = refused(store.pool(), sql).await;
            assert_eq!(code, "42501", "{sql}");
            assert!(
                message.contains("events are append-only"),
                "{sql}: {message}"
            );
        }

        // and the events are as they were, and appends and checkpoints still work
        assert_eq!(payloads(&store).await, [json!({"n": 1}), json!({"n": 2})]);
        let outcome = store
            .append(
                &stream,
                ExpectedVersion::Exactly(StreamVersion(2)),
                vec![event(&stream, 3)],
            )
            .await
            .unwrap();
        assert_eq!(
            outcome,
            AppendOutcome::Appended {
                version: StreamVersion(3),
                last_position: GlobalPosition(3)
            }
        );
        store
            .save_checkpoint("relay", GlobalPosition(2))
            .await
            .unwrap();
        store
            .save_checkpoint("relay", GlobalPosition(3))
            .await
            .unwrap();
        assert_eq!(
            store.load_checkpoint("relay").await.unwrap(),
            GlobalPosition(3)
        );
    })
    .await;
}

#[tokio::test]
async fn the_service_role_reads_and_appends_but_may_not_change_events() {
    support::with_postgres_database(|url| async move {
        // given a migrated database, and a login role that is a member of newsroom_service
        let owner = PgStore::connect(&url).await.unwrap();
        let login = format!("newsroom_svc_{}", Uuid::new_v4().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE ROLE {login} LOGIN IN ROLE newsroom_service"
        )))
        .execute(owner.pool())
        .await
        .unwrap();
        let mut service_url = url::Url::parse(&url).unwrap();
        service_url.set_username(&login).unwrap();
        service_url.set_password(None).unwrap();

        let checks = async move {
            // when the services connect as that role (without migrating: the owner did)
            let pool = PgPool::connect(service_url.as_str()).await.unwrap();
            let store = PgStore::from_pool(pool);
            // (migrating needs CREATE on the schema, which the role does not have)
            match store.migrate().await {
                Err(newsroom_store::StoreError::Migrate(sqlx::migrate::MigrateError::Execute(
                    sqlx::Error::Database(e),
                ))) => assert_eq!(e.code().as_deref(), Some("42501"), "{e}"),
                other => panic!("expected the migration to be refused, got {other:?}"),
            }
            let stream = StreamId::new("claim-c1");

            // then they can append and read events, and save checkpoints
            store
                .append(
                    &stream,
                    ExpectedVersion::NoStream,
                    vec![event(&stream, 1), event(&stream, 2)],
                )
                .await
                .unwrap();
            assert_eq!(payloads(&store).await, [json!({"n": 1}), json!({"n": 2})]);
            store
                .save_checkpoint("checker", GlobalPosition(1))
                .await
                .unwrap();
            store
                .save_checkpoint("checker", GlobalPosition(2))
                .await
                .unwrap();
            assert_eq!(
                store.load_checkpoint("checker").await.unwrap(),
                GlobalPosition(2)
            );

            // and they are denied any change to events, or switching the triggers off
            for sql in [
                "UPDATE events SET payload = '{\"n\": 9}' WHERE position = 1",
                "DELETE FROM events WHERE position = 2",
                "TRUNCATE events",
                "ALTER TABLE events DISABLE TRIGGER events_no_update_or_delete",
            ] {
                let (code, message) = refused(store.pool(), sql).await;
                assert_eq!(code, "42501", "{sql}: {message}");
            }
            let (_, message) = refused(store.pool(), "DELETE FROM events").await;
            assert!(message.contains("permission denied"), "{message}");

            // and the events are intact and the log still grows
            assert_eq!(payloads(&store).await, [json!({"n": 1}), json!({"n": 2})]);
            store
                .append(
                    &stream,
                    ExpectedVersion::Exactly(StreamVersion(2)),
                    vec![event(&stream, 3)],
                )
                .await
                .unwrap();
            assert_eq!(store.head().await.unwrap(), GlobalPosition(3));
            store.pool().close().await;
        };
        let outcome = tokio::spawn(checks).await;

        // The login role belongs to the whole server: drop it whatever happened.
        owner.pool().close().await;
        let mut admin = PgConnection::connect(&url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP ROLE IF EXISTS {login}")))
            .execute(&mut admin)
            .await
            .unwrap();
        if let Err(failure) = outcome {
            std::panic::resume_unwind(failure.into_panic());
        }
    })
    .await;
}

#[tokio::test]
async fn the_service_role_opens_a_migrated_store_without_migrating_and_an_unmigrated_one_fails_at_first_use(
) {
    support::with_postgres_database(|url| async move {
        // given a database nobody has migrated yet
        // when a store is opened on it without migrating
        let unmigrated = PgStore::connect_without_migrating(&url).await;
        // then it fails (there is no events table to read the head from)
        assert!(
            matches!(unmigrated, Err(newsroom_store::StoreError::Database(_))),
            "opened an unmigrated store"
        );

        // given the owner migrated it, and a login role of newsroom_service
        let owner = PgStore::connect(&url).await.unwrap();
        let stream = StreamId::new("claim-c1");
        owner
            .append(&stream, ExpectedVersion::NoStream, vec![event(&stream, 1)])
            .await
            .unwrap();
        let login = format!("newsroom_svc_{}", Uuid::new_v4().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE ROLE {login} LOGIN IN ROLE newsroom_service"
        )))
        .execute(owner.pool())
        .await
        .unwrap();
        let mut service_url = url::Url::parse(&url).unwrap();
        service_url.set_username(&login).unwrap();
        service_url.set_password(None).unwrap();

        let checks = async move {
            // when the role opens the store without migrating
            let store = PgStore::connect_without_migrating(service_url.as_str())
                .await
                .unwrap();
            // then it sees what is stored and appends after it
            assert_eq!(store.head().await.unwrap(), GlobalPosition(1));
            store
                .append(
                    &stream,
                    ExpectedVersion::Exactly(StreamVersion(1)),
                    vec![event(&stream, 2)],
                )
                .await
                .unwrap();
            assert_eq!(payloads(&store).await, [json!({"n": 1}), json!({"n": 2})]);
            store.pool().close().await;
        };
        let outcome = tokio::spawn(checks).await;

        owner.pool().close().await;
        let mut admin = PgConnection::connect(&url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP ROLE IF EXISTS {login}")))
            .execute(&mut admin)
            .await
            .unwrap();
        if let Err(failure) = outcome {
            std::panic::resume_unwind(failure.into_panic());
        }
    })
    .await;
}
