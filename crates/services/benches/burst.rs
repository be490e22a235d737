//! Backpressure: a burst of articles absorbed with bounded work in flight. For each mode
//! and burst size this bench runs a child process of its own (so that each peak is its
//! own) that sets up a SQLite store with the 650 official results of 2015, runs the
//! pipeline once until idle (the extractor built, the checker's view holding the tallies),
//! reads its peak resident memory (VmHWM in /proc/self/status) as the baseline, then takes
//! the burst:
//! - `embedded`: the articles are appended to the store at once (a backlog), then the
//!   embedded pipeline runs until idle (store feeds, one page of 256 events at a time);
//! - `jetstream`: every service runs on JetStream (the NATS server of the tests:
//!   `NEWSROOM_TEST_NATS_URL` or the local one) and a producer publishes the articles to the
//!   inbox as fast as JetStream acknowledges them, without waiting for the pipeline; the
//!   run ends when every article is extracted and the checker has caught up with the store.
//!
//! Each article (about 300 bytes) states checkable claims about one seat (the winner's
//! majority, the runner-up's votes and place, the winning party): a burst of 10,000 is
//! about 40,000 claims to check. What grows with the burst is the checker's view (every claim with its
//! latest report and the index from figures to claims: the state it must keep to re-check
//! on a correction), not the work in flight.
//!
//! - `embedded-extractor` and `jetstream-no-checker`: the same without the checker, to
//!   show that what grows is the checker's view: without it the peak stays flat.
//!
//! `cargo bench -p newsroom-services --bench burst` (sizes: `BURST_SIZES=1000,10000`,
//! modes: `BURST_MODES=embedded,jetstream,embedded-extractor,jetstream-no-checker`).

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use newsroom_events::Envelope;
use newsroom_services::{
    connect_bus, metrics, run_all, run_service, run_until_idle, tally_declared_event,
    CancellationToken, NatsConfig, Producer, Publish, ServeConfig, ServiceKind, CHECKER_CHECKPOINT,
};
use newsroom_store::EventStore;
use support::*;

const CHILD: &str = "NEWSROOM_BURST_CHILD";

/// Peak and current resident memory of this process, in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Article `i` of a burst: three claims about one seat of 2015.
fn article(i: usize, results: &[newsroom_tally::ConstituencyResult]) -> Envelope {
    let r = &results[(i * 7) % results.len()];
    let (winner, second) = (&r.candidates[0], &r.candidates[1]);
    let body = format!(
        "{} won {} for {} at the 2015 general election with a majority of {}. {} came second \
         with {} votes. Report number {i}.",
        winner.name,
        r.name,
        winner.party_name,
        winner.votes.0 - second.votes.0,
        second.name,
        second.votes.0,
    );
    article_envelope(&format!("burst-{i}"), &body)
}

async fn declare_2015(store: &Arc<dyn EventStore>) -> Vec<newsroom_tally::ConstituencyResult> {
    let results = hoc_results(2015);
    let producer = Producer::Store(store.clone());
    for result in &results {
        producer
            .publish(&tally_declared_event(result.clone(), "bench/results"))
            .await
            .unwrap();
    }
    results
}

async fn child(mode: &str, articles: usize) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("events.db").display());
    let store = newsroom_store::connect(&url).await.unwrap();
    let results = declare_2015(&store).await;
    run_until_idle(store.clone()).await.unwrap();
    let (baseline, _) = memory_kib();
    let started = Instant::now();
    match mode {
        "embedded" => {
            let producer = Producer::Store(store.clone());
            for i in 0..articles {
                producer.publish(&article(i, &results)).await.unwrap();
            }
            let report = run_until_idle(store.clone()).await.unwrap();
            assert_eq!(report.extractor.processed, articles as u64);
            assert!(report.skipped.is_empty(), "{:?}", report.skipped);
        }
        "embedded-extractor" => {
            // The extractor alone: it keeps no state per article, so its peak is the work in
            // flight (one store page) and the extractor itself.
            let producer = Producer::Store(store.clone());
            for i in 0..articles {
                producer.publish(&article(i, &results)).await.unwrap();
            }
            let shutdown = CancellationToken::new();
            let extractor = tokio::spawn(run_service(
                ServiceKind::Extractor,
                store.clone(),
                None,
                shutdown.clone(),
            ));
            wait_for(|| async {
                metrics()
                    .snapshot()
                    .service(ServiceKind::Extractor)
                    .processed
                    >= articles as u64
            })
            .await;
            shutdown.cancel();
            extractor.await.unwrap().unwrap();
        }
        "jetstream" | "jetstream-no-checker" => {
            let nats = NatsConfig {
                namespace: fresh_namespace(),
                ..NatsConfig::new(nats_url())
            };
            let producer = connect_bus(&nats, "bench/producer").await.unwrap();
            let shutdown = CancellationToken::new();
            let mut config = ServeConfig::jetstream(url.clone(), nats);
            let checking = mode == "jetstream";
            if !checking {
                config.services = vec![
                    ServiceKind::Relay,
                    ServiceKind::Ingest,
                    ServiceKind::Extractor,
                ];
            }
            let serving = tokio::spawn(run_all(config, shutdown.clone()));
            for i in 0..articles {
                producer.submit(&article(i, &results)).await.unwrap();
            }
            wait_for(|| async {
                let extracted = metrics()
                    .snapshot()
                    .service(ServiceKind::Extractor)
                    .processed;
                let head = store.head().await.unwrap();
                let checked = store.load_checkpoint(CHECKER_CHECKPOINT).await.unwrap();
                extracted >= articles as u64 && (!checking || checked == head)
            })
            .await;
            shutdown.cancel();
            serving.await.unwrap().unwrap();
            producer.delete_streams().await.unwrap();
        }
        other => panic!("unknown mode {other}"),
    }
    let elapsed = started.elapsed();
    let (peak, rss) = memory_kib();
    let counted = metrics().snapshot();
    let checks = counted.service(ServiceKind::Checker).appended;
    println!(
        "RESULT mode={mode} articles={articles} seconds={:.1} baseline_kib={baseline} \
         peak_kib={peak} rss_kib={rss} claim_events={checks} dead_lettered={}",
        elapsed.as_secs_f64(),
        counted
            .services
            .values()
            .map(|s| s.dead_lettered_total())
            .sum::<u64>()
    );
}

/// Waits until `done`, polling four times a second, for at most half an hour.
async fn wait_for<F, Fut>(done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(1800);
    while !done().await {
        assert!(Instant::now() < deadline, "the burst was not absorbed");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn main() {
    if let Ok(spec) = std::env::var(CHILD) {
        let (mode, articles) = spec.split_once(':').expect("mode:articles");
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(child(mode, articles.parse().expect("a number of articles")));
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run small then.
    let benching = std::env::args().any(|a| a == "--bench");
    let sizes = std::env::var("BURST_SIZES").unwrap_or_else(|_| {
        if benching {
            "1000,10000".into()
        } else {
            "50".into()
        }
    });
    let modes = std::env::var("BURST_MODES")
        .unwrap_or_else(|_| "embedded,jetstream,embedded-extractor,jetstream-no-checker".into());
    let exe = std::env::current_exe().unwrap();
    println!("burst: peak resident memory (VmHWM) per burst, each run a process of its own");
    for mode in modes.split(',') {
        for size in sizes.split(',') {
            let output = Command::new(&exe)
                .env(CHILD, format!("{mode}:{size}"))
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            let line = stdout.lines().find(|l| l.starts_with("RESULT"));
            match line {
                Some(line) if output.status.success() => println!("{line}"),
                _ => panic!(
                    "the {mode} burst of {size} failed: {}\n{stdout}\n{}",
                    output.status,
                    String::from_utf8_lossy(&output.stderr)
                ),
            }
        }
    }
}
