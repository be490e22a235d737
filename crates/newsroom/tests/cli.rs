//! The command line as a user meets it, embedded (no servers): `check`, `tallies import`,
//! `submit`, `serve`, `results` and `demo` run as processes on the official results and
//! seed articles beside the repository (`../shared`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
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

    // Given `newsroom serve` running on the embedded store
    let mut serve = newsroom();
    with_data(&mut serve);
    let mut server = serve
        .arg("serve")
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
