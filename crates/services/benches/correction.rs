//! How long a correction takes to be reflected, with 10,000 stored claims: from appending a
//! `tally.corrected` of Croydon South to the store, to the checker's re-check events being
//! stored (embedded checker on SQLite), and to their being on the bus (relay and checker on
//! JetStream; needs the NATS server of the tests: `NEWSROOM_TEST_NATS_URL` or the local one).
//!
//! The claims: 10,000 over the 650 seats of 2015 (the winner's votes, the majority, the
//! winning party, in turn; 16 of them about Croydon South) and 40 about areas (UK, England,
//! London, Scotland, Wales). A correction re-checks the claims about Croydon South and the
//! areas holding it, through the checker's index, not the 10,000.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use futures::StreamExt;
use newsroom_claims::{Claim, Claimed, Kind, Outcome};
use newsroom_events::{Envelope, GlobalPosition};
use newsroom_services::{
    connect_bus, run_relay, run_service, tally_corrected_event, tally_declared_event,
    CancellationToken, NatsConfig, Producer, Publish, ServiceKind, CHECKER_CHECKPOINT,
};
use newsroom_store::EventStore;
use newsroom_tally::{PartyCode, Votes};
use support::*;

const CLAIMS: usize = 10_000;
const PER_ARTICLE: usize = 10;

fn claims() -> Vec<Envelope> {
    let results = hoc_results(2015);
    let croydon = results
        .iter()
        .position(|r| r.id.as_str() == CROYDON_SOUTH)
        .unwrap();
    let mut all: Vec<Claim> = Vec::with_capacity(CLAIMS + 40);
    for i in 0..CLAIMS {
        let r = &results[(i * 7 + croydon) % results.len()];
        let article = format!("bench-{}", i / PER_ARTICLE);
        let ordinal = i % PER_ARTICLE;
        let scope = seat_scope(r.id.as_str());
        let (winner, runner_up) = (&r.candidates[0], &r.candidates[1]);
        let c = match i % 3 {
            0 => {
                let mut c = claim(
                    &article,
                    ordinal,
                    Kind::Votes,
                    scope,
                    number(winner.votes.0 as i64),
                );
                c.candidate = Some(winner.name.clone());
                c
            }
            1 => claim(
                &article,
                ordinal,
                Kind::Majority,
                scope,
                number((winner.votes.0 - runner_up.votes.0) as i64),
            ),
            _ => claim(
                &article,
                ordinal,
                Kind::Outcome,
                scope,
                Claimed::Outcome(Outcome::Party(winner.party.clone())),
            ),
        };
        all.push(c);
    }
    let areas = ["UK", "England", "London", "Scotland", "Wales"];
    for i in 0..40 {
        let mut c = claim(
            "bench-areas",
            i,
            Kind::Seats,
            area_scope(areas[i % areas.len()]),
            number(100),
        );
        c.party = Some(PartyCode::new(["Con", "Lab"][i % 2]));
        all.push(c);
    }
    let mut extractions = Vec::new();
    let mut by_article: std::collections::BTreeMap<String, Vec<Claim>> = Default::default();
    for c in all {
        by_article.entry(c.article.clone()).or_default().push(c);
    }
    for (article, claims) in by_article {
        let cause = article_envelope(&article, &article);
        extractions.push(claims_extracted(&cause, &article, claims));
    }
    extractions
}

/// A store with 2010, 2015 (Croydon South as declared) and the claims.
async fn stocked(store: &Arc<dyn EventStore>) {
    let producer = Producer::Store(store.clone());
    let mut declarations: Vec<_> = hoc_results(2010);
    declarations.extend(
        hoc_results(2015)
            .into_iter()
            .filter(|r| r.id.as_str() != CROYDON_SOUTH),
    );
    declarations.push(croydon_south_as_declared());
    for r in declarations {
        producer
            .publish(&tally_declared_event(r, "bench"))
            .await
            .unwrap();
    }
    for e in claims() {
        producer.publish(&e).await.unwrap();
    }
}

/// Waits until the checker has read everything up to the head, past `after`.
async fn checked_past(store: &dyn EventStore, after: GlobalPosition) -> GlobalPosition {
    loop {
        let checkpoint = store.load_checkpoint(CHECKER_CHECKPOINT).await.unwrap();
        if checkpoint > after && checkpoint == store.head().await.unwrap() {
            return checkpoint;
        }
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
}

/// The n-th correction of Emily Benn's votes (each a new figure, so a new event).
fn correction(n: u64) -> Envelope {
    let mut result = croydon_south_as_declared();
    let benn = result
        .candidates
        .iter_mut()
        .find(|c| c.name == "Emily Benn")
        .unwrap();
    let votes = 14_308 + (n % 2_000);
    result.valid_votes = Votes(result.valid_votes.0 - benn.votes.0 + votes);
    benn.votes = Votes(votes);
    tally_corrected_event(result, &format!("bench correction {n}"), "bench")
}

fn embedded(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = rt.block_on(newsroom_store::connect(&url)).unwrap();
    let shutdown = CancellationToken::new();
    let started = Instant::now();
    rt.block_on(stocked(&store));
    let checker = rt.spawn(run_service(
        ServiceKind::Checker,
        store.clone(),
        None,
        shutdown.clone(),
    ));
    rt.block_on(checked_past(store.as_ref(), GlobalPosition(0)));
    eprintln!(
        "embedded: {CLAIMS} claims stored and checked in {:.1?}",
        started.elapsed()
    );
    let mut n = 0;
    c.bench_function("correction re-checks stored (SQLite, 10k claims)", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    n += 1;
                    let envelope = correction(n);
                    let stream = envelope.stream_id.clone();
                    let start = Instant::now();
                    let at = match store
                        .append(
                            &stream,
                            newsroom_store::ExpectedVersion::Any,
                            vec![envelope],
                        )
                        .await
                        .unwrap()
                    {
                        newsroom_store::AppendOutcome::Appended { last_position, .. } => {
                            last_position
                        }
                        newsroom_store::AppendOutcome::AlreadyStored => {
                            panic!("each correction is new")
                        }
                    };
                    checked_past(store.as_ref(), at).await;
                    total += start.elapsed();
                }
                total
            })
        })
    });
    shutdown.cancel();
    rt.block_on(checker).unwrap().unwrap();
}

fn on_the_bus(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = rt.block_on(newsroom_store::connect(&url)).unwrap();
    let namespace = fresh_namespace();
    let nats = NatsConfig {
        namespace: namespace.clone(),
        ..NatsConfig::new(nats_url())
    };
    let bus = rt
        .block_on(connect_bus(&nats, "bench"))
        .unwrap_or_else(|e| panic!("this benchmark needs NATS at {}: {e}", nats_url()));
    rt.block_on(stocked(&store));
    let shutdown = CancellationToken::new();
    let relay = rt.spawn(run_relay(store.clone(), bus.clone(), shutdown.clone()));
    let checker = rt.spawn(run_service(
        ServiceKind::Checker,
        store.clone(),
        Some(bus.clone()),
        shutdown.clone(),
    ));
    let mut probe = rt
        .block_on(bus.consumer("probe", &format!("{namespace}.events.>"), 1))
        .unwrap();
    let started = Instant::now();
    let mut seen = GlobalPosition(0);
    // Everything stored is checked and on the bus
    rt.block_on(async {
        let checked = checked_past(store.as_ref(), GlobalPosition(0)).await;
        while seen < checked {
            let d = probe.next().await.unwrap().unwrap();
            let e = Envelope::from_slice(&d.payload).unwrap();
            seen = seen.max(e.position.unwrap());
            d.ack().await.unwrap();
        }
    });
    eprintln!(
        "on the bus: {CLAIMS} claims checked and relayed in {:.1?}",
        started.elapsed()
    );
    let mut n = 0;
    c.bench_function(
        "correction re-checks on the bus (SQLite + JetStream, 10k claims)",
        |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        n += 1;
                        let envelope = correction(n);
                        let stream = envelope.stream_id.clone();
                        let start = Instant::now();
                        let at = match store
                            .append(
                                &stream,
                                newsroom_store::ExpectedVersion::Any,
                                vec![envelope],
                            )
                            .await
                            .unwrap()
                        {
                            newsroom_store::AppendOutcome::Appended { last_position, .. } => {
                                last_position
                            }
                            newsroom_store::AppendOutcome::AlreadyStored => {
                                panic!("each correction is new")
                            }
                        };
                        let checked = checked_past(store.as_ref(), at).await;
                        while seen < checked {
                            let d = probe.next().await.unwrap().unwrap();
                            let e = Envelope::from_slice(&d.payload).unwrap();
                            seen = seen.max(e.position.unwrap());
                            d.ack().await.unwrap();
                        }
                        total += start.elapsed();
                    }
                    total
                })
            })
        },
    );
    shutdown.cancel();
    rt.block_on(checker).unwrap().unwrap();
    rt.block_on(relay).unwrap().unwrap();
    rt.block_on(bus.delete_streams()).unwrap();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(10));
    targets = embedded, on_the_bus
}
criterion_main!(benches);
