//! Exports a large SQLite store (one million events by default) and reports throughput and
//! memory: resident set size sampled every 10% of the export, and the peak (VmHWM, reset
//! before the export starts) so that flat memory use shows.
//!
//! `cargo bench -p newsroom-audit --bench export` (set AUDIT_BENCH_EVENTS for another size,
//! AUDIT_BENCH_FORMAT=csv for CSV). The store is built in a temporary directory first; its
//! build time is reported apart.
//!
//! Measured on the project's 2-core machine, one million `claim.checked` events (~1 KiB per
//! JSON line): built in 78 s; exported in 34.9 s (28,700 events/s, 28.7 MiB/s of output);
//! RSS 25.8 MiB at every 10% of the export and peak (VmHWM) 25.8 MiB, against 25.9 MiB for
//! 20,000 events: memory does not grow with the export.

use std::io::{self, Write};
use std::time::Instant;

use chrono::Utc;
use ed25519_dalek::SigningKey;
use newsroom_audit::{export, ExportOptions, Filter, Format};
use newsroom_events::{Envelope, EventId, StreamId, StreamVersion};
use newsroom_store::{EventStore, ExpectedVersion};
use serde_json::json;
use uuid::Uuid;

const BATCH: u64 = 1_000;

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Resets VmHWM to the current RSS (Linux: writing 5 to clear_refs).
fn reset_peak() {
    if let Err(e) = std::fs::write("/proc/self/clear_refs", "5") {
        eprintln!("cannot reset the peak RSS ({e}); VmHWM includes building the store");
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// A writer that throws the bytes away, counting lines and sampling RSS every `every` lines.
struct Sampling {
    lines: u64,
    bytes: u64,
    every: u64,
    samples: Vec<(u64, u64)>,
}

impl Write for Sampling {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for _ in buf.iter().filter(|b| **b == b'\n') {
            self.lines += 1;
            if self.lines.is_multiple_of(self.every) {
                self.samples.push((self.lines, status_kib("VmRSS:")));
            }
        }
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn envelope(n: u64, stream: &StreamId) -> Envelope {
    let claim = format!("c{n}");
    Envelope {
        event_id: EventId(Uuid::from_u128(u128::from(n) + 1)),
        stream_id: stream.clone(),
        stream_version: StreamVersion(0),
        event_type: "claim.checked".to_owned(),
        schema_version: 1,
        occurred_at: Utc::now(),
        recorded_at: None,
        position: None,
        correlation_id: Uuid::from_u128(u128::from(n / 10) + 7),
        causation_id: None,
        source: "newsroom/checker".to_owned(),
        payload: json!({"report": {
            "article": format!("a{}", n / 20), "claim_id": claim,
            "quote": "Labour won 232 seats, the Conservatives 330.", "span": [0, 44],
            "kind": "seats", "election": 2015, "change_from": null, "constituency_id": null,
            "area": "UK", "party": "Lab", "candidate": null, "comparator": "eq",
            "claimed": 232, "official": 232, "verdict": "accurate",
            "evidence": {"rule": "seats = constituencies won", "tolerance": "exact",
                         "rows": [], "note": null, "tally_version": n % 650}
        }}),
    }
}

async fn build(store: &dyn EventStore, events: u64) {
    let mut n = 0;
    while n < events {
        let stream = StreamId::new(format!("bench-{}", n / BATCH));
        let batch: Vec<Envelope> = (n..(n + BATCH).min(events))
            .map(|i| envelope(i, &stream))
            .collect();
        n += batch.len() as u64;
        store
            .append(&stream, ExpectedVersion::NoStream, batch)
            .await
            .expect("append");
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs this too: keep that small.
    let testing =
        std::env::args().any(|a| a == "--test") || !std::env::args().any(|a| a == "--bench");
    let events: u64 = std::env::var("AUDIT_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if testing { 2_000 } else { 1_000_000 });
    let format = match std::env::var("AUDIT_BENCH_FORMAT").as_deref() {
        Ok("csv") => Format::Csv,
        _ => Format::Jsonl,
    };

    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = newsroom_store::connect(&url).await.expect("store");
    let started = Instant::now();
    build(store.as_ref(), events).await;
    let built = started.elapsed();
    println!(
        "built a SQLite store of {events} events in {:.1} s ({:.0} events/s)",
        built.as_secs_f64(),
        events as f64 / built.as_secs_f64()
    );

    let options = ExportOptions {
        filter: Filter::default(),
        format,
        newsroom: "bench".to_owned(),
        progress: false,
    };
    let key = SigningKey::from_bytes(&[1; 32]);
    let mut out = Sampling {
        lines: 0,
        bytes: 0,
        every: (events / 10).max(1),
        samples: Vec::new(),
    };
    reset_peak();
    let before = status_kib("VmRSS:");
    let started = Instant::now();
    let signed = export(store.as_ref(), &key, &options, &mut out)
        .await
        .expect("export");
    let took = started.elapsed();
    let peak = status_kib("VmHWM:");

    assert_eq!(signed.manifest.count, events);
    println!(
        "exported {events} events as {format:?}: {:.1} s, {:.0} events/s, {:.1} MiB/s of output ({:.0} MiB)",
        took.as_secs_f64(),
        events as f64 / took.as_secs_f64(),
        mib(out.bytes / 1024) / took.as_secs_f64(),
        mib(out.bytes / 1024)
    );
    println!("RSS before the export: {:.1} MiB", mib(before));
    for (lines, rss) in &out.samples {
        println!("  RSS after {lines:>8} lines: {:.1} MiB", mib(*rss));
    }
    println!("peak RSS during the export (VmHWM): {:.1} MiB", mib(peak));
    println!(
        "manifest: {} checkpoints, head {}",
        signed.manifest.checkpoints.len(),
        signed.manifest.head_hash
    );
}
