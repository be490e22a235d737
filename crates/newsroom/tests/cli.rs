//! The command line as a user meets it, embedded (no servers): `check`, `tallies import`,
//! `tallies replay`, `tallies correct`, `submit`, `serve` (with the review service),
//! `results` (and a claim's history), `tokens`, `audit` and `demo` run as processes on the
//! official results and seed articles beside the repository (`../shared`).

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// `../shared` beside the repository.
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

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// `newsroom` with its environment cleared of the settings a developer may have exported.
fn newsroom() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newsroom"));
    for var in [
        "NEWSROOM_NATS_URL",
        "NEWSROOM_DATABASE_URL",
        "NEWSROOM_NAMESPACE",
        "NEWSROOM_DATA_DIR",
        "RUST_LOG",
        "NO_COLOR",
        "NEWSROOM_REVIEW_LISTEN",
        "NEWSROOM_SIGNING_KEY",
        "NEWSROOM_NAME",
        "NEWSROOM_URL",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("newsroom runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn jsonl(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is one JSON object"))
        .collect()
}

/// Reports by claim id, without the tally version (which counts the results loaded).
fn by_claim(reports: Vec<Value>) -> BTreeMap<String, Value> {
    reports
        .into_iter()
        .map(|mut r| {
            r["evidence"]
                .as_object_mut()
                .unwrap()
                .remove("tally_version");
            (r["claim_id"].as_str().unwrap().to_owned(), r)
        })
        .collect()
}

/// A directory holding only the 2010 and 2015 results files (links to the real ones).
fn tallies_2010_2015(dir: &Path) -> PathBuf {
    let out = dir.join("hoc-2010-2015");
    std::fs::create_dir_all(&out).unwrap();
    for year in [2010, 2015] {
        for kind in ["candidate", "constituency"] {
            let name = format!("HoC-GE{year}-results-by-{kind}.csv");
            std::os::unix::fs::symlink(tallies_dir().join(&name), out.join(&name)).unwrap();
        }
    }
    out
}

#[test]
fn given_the_seeds_when_checked_as_jsonl_then_every_line_is_a_contract_check_report() {
    let output = run(newsroom()
        .args([
            "check",
            "--published",
            "2015-05-08",
            "--format",
            "jsonl",
            "--tallies",
        ])
        .arg(tallies_dir())
        .args(seeds()));
    assert!(output.status.success(), "{}", stderr(&output));
    let reports = jsonl(&output);
    assert!(
        reports.len() >= 30,
        "the seeds hold dozens of claims, got {}",
        reports.len()
    );

    let kinds = [
        "seats",
        "votes",
        "share",
        "majority",
        "swing",
        "turnout",
        "outcome",
        "rank",
        "threshold",
    ];
    let verdicts = [
        "accurate",
        "inaccurate",
        "unverifiable",
        "ambiguous",
        "pending",
    ];
    let articles: Vec<String> = seeds().iter().map(|p| file_name(p)).collect();
    for r in &reports {
        let fields = r.as_object().unwrap();
        for field in [
            "article",
            "claim_id",
            "quote",
            "span",
            "kind",
            "election",
            "change_from",
            "constituency_id",
            "area",
            "party",
            "candidate",
            "comparator",
            "claimed",
            "official",
            "verdict",
            "evidence",
        ] {
            assert!(fields.contains_key(field), "{field} missing in {r}");
        }
        assert!(
            articles.contains(&r["article"].as_str().unwrap().to_owned()),
            "{r}"
        );
        assert!(!r["claim_id"].as_str().unwrap().is_empty());
        assert!(kinds.contains(&r["kind"].as_str().unwrap()), "{r}");
        assert!(verdicts.contains(&r["verdict"].as_str().unwrap()), "{r}");
        assert!(
            ["eq", "gt", "lt", "approx"].contains(&r["comparator"].as_str().unwrap()),
            "{r}"
        );
        assert!(r["election"].is_u64());
        assert!(r["change_from"].is_null() || r["change_from"].is_u64());
        assert!(r["claimed"].is_number() || r["claimed"].is_string(), "{r}");
        assert!(r["evidence"].is_object());
        assert!(
            r["constituency_id"].is_null() != r["area"].is_null(),
            "a seat or an area: {r}"
        );

        // The quote is exactly the article's text at the span.
        let span: Vec<usize> = r["span"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let path = shared().join("seeds").join(r["article"].as_str().unwrap());
        let body = std::fs::read_to_string(path).unwrap();
        assert_eq!(&body[span[0]..span[1]], r["quote"].as_str().unwrap());
    }
    for article in &articles {
        assert!(
            reports.iter().any(|r| r["article"] == article.as_str()),
            "claims of {article}"
        );
    }
}

#[test]
fn given_an_article_with_a_wrong_majority_when_checked_as_text_then_the_claim_is_marked_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("farron.txt");
    std::fs::write(
        &article,
        "Liberal Democrat Tim Farron held Westmorland and Lonsdale with a majority of 9,949. \
         He polled 25,194 votes.\n",
    )
    .unwrap();
    let output = run(newsroom()
        .args(["check", "--published", "2015-05-08", "--tallies"])
        .arg(tallies_dir())
        .arg(&article));
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("farron.txt  ("), "{text}");
    let wrong = text
        .lines()
        .find(|l| l.contains("majority  Westmorland"))
        .expect("the majority claim is listed");
    assert!(wrong.trim_start().starts_with("\u{2717} WRONG"), "{text}");
    assert!(wrong.contains("claimed 9,949, official 8,949"), "{text}");
    let votes = text
        .lines()
        .find(|l| l.contains("votes     Westmorland"))
        .expect("the votes claim is listed");
    assert!(
        votes.trim_start().starts_with("\u{2713} accurate"),
        "{text}"
    );
}

#[test]
fn given_an_unreadable_file_among_good_ones_when_checked_then_it_is_named_and_the_others_still_print(
) {
    let seeds = seeds();
    let missing = Path::new("/no/such/article.txt");
    let output = run(newsroom()
        .args([
            "check",
            "--published",
            "2015-05-08",
            "--format",
            "jsonl",
            "--tallies",
        ])
        .arg(tallies_dir())
        .arg(&seeds[0])
        .arg(missing)
        .arg(&seeds[1]));
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("cannot read /no/such/article.txt"), "{err}");
    let printed: Vec<String> = jsonl(&output)
        .iter()
        .map(|r| r["article"].as_str().unwrap().to_owned())
        .collect();
    assert!(printed.contains(&file_name(&seeds[0])));
    assert!(printed.contains(&file_name(&seeds[1])));
}

#[test]
fn given_a_directory_without_results_when_checking_then_the_directory_is_named_and_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(newsroom()
        .args(["check", "--tallies"])
        .arg(dir.path())
        .args(seeds()));
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains(&dir.path().display().to_string()), "{err}");
    assert!(
        err.contains("holds no House of Commons Library results files"),
        "{err}"
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn given_a_results_file_whose_votes_do_not_add_up_when_imported_then_it_is_refused_with_file_and_line(
) {
    // Given a copy of the 2015 files with one candidate's votes changed (Aberavon's
    // Conservative, 3,742 → 3,743)
    let dir = tempfile::tempdir().unwrap();
    let hoc = dir.path().join("hoc");
    std::fs::create_dir(&hoc).unwrap();
    let candidates =
        std::fs::read_to_string(tallies_dir().join("HoC-GE2015-results-by-candidate.csv")).unwrap();
    let line = candidates.lines().nth(1).unwrap();
    assert!(
        line.starts_with("W07000049,") && line.contains(",Con,") && line.contains(",3742,"),
        "{line}"
    );
    let corrupted = candidates.replacen(line, &line.replace(",3742,", ",3743,"), 1);
    std::fs::write(hoc.join("HoC-GE2015-results-by-candidate.csv"), corrupted).unwrap();
    let constituencies_name = "HoC-GE2015-results-by-constituency.csv";
    let constituencies = std::fs::read_to_string(tallies_dir().join(constituencies_name)).unwrap();
    std::fs::write(hoc.join(constituencies_name), &constituencies).unwrap();
    let aberavon_line = constituencies
        .lines()
        .position(|l| l.starts_with("W07000049,"))
        .unwrap()
        + 1;

    // When it is imported (embedded)
    let data = dir.path().join("data");
    let output = run(newsroom()
        .arg("--data-dir")
        .arg(&data)
        .args(["tallies", "import"])
        .arg(&hoc));

    // Then it is refused, naming the file and the line, and nothing was stored
    assert!(!output.status.success());
    let err = stderr(&output);
    let expected = format!(
        "{} line {aberavon_line}: votes in Aberavon sum to",
        hoc.join(constituencies_name).display()
    );
    assert!(err.contains(&expected), "expected {expected:?} in {err}");
    assert!(!data.join("newsroom.db").exists(), "nothing was published");
}

#[test]
fn given_results_imported_when_imported_again_then_nothing_new_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let import = || {
        run(newsroom()
            .arg("--data-dir")
            .arg(dir.path())
            .args(["tallies", "import", "--year", "2015"])
            .arg(tallies_dir()))
    };
    let first = import();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("650 official results of 2015 published to the event store"),
        "{}",
        stderr(&first)
    );
    assert!(
        stderr(&first).contains("650 new, 0 already there"),
        "{}",
        stderr(&first)
    );
    let again = import();
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("0 new, 650 already there"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn given_a_year_the_directory_lacks_when_imported_then_the_years_found_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(newsroom()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["tallies", "import", "--year", "2005"])
        .arg(tallies_dir()));
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("holds no results of 2005 (it holds 2010, 2015, 2017)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn given_the_seeds_when_the_demo_runs_then_it_prints_what_check_finds_and_keeps_it_in_its_store() {
    let dir = tempfile::tempdir().unwrap();
    let tallies = tallies_2010_2015(dir.path());
    let data = dir.path().join("data");

    // When the demo runs (twice: it starts from a fresh store each time)
    let demo = || {
        run(newsroom()
            .arg("--data-dir")
            .arg(&data)
            .arg("demo")
            .arg("--tallies")
            .arg(&tallies)
            .args(seeds()))
    };
    let first = demo();
    assert!(first.status.success(), "{}", stderr(&first));
    let output = demo();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&first), stdout(&output));

    // Then it prints every article's claims, the wrong one marked
    let text = stdout(&output);
    for seed in seeds() {
        assert!(text.contains(&format!("{}  (", file_name(&seed))), "{text}");
    }
    assert!(text.contains("\u{2717} WRONG"), "{text}");
    assert!(stderr(&output).contains("imported 1300 official results of 2010 and 2015"));

    // And its store holds the same reports as `check` prints for the same files and results
    let url = format!("sqlite:{}", data.join("demo.db").display());
    let stored = run(newsroom().args(["--database-url", &url, "results", "--format", "jsonl"]));
    assert!(stored.status.success(), "{}", stderr(&stored));
    let checked = run(newsroom()
        .args([
            "check",
            "--published",
            "2015-05-08",
            "--format",
            "jsonl",
            "--tallies",
        ])
        .arg(&tallies)
        .args(seeds()));
    assert!(checked.status.success(), "{}", stderr(&checked));
    assert_eq!(by_claim(jsonl(&stored)), by_claim(jsonl(&checked)));
}

#[test]
fn given_an_embedded_server_when_results_and_articles_are_submitted_then_results_appear_and_sigterm_stops_it(
) {
    let dir = tempfile::tempdir().unwrap();
    let tallies = tallies_2010_2015(dir.path());
    let data = dir.path().join("data");
    let with_data = |cmd: &mut Command| {
        cmd.arg("--data-dir").arg(&data);
    };

    // Given `newsroom serve` running on the embedded store (made first: processes that
    // open a fresh SQLite store at the same moment may both try to create its tables)
    let made = run(newsroom().arg("--data-dir").arg(&data).arg("results"));
    assert!(made.status.success(), "{}", stderr(&made));
    let mut serve = newsroom();
    with_data(&mut serve);
    let mut server = serve
        .args(["serve", "--review-listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // When results are imported and an article submitted by other processes
    let mut import = newsroom();
    with_data(&mut import);
    let imported = run(import.args(["tallies", "import"]).arg(&tallies));
    assert!(imported.status.success(), "{}", stderr(&imported));
    let seed = &seeds()[1];
    let mut submit = newsroom();
    with_data(&mut submit);
    let submitted = run(submit
        .args(["submit", "--published", "2015-05-08"])
        .arg(seed));
    assert!(submitted.status.success(), "{}", stderr(&submitted));

    // Then its results appear in the store, as `check` prints them
    let checked = run(newsroom()
        .args([
            "check",
            "--published",
            "2015-05-08",
            "--format",
            "jsonl",
            "--tallies",
        ])
        .arg(&tallies)
        .arg(seed));
    let expected = by_claim(jsonl(&checked));
    let deadline = Instant::now() + Duration::from_secs(60);
    let stored = loop {
        let mut results = newsroom();
        with_data(&mut results);
        let output = run(results
            .args(["results", "--format", "jsonl", "--article"])
            .arg(file_name(seed)));
        assert!(output.status.success(), "{}", stderr(&output));
        let stored = by_claim(jsonl(&output));
        if stored.len() >= expected.len() || Instant::now() > deadline {
            break stored;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(stored, expected);

    // And SIGTERM stops the server gracefully
    let pid = server.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            server.kill().unwrap();
            panic!("newsroom serve did not stop within 20 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let log = stderr(&server.wait_with_output().unwrap());
    assert!(status.success(), "exit {status}: {log}");
    assert!(log.contains("newsroom: stopped"), "{log}");
}

#[test]
fn given_an_article_submitted_when_submitted_again_then_it_is_not_stored_twice() {
    let dir = tempfile::tempdir().unwrap();
    let submit = || {
        run(newsroom()
            .arg("--data-dir")
            .arg(dir.path())
            .args(["submit", "--published", "2015-05-08"])
            .arg(&seeds()[0]))
    };
    let first = submit();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(!stderr(&first).contains("submitted before"));
    let again = submit();
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("submitted before with the same text and date"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn given_relay_without_nats_when_served_then_it_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(newsroom()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "relay"]));
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("the relay service needs NATS (--nats)"),
        "{}",
        stderr(&output)
    );
}

// --- election night, review service, tokens and audit -----------------------------------

const CROYDON_SOUTH: &str = "E14000656";

/// Runs `newsroom` in `data` with `args`; it must succeed.
fn ok(data: &Path, args: &[&str]) -> Output {
    let output = run(newsroom().arg("--data-dir").arg(data).args(args));
    assert!(
        output.status.success(),
        "newsroom {args:?} failed: {}",
        stderr(&output)
    );
    output
}

/// Writes the 2015 results as declared on the night into `dir` (beside links to the 2010
/// files): Croydon South with Emily Benn's 14,038 votes, corrected to 14,308 on 31 July
/// 2015 (PROVENANCE.md); the HoC files hold the corrected figures. With `croydon` false,
/// Croydon South is left out altogether (not yet declared).
fn night_of_2015(dir: &Path, croydon: bool) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for kind in ["candidate", "constituency"] {
        let name = format!("HoC-GE2010-results-by-{kind}.csv");
        std::os::unix::fs::symlink(tallies_dir().join(&name), dir.join(&name)).unwrap();
    }
    let edit = |kind: &str, from: &str, to: &str| {
        let name = format!("HoC-GE2015-results-by-{kind}.csv");
        let text = std::fs::read_to_string(tallies_dir().join(&name)).unwrap();
        let mut lines = Vec::new();
        for line in text.lines() {
            if !line.starts_with(CROYDON_SOUTH) {
                lines.push(line.to_owned());
            } else if croydon && line.contains(from) {
                lines.push(line.replace(from, to));
            } else if croydon {
                lines.push(line.to_owned());
            }
        }
        assert!(
            text.contains(from),
            "{name} holds the corrected figure {from}"
        );
        std::fs::write(dir.join(&name), lines.join("\n") + "\n").unwrap();
    };
    // Emily Benn's votes; the valid votes, majority and Labour column of the seat
    edit(
        "candidate",
        ",Emily,Benn,Female,No,No,,14308,",
        ",Emily,Benn,Female,No,No,,14038,",
    );
    edit(
        "constituency",
        ",57712,146,17140,31448,14308,",
        ",57442,146,17410,31448,14038,",
    );
    dir.to_owned()
}

/// `newsroom serve` running in the background, its stderr collected as it comes.
struct Server {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(data: &Path, services: &[&str]) -> Server {
        let mut child = newsroom()
            .arg("--data-dir")
            .arg(data)
            .arg("serve")
            .args(services)
            .args(["--review-listen", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Server { child, log }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The address the review service says it listens on.
    fn review_address(&self) -> String {
        wait_for("the review service's address", || {
            let log = self.log();
            let start = log.find("review (http://")? + "review (http://".len();
            let end = start + log[start..].find(')')?;
            Some(log[start..end].to_owned())
        })
    }

    /// SIGTERM; it must stop gracefully within 20 s.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                self.child.kill().unwrap();
                panic!("newsroom serve did not stop within 20 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        std::thread::sleep(Duration::from_millis(100));
        let log = self.log();
        assert!(status.success(), "exit {status}: {log}");
        assert!(log.contains("newsroom: stopped"), "{log}");
    }
}

/// Polls `found` until it gives something, for at most 60 s.
fn wait_for<T>(what: &str, mut found: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(value) = found() {
            return value;
        }
        assert!(Instant::now() < deadline, "waited 60 s for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `GET path` over HTTP/1.1; the status and the body.
fn http_get(address: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{auth}\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {response}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The current report of the one claim of `article` about Croydon South at the 2015
/// election, once there is one with `verdict`.
fn croydon_report(data: &Path, article: &str, verdict: &str) -> Value {
    wait_for(&format!("a {verdict} report about Croydon South"), || {
        let output = ok(
            data,
            &["results", "--format", "jsonl", "--article", article],
        );
        jsonl(&output).into_iter().find(|r| {
            r["constituency_id"] == CROYDON_SOUTH
                && r["election"] == 2015
                && r["verdict"] == verdict
        })
    })
}

#[test]
fn given_a_replayed_night_when_a_seat_declares_late_and_is_corrected_then_the_claim_goes_pending_accurate_wrong_and_results_claim_tells_its_history(
) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let night = night_of_2015(&dir.path().join("night"), true);
    let before_croydon = night_of_2015(&dir.path().join("before-croydon"), false);

    // Given the 2010 results, the checker running, and the 2015 night replayed up to all
    // seats but Croydon South
    let tallies = tallies_dir().display().to_string();
    ok(&data, &["tallies", "import", "--year", "2010", &tallies]);
    let server = Server::start(&data, &["extractor", "checker"]);
    let first = ok(
        &data,
        &[
            "tallies",
            "replay",
            &before_croydon.display().to_string(),
            "--speed",
            "max",
        ],
    );
    assert!(
        stderr(&first).contains("649 declarations of 2015 published: 649 new, 0 already there"),
        "{}",
        stderr(&first)
    );

    // And an article about Emily Benn's 14,038 votes there, submitted before it declared
    let article = dir.path().join("benn.txt");
    std::fs::write(
        &article,
        "In Croydon South, Labour's Emily Benn polled 14,038 votes.\n",
    )
    .unwrap();
    let submitted = run(newsroom()
        .arg("--data-dir")
        .arg(&data)
        .args(["submit", "--published", "2015-05-08"])
        .arg(&article));
    assert!(submitted.status.success(), "{}", stderr(&submitted));

    // Then the claim is pending
    let pending = croydon_report(&data, "benn.txt", "pending");
    let claim = pending["claim_id"].as_str().unwrap().to_owned();

    // When the whole night is replayed (only Croydon South is new), the claim is accurate
    let second = ok(
        &data,
        &[
            "tallies",
            "replay",
            &night.display().to_string(),
            "--speed",
            "max",
        ],
    );
    assert!(
        stderr(&second).contains("650 declarations of 2015 published: 1 new, 649 already there"),
        "{}",
        stderr(&second)
    );
    let accurate = croydon_report(&data, "benn.txt", "accurate");
    assert_eq!(accurate["claim_id"], claim.as_str());
    assert_eq!(accurate["official"], 14038);

    // And a correction naming no such candidate is refused, naming the candidates
    let refused = run(newsroom().arg("--data-dir").arg(&data).args([
        "tallies",
        "correct",
        "--year",
        "2015",
        "--constituency",
        "Croydon South",
        "--candidate",
        "Emily Bean",
        "--votes",
        "14308",
        "--reason",
        "typo",
    ]));
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("Emily Benn"),
        "{}",
        stderr(&refused)
    );

    // When the correction of 31 July 2015 is published
    let corrected = ok(
        &data,
        &[
            "tallies",
            "correct",
            "--year",
            "2015",
            "--constituency",
            "Croydon South",
            "--candidate",
            "Emily Benn",
            "--votes",
            "14308",
            "--reason",
            "Electoral Commission correction of 31 July 2015",
        ],
    );
    assert!(
        stderr(&corrected)
            .contains("Croydon South (E14000656), 2015: Emily Benn 14,038 \u{2192} 14,308 votes"),
        "{}",
        stderr(&corrected)
    );

    // Then the claim is wrong now
    let wrong = croydon_report(&data, "benn.txt", "inaccurate");
    assert_eq!(wrong["official"], 14308);

    // And its history says it was pending, right when declared, and is wrong now
    let history = ok(&data, &["results", "--claim", &claim]);
    let text = stdout(&history);
    assert!(
        text.contains(&format!("claim {claim}  (benn.txt)")),
        "{text}"
    );
    assert!(text.contains("\u{2026} pending"), "{text}");
    assert!(
        text.contains("\u{2713} accurate      official 14,038"),
        "{text}"
    );
    assert!(
        text.contains("\u{2717} WRONG         official 14,308"),
        "{text}"
    );
    assert!(
        text.contains("accurate \u{2192} inaccurate (tally version"),
        "{text}"
    );
    assert!(
        text.contains("Electoral Commission correction of 31 July 2015"),
        "{text}"
    );
    assert!(
        text.contains("when first checked: \u{2026} pending"),
        "{text}"
    );
    assert!(
        text.contains("now:                \u{2717} WRONG"),
        "{text}"
    );

    let history = ok(&data, &["results", "--claim", &claim, "--format", "jsonl"]);
    let history: Value = serde_json::from_str(stdout(&history).trim()).unwrap();
    let verdicts: Vec<&str> = history["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["pending", "accurate", "inaccurate"]);
    let change = history["changes"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (change["from"].as_str(), change["to"].as_str()),
        (Some("accurate"), Some("inaccurate"))
    );
    server.stop();
}

#[test]
fn given_a_claim_id_never_checked_when_its_history_is_asked_then_it_fails_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(newsroom().arg("--data-dir").arg(dir.path()).args([
        "results",
        "--claim",
        "6f1e2c9a-3b4d-5e6f-8a9b-0c1d2e3f4a5b",
    ]));
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("claim 6f1e2c9a-3b4d-5e6f-8a9b-0c1d2e3f4a5b has not been checked"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn given_tokens_issued_on_the_command_line_when_serve_review_runs_then_it_answers_and_knows_them_until_revoked(
) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    // Given a token issued to alice, an editor
    let issued = ok(
        &data,
        &["tokens", "issue", "--name", "alice", "--role", "editor"],
    );
    let token = stdout(&issued).trim().to_owned();
    assert!(
        token.starts_with("nrt_") && !token.contains('\n'),
        "{token}"
    );
    assert!(
        stderr(&issued).contains("shown this once"),
        "{}",
        stderr(&issued)
    );
    let listed = stdout(&ok(&data, &["tokens", "list"]));
    assert!(listed.starts_with("alice\teditor\t"), "{listed}");
    assert!(!listed.contains(&token), "the token itself is never listed");

    // When `serve review` runs
    let server = Server::start(&data, &["review"]);
    let address = server.review_address();
    assert!(
        !server.log().contains("extractor"),
        "only the review service: {}",
        server.log()
    );

    // Then it answers /healthz, and knows alice's token
    let (status, body) = http_get(&address, "/healthz", None);
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    let (status, body) = http_get(&address, "/api/me", Some(&token));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""name":"alice""#), "{body}");
    let (status, _) = http_get(&address, "/api/audit/export", Some(&token));
    assert_eq!(status, 403, "an editor takes no audit export");

    // And once revoked on the command line, the token opens nothing
    let revoked = ok(&data, &["tokens", "revoke", "--name", "alice"]);
    assert!(
        stderr(&revoked).contains("Revoked 1 token(s) of alice."),
        "{}",
        stderr(&revoked)
    );
    let (status, _) = http_get(&address, "/api/me", Some(&token));
    assert_eq!(status, 401);
    assert!(stderr(&ok(&data, &["tokens", "list"])).contains("No active tokens."));
    server.stop();
}

#[test]
fn given_an_audit_export_when_verified_then_it_is_intact_and_a_tampered_line_is_named_by_its_position(
) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");

    // Given three articles and a token in the store
    let submit = run(newsroom()
        .arg("--data-dir")
        .arg(&data)
        .args(["submit", "--published", "2015-05-08"])
        .args(seeds()));
    assert!(submit.status.success(), "{}", stderr(&submit));
    ok(
        &data,
        &["tokens", "issue", "--name", "audrey", "--role", "auditor"],
    );

    // When the log is exported, in both formats
    let export = dir.path().join("audit.jsonl");
    let exported = ok(
        &data,
        &["audit", "export", "--output", &export.display().to_string()],
    );
    assert!(
        stdout(&exported).starts_with("exported 4 events"),
        "{}",
        stdout(&exported)
    );
    let csv = ok(&data, &["audit", "export", "--format", "csv"]);
    let csv_file = dir.path().join("audit.csv");
    std::fs::write(&csv_file, &csv.stdout).unwrap();

    // Then both verify intact, against the newsroom's published key
    let public_key = stdout(&ok(&data, &["audit", "pubkey"])).trim().to_owned();
    assert_eq!(public_key.len(), 64, "{public_key}");
    for file in [&export, &csv_file] {
        let verified = ok(
            &data,
            &[
                "audit",
                "verify",
                &file.display().to_string(),
                "--public-key",
                &public_key,
            ],
        );
        assert!(
            stdout(&verified).starts_with("intact: 4 events, positions 1..=4"),
            "{}",
            stdout(&verified)
        );
    }

    // When one line is changed (the second article's text)
    let text = std::fs::read_to_string(&export).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut second: Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(second["event"]["position"], 2);
    let body = second["event"]["payload"]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    second["event"]["payload"]["body"] = Value::String(body.replacen('e', "a", 1));
    lines[1] = serde_json::to_string(&second).unwrap();
    let tampered = dir.path().join("tampered.jsonl");
    std::fs::write(&tampered, lines.join("\n") + "\n").unwrap();

    // Then verification fails and names it
    let verified = run(newsroom()
        .arg("--data-dir")
        .arg(&data)
        .args(["audit", "verify"])
        .arg(&tampered));
    assert!(!verified.status.success());
    assert!(
        stdout(&verified).contains("NOT INTACT: the event at position 2 was changed (line 2)"),
        "{}",
        stdout(&verified)
    );

    // And the ClaimReview export of a store without checks is an empty list
    let reviews = ok(&data, &["audit", "claimreview"]);
    assert_eq!(
        serde_json::from_slice::<Value>(&reviews.stdout).unwrap(),
        serde_json::json!([])
    );
}

#[test]
fn given_the_review_address_in_use_when_served_then_it_fails_at_once_naming_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = run(newsroom().arg("--data-dir").arg(dir.path()).args([
        "serve",
        "--review-listen",
        &address,
    ]));
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains(&format!("the review service cannot listen on {address}")),
        "{}",
        stderr(&output)
    );
}
