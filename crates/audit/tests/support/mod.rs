//! A small newsroom history to export, stores to put it in, and export files to tamper with.
#![allow(dead_code)] // each test file uses part of it

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use ed25519_dalek::SigningKey;
use newsroom_audit::{export, ExportOptions, Filter, Format};
use newsroom_events::{Envelope, EventId, StreamId, StreamVersion};
use newsroom_store::{EventStore, ExpectedVersion};
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

pub fn check_report(
    article: &str,
    claim: &str,
    quote: &str,
    verdict: &str,
    official: Value,
) -> Value {
    json!({
        "article": article, "claim_id": claim, "quote": quote, "span": [0, quote.len()],
        "kind": "seats", "election": 2015, "change_from": null, "constituency_id": null,
        "area": "UK", "party": "Lab", "candidate": null, "comparator": "eq",
        "claimed": 232, "official": official, "verdict": verdict,
        "evidence": {
            "rule": "seats = constituencies whose winner stood for the party",
            "tolerance": "exact", "rows": [], "note": null, "tally_version": 650
        }
    })
}

/// (stream, event type, payload) of the history, in the order appended.
pub fn history() -> Vec<(String, &'static str, Value)> {
    vec![
        (
            "article-a1".into(),
            "article.submitted",
            json!({"article_id": "a1", "body": "Labour won 232 seats. The SNP won 56.", "published": "2015-05-08"}),
        ),
        (
            "article-a2".into(),
            "article.submitted",
            json!({"article_id": "a2", "body": "Other news.", "published": null}),
        ),
        (
            "article-a1".into(),
            "claims.extracted",
            json!({"article_id": "a1", "election": 2015, "claims": [{"claim_id": "c1"}, {"claim_id": "c2"}, {"claim_id": "c3"}]}),
        ),
        (
            "claim-c1".into(),
            "claim.checked",
            json!({"report": check_report("a1", "c1", "Labour won 232 seats.", "accurate", json!(232))}),
        ),
        (
            "claim-c2".into(),
            "claim.checked",
            json!({"report": check_report("a1", "c2", "The SNP won 56.", "inaccurate", json!(57))}),
        ),
        (
            "claim-c9".into(),
            "claim.checked",
            json!({"report": check_report("a2", "c9", "Other claim.", "accurate", json!(1))}),
        ),
        (
            "review-c2".into(),
            "review.assigned",
            json!({"claim_id": "c2", "assignee": "alice", "by": "alice"}),
        ),
        (
            "review-c2".into(),
            "review.decided",
            json!({"claim_id": "c2", "decision": {"decision": "override", "verdict": "accurate"}, "reason": "the article counts the Speaker's seat", "by": "alice"}),
        ),
        (
            "review-c2".into(),
            "review.override_approved",
            json!({"claim_id": "c2", "by": "bob"}),
        ),
        (
            "claim-c1".into(),
            "claim.checked",
            json!({"report": check_report("a1", "c1", "Labour won 232 seats.", "inaccurate", json!(231))}),
        ),
        (
            "claim-c1".into(),
            "verdict.changed",
            json!({"article": "a1", "claim_id": "c1", "from": "accurate", "to": "inaccurate", "reason": "Croydon South was corrected", "tally_version": 651}),
        ),
        (
            "claim-c3".into(),
            "claim.checked",
            json!({"report": check_report("a1", "c3", "Turnout was 66.1%.", "pending", Value::Null)}),
        ),
        (
            "review-c9".into(),
            "review.assigned",
            json!({"claim_id": "c9", "assignee": "carol", "by": "carol"}),
        ),
    ]
}

/// The envelope of the `n`th event (from 1) of a history: fixed ids and times, so two
/// stores given the same history hold the same events.
pub fn envelope(n: usize, stream: &str, event_type: &str, payload: Value) -> Envelope {
    Envelope {
        event_id: EventId(Uuid::from_u128(0x1000 + n as u128)),
        stream_id: StreamId::new(stream),
        stream_version: StreamVersion(0),
        event_type: event_type.to_owned(),
        schema_version: 1,
        occurred_at: Utc.with_ymd_and_hms(2015, 5, 8, 1, 0, 0).unwrap()
            + chrono::Duration::microseconds(n as i64 * 1_000_001),
        recorded_at: None,
        position: None,
        correlation_id: Uuid::from_u128(0x2000 + n as u128),
        causation_id: (n > 1).then(|| EventId(Uuid::from_u128(0x1000 + n as u128 - 1))),
        source: "newsroom/audit-tests".to_owned(),
        payload,
    }
}

pub async fn append_history(store: &dyn EventStore) {
    for (i, (stream, event_type, payload)) in history().into_iter().enumerate() {
        let event = envelope(i + 1, &stream, event_type, payload);
        store
            .append(&StreamId::new(stream), ExpectedVersion::Any, vec![event])
            .await
            .unwrap();
    }
}

/// A fresh SQLite store holding the history, and the directory it lives in.
pub async fn sqlite_with_history() -> (Arc<dyn EventStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("events.db").display());
    let store = newsroom_store::connect(&url).await.unwrap();
    append_history(store.as_ref()).await;
    (store, dir)
}

pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

pub fn public_key_hex() -> String {
    hex::encode(key().verifying_key().to_bytes())
}

pub async fn export_bytes(store: &dyn EventStore, filter: Filter, format: Format) -> Vec<u8> {
    let options = ExportOptions {
        filter,
        format,
        newsroom: "The Daily Check".to_owned(),
        progress: false,
    };
    let mut out = Vec::new();
    export(store, &key(), &options, &mut out).await.unwrap();
    out
}

/// An export split into its lines: the CSV header if any, the event lines, the manifest.
#[derive(Debug, Clone)]
pub struct Lines {
    pub header: Option<String>,
    pub events: Vec<String>,
    pub manifest: String,
    pub format: Format,
}

impl Lines {
    pub fn of(bytes: &[u8], format: Format) -> Lines {
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let header = (format == Format::Csv).then(|| lines.remove(0));
        let manifest = lines.pop().unwrap();
        Lines {
            header,
            events: lines,
            manifest,
            format,
        }
    }

    /// The line of the event at `position`.
    pub fn index_of(&self, position: u64) -> usize {
        self.events
            .iter()
            .position(|l| self.position(l) == position)
            .unwrap_or_else(|| panic!("no line for position {position}"))
    }

    pub fn position(&self, line: &str) -> u64 {
        match self.format {
            Format::Jsonl => serde_json::from_str::<Value>(line).unwrap()["event"]["position"]
                .as_u64()
                .unwrap(),
            Format::Csv => csv_fields(line)[6].parse().unwrap(),
        }
    }

    /// Rewrites the payload of the event at `position` (as an editor of the file would).
    pub fn edit_payload(&mut self, position: u64, edit: impl Fn(&mut Value)) {
        let i = self.index_of(position);
        self.events[i] = match self.format {
            Format::Jsonl => {
                let mut v: Value = serde_json::from_str(&self.events[i]).unwrap();
                edit(&mut v["event"]["payload"]);
                serde_json::to_string(&v).unwrap()
            }
            Format::Csv => {
                let mut fields = csv_fields(&self.events[i]);
                let mut payload: Value = serde_json::from_str(&fields[16]).unwrap();
                edit(&mut payload);
                fields[16] = serde_json::to_string(&payload).unwrap();
                csv_line(&fields)
            }
        };
    }

    pub fn set_recorded_at(&mut self, position: u64, time: &str) {
        let i = self.index_of(position);
        self.events[i] = match self.format {
            Format::Jsonl => {
                let mut v: Value = serde_json::from_str(&self.events[i]).unwrap();
                v["recorded_at"] = time.into();
                serde_json::to_string(&v).unwrap()
            }
            Format::Csv => {
                let mut fields = csv_fields(&self.events[i]);
                fields[5] = time.to_owned();
                csv_line(&fields)
            }
        };
    }

    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in self
            .header
            .iter()
            .chain(&self.events)
            .chain([&self.manifest])
        {
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    /// Writes the export to a file in `dir` and returns its path.
    pub fn write(&self, dir: &tempfile::TempDir, name: &str) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, self.text()).unwrap();
        path
    }
}

pub fn csv_fields(line: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    reader
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect()
}

pub fn csv_line(fields: &[String]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(fields).unwrap();
    String::from_utf8(writer.into_inner().unwrap())
        .unwrap()
        .trim_end()
        .to_owned()
}

const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Creates a database of its own on the test server (`NEWSROOM_TEST_DATABASE_URL`, or
/// 127.0.0.1:5432 as postgres), runs `body` with its URL, and drops it afterwards. An
/// unreachable server fails the test.
pub async fn with_postgres_database<F, Fut>(body: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let server_url =
        std::env::var("NEWSROOM_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned());
    let mut admin = PgConnection::connect(&server_url)
        .await
        .unwrap_or_else(|e| {
            panic!("these tests need PostgreSQL at {server_url} (NEWSROOM_TEST_DATABASE_URL): {e}")
        });
    let name = format!("newsroom_test_{}", Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
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
