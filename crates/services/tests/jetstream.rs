//! The services in JetStream mode against the real NATS server (a namespace of its own per
//! test, its streams deleted at the end) and real stores. An unreachable NATS or PostgreSQL
//! server fails these tests; they never skip.

mod support;

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use newsroom_bus::{Bus, ConsumerSpec, DeadLetter, Deliveries, StreamKind};
use newsroom_events::{ArticleSubmitted, ClaimChecked, ClaimsExtracted, EventId, GlobalPosition};
use newsroom_services::{
    connect_bus, results, run_all, run_ingest, BusFeed, CancellationToken, Feed, NatsConfig, Relay,
    ServeConfig,
};
use newsroom_store::{EventStore, ExpectedVersion};
use support::*;

async fn bus(namespace: &str) -> Bus {
    let nats = NatsConfig {
        namespace: namespace.to_owned(),
        ..NatsConfig::new(nats_url())
    };
    connect_bus(&nats, "newsroom/tests")
        .await
        .unwrap_or_else(|e| {
            panic!(
                "NATS must be running at {} for these tests: {e}",
                nats_url()
            )
        })
}

async fn next_within(
    deliveries: &mut Deliveries,
    wait: Duration,
) -> Option<newsroom_bus::Delivery> {
    tokio::time::timeout(wait, deliveries.next())
        .await
        .ok()
        .flatten()
        .map(|d| d.unwrap())
}

async fn messages_in(bus: &Bus, kind: StreamKind) -> u64 {
    let mut stream = bus
        .jetstream()
        .get_stream(bus.stream_name(kind))
        .await
        .unwrap();
    stream.info().await.unwrap().state.messages
}

#[tokio::test]
async fn the_relay_publishes_every_stored_event_once_even_when_it_starts_over() {
    with_sqlite(|store, _| async move {
        let bus = bus(&fresh_namespace()).await;
        // Given three stored events
        for envelope in [
            tally_envelope(holborn_2015()),
            article_envelope("a", "A."),
            article_envelope("b", "B."),
        ] {
            store
                .append(
                    &envelope.stream_id.clone(),
                    ExpectedVersion::Any,
                    vec![envelope],
                )
                .await
                .unwrap();
        }

        // When the relay runs until idle
        let mut relay = Relay::open(store.clone(), bus.clone()).await.unwrap();
        assert_eq!(relay.run_until_idle().await.unwrap(), 3);

        // Then each is on the events stream under its type's subject, checkpointed
        assert_eq!(messages_in(&bus, StreamKind::Events).await, 3);
        assert_eq!(
            store.load_checkpoint(Relay::CHECKPOINT).await.unwrap(),
            GlobalPosition(3)
        );
        let ns = bus.namespace().as_str().to_owned();
        let mut articles = bus
            .consumer("probe", &format!("{ns}.events.article.submitted"), 1)
            .await
            .unwrap();
        for expected in ["article-a", "article-b"] {
            let d = next_within(&mut articles, Duration::from_secs(5))
                .await
                .expect("an article");
            let envelope = newsroom_events::Envelope::from_slice(&d.payload).unwrap();
            assert_eq!(envelope.stream_id.as_str(), expected);
            assert_eq!(d.msg_id, Some(envelope.event_id.to_string()));
            d.ack().await.unwrap();
        }

        // When it starts over from nothing (a crash before the checkpoint was saved)
        store
            .save_checkpoint(Relay::CHECKPOINT, GlobalPosition(0))
            .await
            .unwrap();
        let mut restarted = Relay::open(store.clone(), bus.clone()).await.unwrap();
        assert_eq!(restarted.run_until_idle().await.unwrap(), 3);

        // Then the server dropped every repeat
        assert_eq!(messages_in(&bus, StreamKind::Events).await, 3);
        bus.delete_streams().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn ingest_stores_valid_submissions_and_dead_letters_the_rest_without_retrying_them() {
    with_sqlite(|store, _| async move {
        let ns = fresh_namespace();
        let bus = bus(&ns).await;
        let shutdown = CancellationToken::new();
        let ingest = tokio::spawn(run_ingest(store.clone(), bus.clone(), shutdown.clone()));

        // Given a valid article, bytes that are no envelope, and an event producers may not submit
        let article = article_envelope("ok", ARTICLE_BODY);
        bus.submit(&article).await.unwrap();
        bus.submit(&article).await.unwrap(); // a producer's retry
        bus.publish(
            &format!("{ns}.inbox.article.submitted"),
            EventId::random(),
            b"{garbage".to_vec(),
        )
        .await
        .unwrap();
        let derived = claims_extracted(&article, "ok", vec![]);
        bus.submit(&derived).await.unwrap();

        // Then two dead letters arrive, with their reasons
        let mut letters = bus
            .consumer("audit", &format!("{ns}.deadletter.>"), 1)
            .await
            .unwrap();
        let mut reasons = Vec::new();
        for _ in 0..2 {
            let d = next_within(&mut letters, Duration::from_secs(15))
                .await
                .expect("a dead letter");
            assert_eq!(d.subject, format!("{ns}.deadletter.ingest"));
            let letter: DeadLetter = serde_json::from_slice(&d.payload).unwrap();
            assert_eq!(letter.service, "ingest");
            reasons.push((letter.subject, letter.reason));
            d.ack().await.unwrap();
        }
        reasons.sort();
        assert!(
            reasons[0].0.ends_with(".inbox.article.submitted")
                && reasons[0].1.contains("not a JSON event envelope"),
            "{reasons:?}"
        );
        assert!(
            reasons[1].0.ends_with(".inbox.claims.extracted")
                && reasons[1].1.contains("cannot be submitted"),
            "{reasons:?}"
        );

        // And the valid article is stored once
        let stored = store.read_stream(&article.stream_id).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].event_id, article.event_id);

        // And nothing is redelivered: the consumer has nothing pending
        shutdown.cancel();
        ingest.await.unwrap().unwrap();
        let consumer = bus
            .jetstream()
            .get_stream(bus.stream_name(StreamKind::Inbox))
            .await
            .unwrap();
        let info = consumer.consumer_info("ingest").await.unwrap();
        assert_eq!(info.num_ack_pending, 0);
        assert_eq!(info.num_pending, 0);
        assert!(next_within(&mut letters, Duration::from_secs(1))
            .await
            .is_none());
        bus.delete_streams().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_bus_feed_redelivers_a_retried_message_and_dead_letters_it_after_max_deliver() {
    let ns = fresh_namespace();
    let bus = bus(&ns).await;
    let article = article_envelope("stuck", "Stuck.");
    bus.publish_event(&article).await.unwrap();
    let spec = ConsumerSpec {
        max_deliver: 2,
        ..ConsumerSpec::new("stuck", format!("{ns}.events.>"), 2)
    };
    let mut feed = BusFeed::open(bus.clone(), "extractor", spec)
        .await
        .unwrap()
        .with_idle_wait(Duration::from_secs(5));

    // When handling fails twice for a reason that may pass
    let first = feed.next().await.unwrap().expect("first delivery");
    assert_eq!(first.delivered_count, 1);
    feed.retry(first, Duration::from_millis(100), "store unreachable")
        .await
        .unwrap();
    let second = feed.next().await.unwrap().expect("redelivery");
    assert_eq!(second.delivered_count, 2);
    feed.retry(second, Duration::from_millis(100), "store unreachable")
        .await
        .unwrap();

    // Then it is dead-lettered with the reason and not delivered again
    let mut letters = bus
        .consumer("audit", &format!("{ns}.deadletter.>"), 1)
        .await
        .unwrap();
    let d = next_within(&mut letters, Duration::from_secs(5))
        .await
        .expect("a dead letter");
    let letter: DeadLetter = serde_json::from_slice(&d.payload).unwrap();
    assert_eq!(
        letter.reason,
        "gave up after 2 deliveries: store unreachable"
    );
    assert_eq!(
        newsroom_events::Envelope::from_slice(letter.original.as_bytes()).unwrap(),
        article
    );
    assert!(feed.next().await.unwrap().is_none());
    bus.delete_streams().await.unwrap();
}

#[tokio::test]
async fn given_producers_on_the_inbox_when_every_service_runs_on_jetstream_with_postgres_then_claims_are_checked(
) {
    with_postgres(|database_url| async move {
        // Given all four services running on JetStream over a PostgreSQL store
        let ns = fresh_namespace();
        let producer = bus(&ns).await;
        let nats = NatsConfig {
            namespace: ns.clone(),
            ..NatsConfig::new(nats_url())
        };
        let shutdown = CancellationToken::new();
        let serving = tokio::spawn(run_all(
            ServeConfig::jetstream(database_url.clone(), nats),
            shutdown.clone(),
        ));

        // When a producer submits an official result and an article
        producer
            .submit(&tally_envelope(holborn_2015()))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        producer
            .submit(&article_envelope("e2e", ARTICLE_BODY))
            .await
            .unwrap();

        // Then the claims are extracted and checked in the store
        let store: Arc<dyn EventStore> = newsroom_store::connect(&database_url).await.unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let claims = loop {
            let extracted = stored_of_type(store.as_ref(), ClaimsExtracted::TYPE).await;
            let claims: usize = extracted
                .iter()
                .map(|e| match e.decode().unwrap() {
                    newsroom_events::Event::ClaimsExtracted(x) => x.claims.len(),
                    _ => 0,
                })
                .sum();
            let checked = stored_of_type(store.as_ref(), ClaimChecked::TYPE)
                .await
                .len();
            if !extracted.is_empty() && claims > 0 && checked == claims {
                break claims;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "pipeline did not finish: {} extracted, {checked} checked",
                extracted.len()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(
            results(store.as_ref(), Some("e2e")).await.unwrap().len(),
            claims
        );
        assert_eq!(
            stored_of_type(store.as_ref(), ArticleSubmitted::TYPE)
                .await
                .len(),
            1
        );

        // And every stored event reached the events stream (the relay caught up)
        let head = store.head().await.unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while messages_in(&producer, StreamKind::Events).await < head.0 {
            assert!(
                std::time::Instant::now() < deadline,
                "relay did not catch up"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // And on shutdown every service stops cleanly
        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(15), serving)
            .await
            .expect("stopped in time")
            .unwrap()
            .unwrap();
        producer.delete_streams().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn given_every_service_on_jetstream_with_postgres_when_croydon_south_is_corrected_then_the_rechecks_reach_the_store_and_the_bus(
) {
    use newsroom_claims::{Claimed, Kind, Outcome, Verdict};
    use newsroom_events::{Event, TallyCorrected, TallyDeclared, VerdictChanged};
    use newsroom_services::{claim_history, correct, tally_declared_event, Correction};
    use newsroom_tally::{PartyCode, Votes, Year};

    with_postgres(|database_url| async move {
        // Given all four services on JetStream over PostgreSQL
        let ns = fresh_namespace();
        let producer = bus(&ns).await;
        let nats = NatsConfig {
            namespace: ns.clone(),
            ..NatsConfig::new(nats_url())
        };
        let shutdown = CancellationToken::new();
        let serving = tokio::spawn(run_all(
            ServeConfig::jetstream(database_url.clone(), nats),
            shutdown.clone(),
        ));
        let store: Arc<dyn EventStore> = newsroom_store::connect(&database_url).await.unwrap();
        let mut changes = producer
            .consumer("probe", &format!("{ns}.events.{}", VerdictChanged::TYPE), 1)
            .await
            .unwrap();

        // And Croydon South as declared on the night, submitted on the inbox
        producer
            .submit(&tally_declared_event(
                croydon_south_as_declared(),
                "test/results-feed",
            ))
            .await
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while stored_of_type(store.as_ref(), TallyDeclared::TYPE)
            .await
            .is_empty()
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the declaration was not stored"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // And claims about it, extracted and checked
        let seat = || {
            newsroom_claims::Scope::Constituency(
                newsroom_tally::ConstituencyId::parse(CROYDON_SOUTH).unwrap(),
            )
        };
        let mut benn = claim("croydon", 0, Kind::Votes, seat(), number(14_038));
        benn.candidate = Some("Emily Benn".into());
        let majority = claim("croydon", 1, Kind::Majority, seat(), number(17_410));
        let mut winner = claim("croydon", 2, Kind::Outcome, seat(), number(0));
        winner.claimed = Claimed::Outcome(Outcome::Party(PartyCode::new("Con")));
        let claims = vec![benn.clone(), majority.clone(), winner];
        let extraction =
            claims_extracted(&article_envelope("croydon", "Croydon."), "croydon", claims);
        store
            .append(
                &extraction.stream_id.clone(),
                ExpectedVersion::Any,
                vec![extraction],
            )
            .await
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while stored_of_type(store.as_ref(), ClaimChecked::TYPE)
            .await
            .len()
            < 3
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the claims were not checked"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // When the correction is published on the inbox (as `tallies correct --nats` does)
        let corrected = correct(
            store.as_ref(),
            &producer,
            &Correction {
                election: Year(2015),
                constituency: CROYDON_SOUTH.into(),
                candidate: "Emily Benn".into(),
                votes: Votes(14_308),
                reason: "Electoral Commission correction of 31 July 2015".into(),
            },
            "test/results-feed",
        )
        .await
        .unwrap();
        assert_eq!(corrected.envelope.event_type, TallyCorrected::TYPE);

        // Then the two verdict changes arrive on the bus, caused by the correction
        let mut arrived = Vec::new();
        for _ in 0..2 {
            let d = next_within(&mut changes, Duration::from_secs(30))
                .await
                .expect("a verdict change on the bus");
            let envelope = newsroom_events::Envelope::from_slice(&d.payload).unwrap();
            assert_eq!(envelope.causation_id, Some(corrected.envelope.event_id));
            let Event::VerdictChanged(change) = envelope.decode().unwrap() else {
                panic!("verdict.changed")
            };
            arrived.push((change.claim_id, change.from, change.to));
            d.ack().await.unwrap();
        }
        arrived.sort_by(|a, b| a.0.cmp(&b.0));
        let mut expected = vec![
            (
                benn.claim_id.clone(),
                Verdict::Accurate,
                Verdict::Inaccurate,
            ),
            (
                majority.claim_id.clone(),
                Verdict::Accurate,
                Verdict::Inaccurate,
            ),
        ];
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(arrived, expected);
        assert!(next_within(&mut changes, Duration::from_secs(1))
            .await
            .is_none());
        // And the store holds the claim's history: right when published, wrong now
        let history = claim_history(store.as_ref(), &benn.claim_id).await.unwrap();
        assert_eq!(
            history.verdicts(),
            [(Verdict::Accurate, Some(1)), (Verdict::Inaccurate, Some(2))]
        );

        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(15), serving)
            .await
            .expect("stopped in time")
            .unwrap()
            .unwrap();
        producer.delete_streams().await.unwrap();
    })
    .await;
}
