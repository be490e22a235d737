//! Test harness shared by the store's test files: a fresh SQLite file or a fresh
//! PostgreSQL database per test.
#![allow(dead_code)] // each test file uses part of it

use std::future::Future;
use std::sync::Arc;

use newsroom_store::EventStore;
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The server the PostgreSQL tests use: `NEWSROOM_TEST_DATABASE_URL`, or a local default.
pub fn postgres_server_url() -> String {
    std::env::var("NEWSROOM_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned())
}

/// Runs `spec` against a fresh SQLite store whose file lies in directories that do not
/// exist yet, so `connect` has to create them.
pub async fn sqlite<F, Fut>(spec: F)
where
    F: FnOnce(Arc<dyn EventStore>) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nested").join("store").join("events.db");
    let store = newsroom_store::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    spec(store).await;
}

/// Runs `spec` against a store on a fresh PostgreSQL database of its own.
pub async fn postgres<F, Fut>(spec: F)
where
    F: FnOnce(Arc<dyn EventStore>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_postgres_database(|url| async move {
        let store = newsroom_store::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open the store on the test database: {e}"));
        spec(store).await;
    })
    .await;
}

/// Creates a database `newsroom_test_<uuid>` on the test server, runs `body` with its URL
/// and drops the database afterwards, also when `body` fails. An unreachable server fails
/// the test: the PostgreSQL tests are never skipped.
pub async fn with_postgres_database<F, Fut>(body: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let server_url = postgres_server_url();
    let mut admin = PgConnection::connect(&server_url)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "the PostgreSQL store tests need a PostgreSQL server at {server_url} \
             (set NEWSROOM_TEST_DATABASE_URL to use another one): {e}"
            )
        });
    let name = format!("newsroom_test_{}", Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
    let mut url = url::Url::parse(&server_url).unwrap();
    url.set_path(&name);

    let outcome = tokio::spawn(body(url.to_string())).await;

    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(drop))
        .execute(&mut admin)
        .await
    {
        eprintln!("warning: could not drop the test database {name}: {e}");
    }
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}
