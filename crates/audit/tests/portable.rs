//! The same events in PostgreSQL and in SQLite export with the same hashes: the chain does
//! not depend on the store. Needs PostgreSQL at 127.0.0.1:5432 (or
//! NEWSROOM_TEST_DATABASE_URL); an unreachable server fails the test.

mod support;

use newsroom_audit::{verify, Filter, Finding, Format};
use serde_json::Value;
use support::*;

/// (position, prev_hash, hash) of every line, and the manifest's store head hash.
fn chain_of(lines: &Lines) -> (Vec<(u64, String, String)>, Value) {
    let rows = lines
        .events
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["event"]["position"].as_u64().unwrap(),
                v["prev_hash"].as_str().unwrap().to_owned(),
                v["hash"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let manifest: Value = serde_json::from_str(&lines.manifest).unwrap();
    (rows, manifest["manifest"]["store_head_hash"].clone())
}

#[tokio::test]
async fn the_same_events_in_postgres_and_sqlite_export_with_the_same_hashes() {
    // given the history, plus an event whose payload JSONB stores in its own key order and
    // number spelling (1e300 comes back as 1 and 300 zeros), appended to a SQLite store and to a PostgreSQL store
    let (sqlite, dir) = sqlite_with_history().await;
    let tricky: Value = serde_json::from_str(
        r#"{"zeta": 1.50, "a": [3, 2.5e-7, -0.0], "big": 1e300, "note": "Ünïcödé ✓ \" \\ \n"}"#,
    )
    .unwrap();
    let extra = move |n| envelope(n, "misc-1", "test.happened", tricky.clone());
    let n = history().len() + 1;
    sqlite
        .append(
            &extra(n).stream_id.clone(),
            newsroom_store::ExpectedVersion::Any,
            vec![extra(n)],
        )
        .await
        .unwrap();
    let sqlite_lines = Lines::of(
        &export_bytes(sqlite.as_ref(), Filter::default(), Format::Jsonl).await,
        Format::Jsonl,
    );

    let pg_lines = {
        let (tx, rx) = tokio::sync::oneshot::channel();
        with_postgres_database(move |url| async move {
            let pg = newsroom_store::connect(&url).await.unwrap();
            append_history(pg.as_ref()).await;
            pg.append(
                &extra(n).stream_id.clone(),
                newsroom_store::ExpectedVersion::Any,
                vec![extra(n)],
            )
            .await
            .unwrap();
            let bytes = export_bytes(pg.as_ref(), Filter::default(), Format::Jsonl).await;
            tx.send(bytes).unwrap();
        })
        .await;
        Lines::of(&rx.await.unwrap(), Format::Jsonl)
    };

    // then both exports verify
    for (name, lines) in [("sqlite", &sqlite_lines), ("postgres", &pg_lines)] {
        let path = lines.write(&dir, name);
        assert!(
            matches!(verify(&path, None).unwrap(), Finding::Intact(_)),
            "{name}"
        );
    }
    // and every position has the same hash and previous hash in both, and so the same head
    let (sqlite_chain, sqlite_head) = chain_of(&sqlite_lines);
    let (pg_chain, pg_head) = chain_of(&pg_lines);
    assert_eq!(sqlite_chain.len(), history().len() + 1);
    assert_eq!(sqlite_chain, pg_chain);
    assert_eq!(sqlite_head, pg_head);
    // though the stores recorded the events at different times, which the export keeps
    let recorded = |lines: &Lines| -> Vec<Value> {
        lines
            .events
            .iter()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["recorded_at"].clone())
            .collect()
    };
    assert_ne!(recorded(&sqlite_lines), recorded(&pg_lines));
}
