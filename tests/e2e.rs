//! End to end on the real servers, as a newsroom would run it: `newsroom serve` on NATS
//! JetStream and PostgreSQL, the official results published with `newsroom tallies import`,
//! the seed articles with `newsroom submit`. What arrives on `<ns>.events.claim.checked`, and
//! what `newsroom results` reads from the store, must be exactly what `newsroom check`
//! prints for the same files in one process.
//!
//! The test makes its own PostgreSQL database (`newsroom_e2e_<uuid>` on
//! `postgres://postgres@127.0.0.1:5432`, or the server of `NEWSROOM_TEST_DATABASE_URL`) and
//! its own NATS namespace (on `nats://127.0.0.1:4222`, or `NEWSROOM_TEST_NATS_URL`), and
//! removes both afterwards. Without PostgreSQL or NATS it fails, saying which is missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use futures::StreamExt as _;
use newsroom_bus::Bus;
use newsroom_events::{subjects, ClaimChecked, Envelope, Event};
use serde_json::Value;
use sqlx::{Connection as _, PgConnection};
use tokio::process::{Child, Command};
use tokio::time::{timeout, Instant};

/// The longest the test waits for the pipeline; it never hangs longer.
const WAIT: Duration = Duration::from_secs(120);

/// The day after the 2015 election: the seeds are about it.
const PUBLISHED: &str = "2015-05-08";

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn tallies_dir() -> PathBuf {
    shared().join("data/ge-results/raw/hoc-library")
}

fn seeds() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared().join("seeds"))
        .expect("the seed articles are in ../shared/seeds")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "three seed articles");
    files
}

fn postgres_server_url() -> String {
    std::env::var("NEWSROOM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn nats_url() -> String {
    std::env::var("NEWSROOM_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// A PostgreSQL database of the test's own.
struct TestDatabase {
    admin: PgConnection,
    name: String,
    url: String,
}

impl TestDatabase {
    async fn create() -> TestDatabase {
        let server = postgres_server_url();
        let mut admin = PgConnection::connect(&server).await.unwrap_or_else(|e| {
            panic!(
                "the end-to-end test needs PostgreSQL at {server} (set NEWSROOM_TEST_DATABASE_URL \
                 or run scripts/test.sh, which starts it): {e}"
            )
        });
        let name = format!("newsroom_e2e_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        let mut url = url::Url::parse(&server).unwrap();
        url.set_path(&name);
        TestDatabase {
            admin,
            name,
            url: url.to_string(),
        }
    }

    async fn drop_database(mut self) {
        let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(drop))
            .execute(&mut self.admin)
            .await
        {
            eprintln!("could not drop the test database {}: {e}", self.name);
        }
    }
}

/// Where the backend under test lives: its store, its NATS server and namespace.
#[derive(Clone)]
struct Backend {
    database_url: String,
    nats_url: String,
    namespace: String,
}

impl Backend {
    /// `newsroom` on this backend, with none of a developer's own settings.
    fn newsroom(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsroom"));
        for var in [
            "NEWSROOM_NATS_URL",
            "NEWSROOM_DATABASE_URL",
            "NEWSROOM_NAMESPACE",
            "NEWSROOM_DATA_DIR",
            "RUST_LOG",
        ] {
            cmd.env_remove(var);
        }
        // `serve` runs the review service too: on a port of its own.
        cmd.env("NEWSROOM_REVIEW_LISTEN", "127.0.0.1:0");
        cmd.args(["--nats", &self.nats_url])
            .args(["--database-url", &self.database_url])
            .args(["--namespace", &self.namespace])
            .kill_on_drop(true);
        cmd
    }

    /// Runs a `newsroom` command to its end (within [`WAIT`]); it must succeed.
    async fn run(&self, args: &[&str], files: &[PathBuf]) -> Output {
        let mut cmd = self.newsroom();
        cmd.args(args).args(files);
        let output = timeout(WAIT, cmd.output())
            .await
            .unwrap_or_else(|_| panic!("newsroom {args:?} did not finish within {WAIT:?}"))
            .unwrap();
        assert!(
            output.status.success(),
            "newsroom {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }
}

/// Parses JSON lines.
fn jsonl(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is one JSON object"))
        .collect()
}

/// Reports by claim id. The tally version (how many official results the checker had
/// seen) is the one field allowed to differ between `check` and the services.
fn by_claim(reports: impl IntoIterator<Item = Value>) -> BTreeMap<String, Value> {
    reports
        .into_iter()
        .map(|mut report| {
            if let Some(evidence) = report["evidence"].as_object_mut() {
                evidence.remove("tally_version");
            }
            let id = report["claim_id"].as_str().expect("a claim id").to_owned();
            (id, report)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_the_backend_serving_on_nats_and_postgres_when_the_seeds_are_submitted_then_bus_and_store_carry_exactly_what_check_prints(
) {
    let database = TestDatabase::create().await;
    let nats = nats_url();
    let namespace = format!("e2e_{}", uuid::Uuid::new_v4().simple());
    let bus = Bus::connect(&nats, &namespace).await.unwrap_or_else(|e| {
        panic!(
            "the end-to-end test needs NATS with JetStream at {nats} (set NEWSROOM_TEST_NATS_URL \
             or run scripts/test.sh, which starts it): {e}"
        )
    });
    let backend = Backend {
        database_url: database.url.clone(),
        nats_url: nats,
        namespace,
    };

    let outcome = tokio::spawn(scenario(backend, bus.clone())).await;

    if let Err(e) = bus.delete_streams().await {
        eprintln!("could not delete the test's streams: {e}");
    }
    database.drop_database().await;
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

async fn scenario(backend: Backend, bus: Bus) {
    let logs = tempfile::tempdir().unwrap();
    let server_log = logs.path().join("serve.log");

    // Given `newsroom serve` running every service on NATS and PostgreSQL
    let mut server = backend
        .newsroom()
        .args(["-v", "serve"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&server_log).unwrap())
        .spawn()
        .unwrap();
    let log = || read_log(&server_log);

    // And an observer on the check reports the relay publishes
    bus.ensure_streams().await.unwrap();
    let reports_subject = subjects::event(bus.namespace().as_str(), ClaimChecked::TYPE);
    let mut deliveries = bus
        .consumer("e2e_observer", &reports_subject, 5)
        .await
        .unwrap();

    // When the official results and the seed articles are published
    let imported = backend
        .run(
            &["tallies", "import", &tallies_dir().display().to_string()],
            &[],
        )
        .await;
    let imported = String::from_utf8_lossy(&imported.stderr).into_owned();
    assert!(
        imported.contains("1950 official results of 2010, 2015 and 2017"),
        "{imported}"
    );
    backend
        .run(&["submit", "--published", PUBLISHED], &seeds())
        .await;

    // Then the bus carries one check report per claim that `check` finds in the same files
    let tallies = tallies_dir().display().to_string();
    let check_args = [
        "check",
        "--published",
        PUBLISHED,
        "--format",
        "jsonl",
        "--tallies",
        &tallies,
    ];
    let expected = by_claim(jsonl(&backend.run(&check_args, &seeds()).await));
    assert!(
        expected.len() >= 30,
        "the seeds hold dozens of claims, check found {}",
        expected.len()
    );

    let deadline = Instant::now() + WAIT;
    let mut on_the_bus = Vec::new();
    while by_claim(on_the_bus.clone()).len() < expected.len() {
        let next = tokio::time::timeout_at(deadline, deliveries.next()).await;
        let delivery = match next {
            Ok(Some(delivery)) => delivery.expect("a delivery from JetStream"),
            Ok(None) => panic!("the observer's deliveries ended; server log:\n{}", log()),
            Err(_) => panic!(
                "after {WAIT:?} only {} of {} check reports arrived on {reports_subject}; server log:\n{}",
                on_the_bus.len(),
                expected.len(),
                log()
            ),
        };
        assert_eq!(delivery.subject, reports_subject);
        let envelope = Envelope::from_slice(&delivery.payload).expect("an event envelope");
        assert_eq!(
            delivery.msg_id.as_deref(),
            Some(envelope.event_id.to_string().as_str()),
            "Nats-Msg-Id is the event id"
        );
        let Ok(Event::ClaimChecked(checked)) = envelope.decode() else {
            panic!("a claim.checked payload: {envelope:?}")
        };
        delivery.ack().await.unwrap();
        on_the_bus.push(serde_json::to_value(&checked.report).unwrap());
    }
    assert_eq!(
        on_the_bus.len(),
        expected.len(),
        "one report per claim, none twice"
    );
    assert_eq!(by_claim(on_the_bus), expected);

    // And the store's current results are the same
    let results = backend.run(&["results", "--format", "jsonl"], &[]).await;
    assert_eq!(by_claim(jsonl(&results)), expected);

    // And the server stops gracefully on SIGTERM
    stop(&mut server, &server_log).await;
}

/// Sends SIGTERM and waits (bounded) for a clean exit.
async fn stop(server: &mut Child, server_log: &Path) {
    let log = || read_log(server_log);
    let pid = server.id().expect("the server is running").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -TERM {pid}");
    let status = timeout(Duration::from_secs(30), server.wait())
        .await
        .unwrap_or_else(|_| {
            panic!(
                "newsroom serve did not stop within 30 s of SIGTERM; log:\n{}",
                log()
            )
        })
        .unwrap();
    assert!(
        status.success(),
        "newsroom serve exited with {status}; log:\n{}",
        log()
    );
    assert!(log().contains("newsroom: stopped"), "{}", log());
}

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
