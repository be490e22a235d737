//! Reliability on the real servers: nothing lost, nothing doubled when services are killed
//! with SIGKILL in the middle of a stream of articles, when NATS stops for a while and comes
//! back, and when every service connects to NATS and PostgreSQL with only the rights it
//! needs. See docs/reliability.md for what was tried and the figures.
//!
//! Each test makes its own PostgreSQL database on `postgres://postgres@127.0.0.1:5432` (or
//! the server of `NEWSROOM_TEST_DATABASE_URL`) and removes it afterwards. The crash test
//! uses its own namespace on `nats://127.0.0.1:4222` (or `NEWSROOM_TEST_NATS_URL`); the
//! outage and least-privilege tests start a nats-server of their own (`/usr/sbin/nats-server`,
//! or `NEWSROOM_TEST_NATS_SERVER`) on a free port with its own store directory. Without
//! PostgreSQL or nats-server they fail, saying which is missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::str::FromStr as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use newsroom_bus::{Bus, BusOptions, StreamKind};
use newsroom_events::{ArticleSubmitted, Envelope, Event, EventId, StreamVersion};
use newsroom_services::{run_service, CancellationToken, ServiceKind};
use newsroom_store::{EventStore, PgStore};
use serde_json::Value;
use sqlx::{Connection as _, PgConnection};
use tokio::process::{Child, Command};
use tokio::time::{sleep, timeout, Instant};

/// The longest any one wait of these tests lasts; they never hang longer.
const WAIT: Duration = Duration::from_secs(150);

/// The day after the 2015 election: the seeds are about it.
const PUBLISHED: &str = "2015-05-08";

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn tallies_dir() -> PathBuf {
    shared().join("data/ge-results/raw/hoc-library")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seeds() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared().join("seeds"))
        .expect("the seed articles are in ../shared/seeds")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "seed articles");
    files
}

fn postgres_server_url() -> String {
    std::env::var("NEWSROOM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn shared_nats_url() -> String {
    std::env::var("NEWSROOM_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

fn nats_server_binary() -> PathBuf {
    let path = std::env::var("NEWSROOM_TEST_NATS_SERVER")
        .unwrap_or_else(|_| "/usr/sbin/nats-server".to_owned());
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "these tests start nats-server themselves and need it at {} (set \
         NEWSROOM_TEST_NATS_SERVER or run scripts/test.sh, which installs it)",
        path.display()
    );
    path
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
                "the reliability tests need PostgreSQL at {server} (set \
                 NEWSROOM_TEST_DATABASE_URL or run scripts/test.sh, which starts it): {e}"
            )
        });
        let name = format!("newsroom_rel_{}", uuid::Uuid::new_v4().simple());
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

/// Runs `scenario`, then cleans up with `cleanup` whether it passed or not, then passes on
/// its failure.
async fn guarded<F, C>(scenario: F, cleanup: C)
where
    F: std::future::Future<Output = ()> + Send + 'static,
    C: std::future::Future<Output = ()>,
{
    let outcome = tokio::spawn(scenario).await;
    cleanup.await;
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `n` distinct ports nothing listens on right now (all held until all are found).
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<std::net::TcpListener> = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

/// A nats-server of the test's own: its port, its store directory, optionally a config.
struct PrivateNats {
    port: u16,
    store: tempfile::TempDir,
    config: Option<PathBuf>,
    /// Environment of the server (the passwords of deploy/nats-accounts.conf).
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
}

impl PrivateNats {
    async fn start(config: Option<PathBuf>, env: Vec<(String, String)>) -> PrivateNats {
        let store = tempfile::tempdir().unwrap();
        let log = store.path().join("nats-server.log");
        let mut nats = PrivateNats {
            port: free_port(),
            store,
            config,
            env,
            log,
            child: None,
        };
        nats.restart().await;
        nats
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port and store, and waits until it serves.
    async fn restart(&mut self) {
        assert!(self.child.is_none(), "the server is running already");
        let mut cmd = Command::new(nats_server_binary());
        if let Some(config) = &self.config {
            cmd.arg("-c").arg(config);
        }
        cmd.envs(self.env.iter().cloned());
        cmd.args([
            "-a",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-js",
            "-sd",
        ])
        .arg(self.store.path().join("js"))
        .arg("-l")
        .arg(&self.log)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
        self.child = Some(cmd.spawn().expect("nats-server starts"));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "nats-server did not listen on {} within 30 s; log:\n{}",
                self.port,
                read_log(&self.log)
            );
            sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the server (SIGTERM: JetStream flushes its store) and waits for it to exit.
    async fn stop(&mut self) {
        let mut child = self.child.take().expect("the server is running");
        signal(&child, "-TERM");
        if timeout(Duration::from_secs(20), child.wait())
            .await
            .is_err()
        {
            child.kill().await.unwrap();
        }
    }
}

/// Sends `kill <signal>` to a child process.
fn signal(child: &Child, signal: &str) {
    let pid = child.id().expect("the process is running").to_string();
    let sent = std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap();
    assert!(sent.success(), "kill {signal} {pid}");
}

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Where the backend under test lives.
#[derive(Clone)]
struct Backend {
    database_url: String,
    nats_url: String,
    namespace: String,
}

impl Backend {
    /// `newsroom` on this backend's store, with none of a developer's own settings; on its
    /// NATS namespace too when `nats`.
    fn newsroom(&self, nats: bool) -> Command {
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
        cmd.env("NEWSROOM_REVIEW_LISTEN", "127.0.0.1:0");
        if nats {
            cmd.args(["--nats", &self.nats_url])
                .args(["--namespace", &self.namespace]);
        }
        cmd.args(["--database-url", &self.database_url])
            .current_dir(repo())
            .kill_on_drop(true);
        cmd
    }

    /// Runs a `newsroom` command to its end (within [`WAIT`]); it must succeed.
    async fn run(&self, nats: bool, args: &[&str]) -> Output {
        let output = timeout(WAIT, self.newsroom(nats).args(args).output())
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

    /// `newsroom serve` of every pipeline service (named, so no review service), logging to
    /// `log` (appended: restarts add to it).
    fn serve(&self, log: &Path) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        self.newsroom(true)
            .args(["-v", "serve", "relay", "ingest", "extractor", "checker"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("newsroom serve starts")
    }

    /// `newsroom serve <service>`: one service in a process of its own, logging to `log`.
    fn serve_one(&self, service: &str, log: &Path) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        self.newsroom(true)
            .args(["-v", "serve", service])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("newsroom serve starts")
    }

    /// The official results, appended to the store directly (embedded producer): the relay
    /// publishes them and the checker reads them like any other event.
    async fn import_tallies(&self) {
        let dir = tallies_dir().display().to_string();
        let output = self.run(false, &["tallies", "import", &dir]).await;
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.contains("1950 official results"), "{said}");
    }
}

/// The two shorter seeds (a dozen claims each; the longest has five times as many),
/// copied `copies` times under distinct file names (so distinct article ids).
fn articles(dir: &Path, copies: usize) -> Vec<PathBuf> {
    let mut seeds = seeds();
    seeds.sort_by_key(|f| std::fs::metadata(f).unwrap().len());
    seeds.truncate(2);
    let mut files = Vec::new();
    for copy in 0..copies {
        for seed in &seeds {
            let name = format!("c{copy:03}_{}", seed.file_name().unwrap().to_string_lossy());
            let file = dir.join(name);
            std::fs::copy(seed, &file).unwrap();
            files.push(file);
        }
    }
    files
}

/// An article file as `newsroom submit` publishes it: id = file name, id from content.
fn article_event(file: &Path) -> Envelope {
    let event = Event::ArticleSubmitted(ArticleSubmitted {
        article_id: file.file_name().unwrap().to_string_lossy().into_owned(),
        body: std::fs::read_to_string(file).unwrap(),
        published: Some(NaiveDate::from_str(PUBLISHED).unwrap()),
    });
    let id = EventId::from_content(
        ArticleSubmitted::TYPE,
        event.to_payload().to_string().as_bytes(),
    );
    Envelope::new(&event, StreamVersion(1), "newsroom/cli", id)
}

/// A producer that keeps trying: each article is published until JetStream acknowledges it
/// (the event id is the message id, so a retry of a publish that did arrive is dropped as
/// a duplicate). Returns how many publishes failed and were retried.
async fn publish_with_retries(bus: Bus, events: Vec<Envelope>) -> usize {
    let deadline = Instant::now() + WAIT;
    let mut retries = 0;
    for event in events {
        loop {
            match bus.submit(&event).await {
                Ok(_) => break,
                Err(error) => {
                    assert!(
                        Instant::now() < deadline,
                        "the producer could not publish within {WAIT:?}: {error}"
                    );
                    retries += 1;
                    sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
    retries
}

/// Connects to NATS, retrying while the server starts.
async fn connect(options: BusOptions) -> Bus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match Bus::connect_with(options.clone()).await {
            Ok(bus) => return bus,
            Err(e) => {
                assert!(
                    Instant::now() < deadline,
                    "the reliability tests need NATS with JetStream at {} (run scripts/test.sh, \
                     which starts it): {e}",
                    options.url
                );
                sleep(Duration::from_millis(200)).await;
            }
        }
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

/// Reports by claim id, without the tally version (how many official results the checker
/// had seen, the one field allowed to differ between `check` and the services).
fn by_claim(reports: &[Value]) -> BTreeMap<String, Value> {
    reports
        .iter()
        .cloned()
        .map(|mut report| {
            if let Some(evidence) = report["evidence"].as_object_mut() {
                evidence.remove("tally_version");
            }
            let id = report["claim_id"].as_str().expect("a claim id").to_owned();
            (id, report)
        })
        .collect()
}

/// What `newsroom check` prints for `files` in one process: the expected end state.
async fn expected_reports(backend: &Backend, files: &[PathBuf]) -> Vec<Value> {
    let tallies = tallies_dir().display().to_string();
    let mut args = vec![
        "check".to_owned(),
        "--published".to_owned(),
        PUBLISHED.to_owned(),
        "--format".to_owned(),
        "jsonl".to_owned(),
        "--tallies".to_owned(),
        tallies,
    ];
    args.extend(files.iter().map(|f| f.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let reports = jsonl(&backend.run(false, &args).await);
    assert!(!reports.is_empty(), "the seeds hold claims");
    reports
}

/// Counts in the store, straight from SQL.
async fn count(db: &mut PgConnection, sql: &'static str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(db)
        .await
        .unwrap()
}

/// Claims with at least one check stored.
async fn checked_claims(db: &mut PgConnection) -> i64 {
    count(
        db,
        "SELECT count(DISTINCT stream_id) FROM events WHERE event_type = 'claim.checked'",
    )
    .await
}

/// Waits (bounded) until every expected claim has a check and every article an extraction.
async fn wait_until_done(
    db: &mut PgConnection,
    articles: usize,
    claims: usize,
    what: impl Fn() -> String,
) {
    let deadline = Instant::now() + WAIT;
    loop {
        let checked = checked_claims(db).await;
        let extracted = count(
            db,
            "SELECT count(*) FROM events WHERE event_type = 'claims.extracted'",
        )
        .await;
        if checked >= claims as i64 && extracted >= articles as i64 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "after {WAIT:?}: {checked} of {claims} claims checked, {extracted} of {articles} \
             articles extracted; {}",
            what()
        );
        sleep(Duration::from_millis(250)).await;
    }
}

/// The end state every test demands: exactly the reports `check` prints, one current result
/// per claim, no event stored twice, every article stored once, nothing dead-lettered.
async fn assert_nothing_lost_nothing_doubled(
    backend: &Backend,
    db: &mut PgConnection,
    bus: &Bus,
    articles: usize,
    expected: &[Value],
) {
    let results = jsonl(&backend.run(false, &["results", "--format", "jsonl"]).await);
    assert_eq!(
        results.len(),
        expected.len(),
        "one current result per claim, none twice"
    );
    assert_eq!(by_claim(&results), by_claim(expected));

    let stored_articles = count(
        db,
        "SELECT count(*) FROM events WHERE event_type = 'article.submitted'",
    )
    .await;
    assert_eq!(
        stored_articles, articles as i64,
        "every acknowledged article stored once"
    );
    let events = count(db, "SELECT count(*) FROM events").await;
    let distinct = count(db, "SELECT count(DISTINCT event_id) FROM events").await;
    assert_eq!(events, distinct, "no event id stored twice");
    // No service's effect stored twice for the same cause: one extraction per article, one
    // check per claim and cause.
    let doubled = count(
        db,
        "SELECT count(*) FROM (SELECT 1 FROM events \
         WHERE event_type IN ('claims.extracted', 'claim.checked') \
         GROUP BY event_type, stream_id, causation_id HAVING count(*) > 1) AS d",
    )
    .await;
    assert_eq!(doubled, 0, "an effect stored twice for one cause");
    let extractions = count(
        db,
        "SELECT count(*) FROM events WHERE event_type = 'claims.extracted'",
    )
    .await;
    assert_eq!(extractions, articles as i64, "one extraction per article");

    assert_eq!(dead_letters(bus).await, 0, "nothing dead-lettered");
}

/// Messages in the dead-letter stream; retried (bounded) while a cluster elects leaders.
async fn dead_letters(bus: &Bus) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let info = async {
            let mut stream = bus
                .jetstream()
                .get_stream(bus.stream_name(StreamKind::DeadLetter))
                .await
                .map_err(|e| e.to_string())?;
            let messages = stream
                .info()
                .await
                .map_err(|e| e.to_string())?
                .state
                .messages;
            Ok::<u64, String>(messages)
        };
        match info.await {
            Ok(messages) => return messages,
            Err(e) => assert!(
                Instant::now() < deadline,
                "the dead-letter stream did not answer within 60 s: {e}"
            ),
        }
        sleep(Duration::from_millis(500)).await;
    }
}

// ---------------------------------------------------------------------------------------
// Crash: SIGKILL of `newsroom serve` mid-stream, twice.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_300_articles_flowing_when_serve_is_killed_with_sigkill_twice_and_restarted_then_every_claim_has_exactly_one_result(
) {
    let database = TestDatabase::create().await;
    let namespace = format!("rel_crash_{}", uuid::Uuid::new_v4().simple());
    let bus = connect(BusOptions::new(shared_nats_url(), namespace.clone())).await;
    let backend = Backend {
        database_url: database.url.clone(),
        nats_url: shared_nats_url(),
        namespace,
    };
    let cleanup_bus = bus.clone();
    guarded(crash_scenario(backend, bus), async move {
        if let Err(e) = cleanup_bus.delete_streams().await {
            eprintln!("could not delete the test's streams: {e}");
        }
        database.drop_database().await;
    })
    .await;
}

async fn crash_scenario(backend: Backend, bus: Bus) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let files = articles(dir.path(), 150);
    let expected = expected_reports(&backend, &files).await;
    let mut db = PgConnection::connect(&backend.database_url).await.unwrap();

    // Given the official results in the store and `newsroom serve` running every service
    backend.import_tallies().await;
    let mut server = backend.serve(&log);
    bus.ensure_streams().await.unwrap();

    // When 300 articles are published
    let events: Vec<Envelope> = files.iter().map(|f| article_event(f)).collect();
    let producer = tokio::spawn(publish_with_retries(bus.clone(), events));

    // And serve is killed with SIGKILL once a quarter and once half the claims are checked,
    // and restarted each time
    let mut kills = Vec::new();
    for share in [4, 2] {
        let target = (expected.len() / share) as i64;
        let deadline = Instant::now() + WAIT;
        loop {
            let checked = checked_claims(&mut db).await;
            if checked >= target {
                server.start_kill().unwrap(); // SIGKILL
                server.wait().await.unwrap();
                kills.push(checked);
                break;
            }
            assert!(
                Instant::now() < deadline,
                "only {checked} of {target} claims checked after {WAIT:?}; log:\n{}",
                read_log(&log)
            );
            sleep(Duration::from_millis(50)).await;
        }
        server = backend.serve(&log);
    }
    let retries = producer.await.unwrap();

    // Then, once the pipeline has caught up, nothing is lost and nothing doubled
    wait_until_done(&mut db, files.len(), expected.len(), || read_log(&log)).await;
    assert_nothing_lost_nothing_doubled(&backend, &mut db, &bus, files.len(), &expected).await;
    eprintln!(
        "crash: {} articles, {} claims, SIGKILL at {kills:?} claims checked, {retries} \
         publishes retried",
        files.len(),
        expected.len()
    );
    server.start_kill().unwrap();
    server.wait().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_each_service_in_its_own_process_when_each_is_killed_with_sigkill_mid_stream_and_restarted_then_nothing_is_lost_or_doubled(
) {
    let database = TestDatabase::create().await;
    let namespace = format!("rel_kill_{}", uuid::Uuid::new_v4().simple());
    let bus = connect(BusOptions::new(shared_nats_url(), namespace.clone())).await;
    let backend = Backend {
        database_url: database.url.clone(),
        nats_url: shared_nats_url(),
        namespace,
    };
    let cleanup_bus = bus.clone();
    guarded(per_service_crash_scenario(backend, bus), async move {
        if let Err(e) = cleanup_bus.delete_streams().await {
            eprintln!("could not delete the test's streams: {e}");
        }
        database.drop_database().await;
    })
    .await;
}

async fn per_service_crash_scenario(backend: Backend, bus: Bus) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let files = articles(dir.path(), 20);
    let expected = expected_reports(&backend, &files).await;
    let mut db = PgConnection::connect(&backend.database_url).await.unwrap();

    // Given the official results in the store and each service in a process of its own
    backend.import_tallies().await;
    bus.ensure_streams().await.unwrap();
    let names = ["ingest", "extractor", "checker", "relay"];
    let mut processes: Vec<Child> = names
        .iter()
        .map(|name| backend.serve_one(name, &log))
        .collect();

    // When a producer publishes 40 articles, one every 50 ms
    let events: Vec<Envelope> = files.iter().map(|f| article_event(f)).collect();
    let producer = {
        let bus = bus.clone();
        tokio::spawn(async move {
            let mut retries = 0;
            for event in events {
                retries += publish_with_retries(bus.clone(), vec![event]).await;
                sleep(Duration::from_millis(50)).await;
            }
            retries
        })
    };

    // And each service is killed with SIGKILL in turn, while its work is under way, and
    // restarted: ingest once a third of the articles are stored, the extractor once half
    // are extracted, the checker once half the claims are checked, the relay at three
    // quarters
    let articles = files.len() as i64;
    let claims = expected.len() as i64;
    let kills: [(usize, &'static str, i64); 4] = [
        (
            0,
            "SELECT count(*) FROM events WHERE event_type = 'article.submitted'",
            articles / 3,
        ),
        (
            1,
            "SELECT count(*) FROM events WHERE event_type = 'claims.extracted'",
            articles / 2,
        ),
        (
            2,
            "SELECT count(DISTINCT stream_id) FROM events WHERE event_type = 'claim.checked'",
            claims / 2,
        ),
        (
            3,
            "SELECT count(DISTINCT stream_id) FROM events WHERE event_type = 'claim.checked'",
            claims * 3 / 4,
        ),
    ];
    let mut killed_at = Vec::new();
    for (index, progress, target) in kills {
        let deadline = Instant::now() + WAIT;
        loop {
            let done = count(&mut db, progress).await;
            if done >= target {
                processes[index].start_kill().unwrap(); // SIGKILL
                processes[index].wait().await.unwrap();
                killed_at.push((names[index], done));
                processes[index] = backend.serve_one(names[index], &log);
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{}: only {done} of {target} after {WAIT:?}; log:\n{}",
                names[index],
                read_log(&log)
            );
            sleep(Duration::from_millis(20)).await;
        }
    }
    let retries = producer.await.unwrap();

    // Then, once the pipeline has caught up, nothing is lost and nothing doubled
    wait_until_done(&mut db, files.len(), expected.len(), || read_log(&log)).await;
    assert_nothing_lost_nothing_doubled(&backend, &mut db, &bus, files.len(), &expected).await;
    eprintln!(
        "crash per service: {} articles, {} claims, SIGKILL at {killed_at:?}, \
         {retries} publishes retried",
        files.len(),
        expected.len()
    );
    for mut process in processes {
        process.start_kill().unwrap();
        process.wait().await.unwrap();
    }
}

// ---------------------------------------------------------------------------------------
// Outage: the NATS server stopped for seconds while producers publish.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_articles_flowing_when_nats_stops_for_seconds_and_restarts_then_services_reconnect_and_the_end_state_is_an_undisturbed_runs(
) {
    let database = TestDatabase::create().await;
    let nats = PrivateNats::start(None, Vec::new()).await;
    let backend = Backend {
        database_url: database.url.clone(),
        nats_url: nats.url(),
        namespace: "newsroom".to_owned(),
    };
    guarded(outage_scenario(backend, nats), database.drop_database()).await;
}

/// How long NATS is down in the outage test.
const OUTAGE: Duration = Duration::from_secs(8);

async fn outage_scenario(backend: Backend, mut nats: PrivateNats) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let files = articles(dir.path(), 15);
    let expected = expected_reports(&backend, &files).await;
    let mut db = PgConnection::connect(&backend.database_url).await.unwrap();

    // Given the official results in the store and `newsroom serve` on a NATS server
    backend.import_tallies().await;
    let bus = connect(BusOptions::new(nats.url(), backend.namespace.clone())).await;
    bus.ensure_streams().await.unwrap();
    let mut server = backend.serve(&log);

    // When a producer publishes articles, one every 100 ms
    let events: Vec<Envelope> = files.iter().map(|f| article_event(f)).collect();
    let producer_bus = bus.clone();
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let producer_acknowledged = acknowledged.clone();
    let producer = tokio::spawn(async move {
        let mut retries = 0;
        for event in events {
            retries += publish_with_retries(producer_bus.clone(), vec![event]).await;
            producer_acknowledged.fetch_add(1, Ordering::SeqCst);
            sleep(Duration::from_millis(100)).await;
        }
        retries
    });

    // And NATS stops once some articles are published and claims checked, stays down 8 s
    // (longer than a publish waits for its acknowledgement: the producer retries), and
    // comes back
    let deadline = Instant::now() + WAIT;
    while acknowledged.load(Ordering::SeqCst) < 8 || checked_claims(&mut db).await < 1 {
        assert!(
            Instant::now() < deadline,
            "nothing flowing; log:\n{}",
            read_log(&log)
        );
        sleep(Duration::from_millis(20)).await;
    }
    nats.stop().await;
    let checked_at_stop = checked_claims(&mut db).await;
    sleep(OUTAGE).await;
    nats.restart().await;

    // Then the producer gets everything through by retrying
    let retries = timeout(WAIT, producer)
        .await
        .expect("the producer finished")
        .unwrap();

    // And the services, still running, catch up: nothing lost, nothing doubled
    wait_until_done(&mut db, files.len(), expected.len(), || read_log(&log)).await;
    assert!(
        server.try_wait().unwrap().is_none(),
        "newsroom serve exited during the outage; log:\n{}",
        read_log(&log)
    );
    assert_nothing_lost_nothing_doubled(&backend, &mut db, &bus, files.len(), &expected).await;
    eprintln!(
        "outage: {} articles, {} claims, NATS down {OUTAGE:?} at {checked_at_stop} claims checked, \
         {retries} publishes retried",
        files.len(),
        expected.len()
    );
    server.start_kill().unwrap();
    server.wait().await.unwrap();
    nats.stop().await;
}

// ---------------------------------------------------------------------------------------
// Least privilege: a NATS user per service (deploy/nats-accounts.conf) and the services'
// database role that may append but not rewrite events.
// ---------------------------------------------------------------------------------------

const NATS_USERS: [&str; 6] = [
    "admin",
    "producer",
    "ingest",
    "relay",
    "extractor",
    "checker",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_user_per_service_when_the_pipeline_runs_then_it_works_and_a_producer_cannot_forge_a_result(
) {
    let database = TestDatabase::create().await;
    // The owner migrates (importing the tallies does) before the service role logs in.
    let secret = uuid::Uuid::new_v4().simple().to_string();
    let env = NATS_USERS
        .iter()
        .map(|user| {
            (
                format!("NEWSROOM_NATS_{}_PASSWORD", user.to_uppercase()),
                format!("{user}{secret}"),
            )
        })
        .collect();
    let nats = PrivateNats::start(Some(repo().join("deploy/nats-accounts.conf")), env).await;
    let backend = Backend {
        database_url: database.url.clone(),
        nats_url: nats.url(),
        namespace: "newsroom".to_owned(),
    };
    let login = format!("newsroom_svc_{}", uuid::Uuid::new_v4().simple());
    let server = postgres_server_url();
    let cleanup_login = login.clone();
    guarded(
        least_privilege_scenario(backend, nats, secret, login),
        async move {
            database.drop_database().await;
            if let Ok(mut admin) = PgConnection::connect(&server).await {
                let drop = format!("DROP ROLE IF EXISTS {cleanup_login}");
                if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(drop))
                    .execute(&mut admin)
                    .await
                {
                    eprintln!("could not drop the test role {cleanup_login}: {e}");
                }
            }
        },
    )
    .await;
}

/// `nats://<user>:<password>@127.0.0.1:<port>`.
fn user_url(nats: &PrivateNats, user: &str, secret: &str) -> String {
    format!("nats://{user}:{user}{secret}@127.0.0.1:{}", nats.port)
}

async fn user_bus(nats: &PrivateNats, user: &str, secret: &str) -> Bus {
    let options = BusOptions {
        client_name: Some(format!("newsroom/{user}")),
        ..BusOptions::new(user_url(nats, user, secret), "newsroom")
    };
    let bus = connect(options).await;
    bus.ensure_streams()
        .await
        .unwrap_or_else(|e| panic!("{user} may look the streams up: {e}"));
    bus
}

async fn least_privilege_scenario(
    backend: Backend,
    nats: PrivateNats,
    secret: String,
    login: String,
) {
    let dir = tempfile::tempdir().unwrap();
    let files = articles(dir.path(), 5);
    let expected = expected_reports(&backend, &files).await;
    let mut db = PgConnection::connect(&backend.database_url).await.unwrap();

    // Given the official results in a store migrated by its owner, and a login role of
    // newsroom_service (read and append events, save checkpoints)
    backend.import_tallies().await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE ROLE {login} LOGIN PASSWORD '{secret}' IN ROLE newsroom_service"
    )))
    .execute(&mut db)
    .await
    .unwrap();
    let mut service_url = url::Url::parse(&backend.database_url).unwrap();
    service_url.set_username(&login).unwrap();
    service_url.set_password(Some(&secret)).unwrap();

    // And the streams created by the admin user
    let admin = user_bus(&nats, "admin", &secret).await;

    // When every service runs with its own NATS user and the store as that role
    let store: Arc<dyn EventStore> = Arc::new(
        PgStore::connect_without_migrating(service_url.as_str())
            .await
            .expect("the service role connects without migrating"),
    );
    let shutdown = CancellationToken::new();
    let mut services = Vec::new();
    let mut extractor_bus = None;
    for kind in ServiceKind::ALL {
        let bus = user_bus(&nats, kind.as_str(), &secret).await;
        if kind == ServiceKind::Extractor {
            extractor_bus = Some(bus.clone());
        }
        let task = run_service(kind, store.clone(), Some(bus), shutdown.clone());
        services.push((kind, tokio::spawn(task)));
    }
    let producer = user_bus(&nats, "producer", &secret).await;

    // Then neither the producer nor a consuming service can publish a check result, a
    // dead letter of another service, or delete the events stream
    let checked_subject = "newsroom.events.claim.checked";
    let fake = serde_json::json!({"claim_id": "forged", "verdict": "accurate"}).to_string();
    let extractor_bus = extractor_bus.unwrap();
    let (forged, forged_by_extractor, dead_letter, deleted) = tokio::join!(
        producer.publish(checked_subject, EventId::random(), fake.clone()),
        extractor_bus.publish(checked_subject, EventId::random(), fake.clone()),
        producer.publish(
            "newsroom.deadletter.ingest",
            EventId::random(),
            fake.clone()
        ),
        producer.jetstream().delete_stream("NEWSROOM_EVENTS"),
    );
    assert!(
        forged.is_err(),
        "the producer published a result: {forged:?}"
    );
    assert!(
        forged_by_extractor.is_err(),
        "the extractor published a result: {forged_by_extractor:?}"
    );
    assert!(
        dead_letter.is_err(),
        "the producer dead-lettered: {dead_letter:?}"
    );
    assert!(deleted.is_err(), "the producer deleted the events stream");
    let mut events_stream = admin
        .jetstream()
        .get_stream("NEWSROOM_EVENTS")
        .await
        .expect("the events stream is still there");
    assert!(
        events_stream
            .get_last_raw_message_by_subject(checked_subject)
            .await
            .is_err(),
        "nothing is on {checked_subject} before any article"
    );
    // And the service role may not rewrite events
    let mut as_service = PgConnection::connect(service_url.as_str()).await.unwrap();
    match sqlx::query("UPDATE events SET source = 'forged'")
        .execute(&mut as_service)
        .await
    {
        Err(sqlx::Error::Database(e)) => assert_eq!(e.code().as_deref(), Some("42501"), "{e}"),
        other => panic!("the service role rewrote events: {other:?}"),
    }

    // And the articles the producer submits with `newsroom submit`, its user in the URL,
    // are all checked: nothing lost or doubled
    let mut as_producer = backend.clone();
    as_producer.nats_url = user_url(&nats, "producer", &secret);
    let mut submit = vec![
        "submit".to_owned(),
        "--published".to_owned(),
        PUBLISHED.to_owned(),
    ];
    submit.extend(files.iter().map(|f| f.display().to_string()));
    let submit: Vec<&str> = submit.iter().map(String::as_str).collect();
    as_producer.run(true, &submit).await;
    drop(producer);
    wait_until_done(&mut db, files.len(), expected.len(), || read_log(&nats.log)).await;
    assert_nothing_lost_nothing_doubled(&backend, &mut db, &admin, files.len(), &expected).await;
    let info = events_stream.info().await.unwrap().state.messages;
    eprintln!(
        "least privilege: {} articles, {} claims, {info} events on the bus, 4 forbidden \
         operations refused",
        files.len(),
        expected.len()
    );

    shutdown.cancel();
    for (kind, task) in services {
        let stopped = timeout(Duration::from_secs(30), task)
            .await
            .unwrap_or_else(|_| panic!("{kind} did not stop within 30 s"));
        stopped
            .unwrap()
            .unwrap_or_else(|e| panic!("{kind} failed with its least privileges: {e}"));
    }
    drop(as_service);
    drop(store);
}

// ---------------------------------------------------------------------------------------
// Cluster: three nats-server nodes (deploy/nats-cluster/node.conf.template), streams and
// consumers with three replicas, one node killed and brought back mid-stream.
// ---------------------------------------------------------------------------------------

/// One node of a three-node cluster of the test's own.
struct ClusterNode {
    conf: PathBuf,
    log: PathBuf,
    client_port: u16,
    child: Option<Child>,
}

impl ClusterNode {
    fn start(&mut self) {
        assert!(self.child.is_none(), "the node is running already");
        let child = Command::new(nats_server_binary())
            .arg("-c")
            .arg(&self.conf)
            .arg("-l")
            .arg(&self.log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("nats-server starts");
        self.child = Some(child);
    }

    /// SIGKILL: the node dies without a word to the others.
    async fn kill(&mut self) {
        let mut child = self.child.take().expect("the node is running");
        child.start_kill().unwrap();
        child.wait().await.unwrap();
    }
}

/// Three nodes rendered from the deployment's template on free ports in `dir`.
fn cluster(dir: &Path) -> Vec<ClusterNode> {
    let template =
        std::fs::read_to_string(repo().join("deploy/nats-cluster/node.conf.template")).unwrap();
    let ports = free_ports(6);
    let (client_ports, cluster_ports) = ports.split_at(3);
    (0..3)
        .map(|i| {
            let conf = template
                .replace("{{NAME}}", &format!("node-{i}"))
                .replace("{{CLIENT_PORT}}", &client_ports[i].to_string())
                .replace("{{CLUSTER_PORT}}", &cluster_ports[i].to_string())
                .replace(
                    "{{STORE_DIR}}",
                    &dir.join(format!("store-{i}")).display().to_string(),
                )
                .replace("{{ROUTE_1}}", &cluster_ports[0].to_string())
                .replace("{{ROUTE_2}}", &cluster_ports[1].to_string())
                .replace("{{ROUTE_3}}", &cluster_ports[2].to_string());
            let path = dir.join(format!("node-{i}.conf"));
            std::fs::write(&path, conf).unwrap();
            ClusterNode {
                conf: path,
                log: dir.join(format!("node-{i}.log")),
                client_port: client_ports[i],
                child: None,
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn given_a_three_node_cluster_with_three_replicas_when_a_node_is_killed_and_comes_back_then_the_pipeline_runs_on_and_loses_nothing(
) {
    let database = TestDatabase::create().await;
    let backend = Backend {
        database_url: database.url.clone(),
        nats_url: String::new(),
        namespace: "newsroom".to_owned(),
    };
    guarded(cluster_scenario(backend), database.drop_database()).await;
}

async fn cluster_scenario(mut backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let files = articles(dir.path(), 10);
    let expected = expected_reports(&backend, &files).await;
    let mut db = PgConnection::connect(&backend.database_url).await.unwrap();
    backend.import_tallies().await;

    // Given three clustered nodes and the namespace's streams with three replicas
    let mut nodes = cluster(dir.path());
    for node in &mut nodes {
        node.start();
    }
    backend.nats_url = nodes
        .iter()
        .map(|n| format!("nats://127.0.0.1:{}", n.client_port))
        .collect::<Vec<_>>()
        .join(",");
    let logs = || nodes_logs(dir.path());
    let options = BusOptions {
        replicas: 3,
        ..BusOptions::new(backend.nats_url.clone(), "newsroom")
    };
    let bus = connect(options).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while let Err(e) = bus.ensure_streams().await {
        // The cluster elects its JetStream meta leader first.
        assert!(
            Instant::now() < deadline,
            "the cluster did not take the streams within 60 s: {e}; logs:\n{}",
            logs()
        );
        sleep(Duration::from_millis(500)).await;
    }
    let mut events_stream = bus
        .jetstream()
        .get_stream(bus.stream_name(StreamKind::Events))
        .await
        .unwrap();
    assert_eq!(events_stream.info().await.unwrap().config.num_replicas, 3);

    // And every service running on it, streams and consumers replicated three times
    let store = newsroom_store::connect(&backend.database_url)
        .await
        .unwrap();
    let shutdown = CancellationToken::new();
    let nats = newsroom_services::NatsConfig {
        url: backend.nats_url.clone(),
        namespace: "newsroom".to_owned(),
        replicas: 3,
    };
    let mut services = Vec::new();
    for kind in ServiceKind::ALL {
        let bus = newsroom_services::connect_bus(&nats, kind.as_str())
            .await
            .unwrap();
        let task = run_service(kind, store.clone(), Some(bus), shutdown.clone());
        services.push((kind, tokio::spawn(task)));
    }

    // When a producer publishes 20 articles, one every 100 ms
    let events: Vec<Envelope> = files.iter().map(|f| article_event(f)).collect();
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let producer = {
        let bus = bus.clone();
        let acknowledged = acknowledged.clone();
        tokio::spawn(async move {
            let mut retries = 0;
            for event in events {
                retries += publish_with_retries(bus.clone(), vec![event]).await;
                acknowledged.fetch_add(1, Ordering::SeqCst);
                sleep(Duration::from_millis(100)).await;
            }
            retries
        })
    };

    // And the first node is killed (SIGKILL) once claims are being checked
    let deadline = Instant::now() + WAIT;
    while acknowledged.load(Ordering::SeqCst) < 5 || checked_claims(&mut db).await < 1 {
        assert!(
            Instant::now() < deadline,
            "nothing flowing; logs:\n{}",
            logs()
        );
        sleep(Duration::from_millis(20)).await;
    }
    nodes[0].kill().await;
    let at_kill = checked_claims(&mut db).await;

    // Then the pipeline goes on with two nodes
    let deadline = Instant::now() + WAIT;
    while checked_claims(&mut db).await < at_kill + 20 {
        assert!(
            Instant::now() < deadline,
            "no progress with a node down; logs:\n{}",
            logs()
        );
        sleep(Duration::from_millis(50)).await;
    }
    let with_two = checked_claims(&mut db).await;

    // And when the node comes back, everything is checked: nothing lost, nothing doubled
    nodes[0].start();
    let retries = timeout(WAIT, producer)
        .await
        .expect("the producer finished")
        .unwrap();
    wait_until_done(&mut db, files.len(), expected.len(), logs).await;
    assert_nothing_lost_nothing_doubled(&backend, &mut db, &bus, files.len(), &expected).await;
    eprintln!(
        "cluster: {} articles, {} claims, node killed at {at_kill} claims checked, {with_two} \
         checked with two nodes, {retries} publishes retried",
        files.len(),
        expected.len()
    );

    shutdown.cancel();
    for (kind, task) in services {
        let stopped = timeout(Duration::from_secs(30), task)
            .await
            .unwrap_or_else(|_| panic!("{kind} did not stop within 30 s"));
        stopped
            .unwrap()
            .unwrap_or_else(|e| panic!("{kind} failed in the cluster: {e}"));
    }
    for node in &mut nodes {
        if node.child.is_some() {
            node.kill().await;
        }
    }
}

/// The last lines of every node's log.
fn nodes_logs(dir: &Path) -> String {
    (0..3)
        .map(|i| {
            let log = read_log(&dir.join(format!("node-{i}.log")));
            let tail: Vec<&str> = log.lines().rev().take(15).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            format!("node-{i}:\n{}", tail.join("\n"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}
