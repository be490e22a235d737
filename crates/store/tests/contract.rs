//! The contract every [`EventStore`] implementation keeps, written once as specifications
//! (`specs`) and run against SQLite (a temporary file per test) and PostgreSQL (a database
//! of its own per test, `newsroom_test_<uuid>`, on the server at
//! `NEWSROOM_TEST_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`; an
//! unreachable server fails the PostgreSQL tests, it never skips them).

use std::sync::Arc;

use newsroom_store::EventStore;

mod support;

mod specs {
    use std::collections::{BTreeMap, HashSet};
    use std::time::{Duration, Instant};

    use chrono::{SubsecRound, TimeZone, Utc};
    use newsroom_events::{Envelope, EventId, GlobalPosition, StreamId, StreamVersion};
    use newsroom_store::{AppendOutcome, ExpectedVersion, StoreError};
    use serde_json::json;
    use uuid::Uuid;

    use super::*;

    type Store = Arc<dyn EventStore>;

    /// A new event for `stream` (its stream_version is deliberately wrong: the store assigns it).
    fn event(stream: &StreamId, n: u64) -> Envelope {
        Envelope {
            event_id: EventId::random(),
            stream_id: stream.clone(),
            stream_version: StreamVersion(999),
            event_type: "test.happened".to_owned(),
            schema_version: 1,
            occurred_at: Utc::now().trunc_subsecs(6),
            recorded_at: None,
            position: None,
            correlation_id: Uuid::new_v4(),
            causation_id: None,
            source: "newsroom/store-tests".to_owned(),
            payload: json!({ "n": n }),
        }
    }

    fn events(stream: &StreamId, count: u64) -> Vec<Envelope> {
        (0..count).map(|n| event(stream, n)).collect()
    }

    fn appended(version: u64, last_position: u64) -> AppendOutcome {
        AppendOutcome::Appended {
            version: StreamVersion(version),
            last_position: GlobalPosition(last_position),
        }
    }

    fn versions(events: &[Envelope]) -> Vec<u64> {
        events.iter().map(|e| e.stream_version.0).collect()
    }

    fn positions(events: &[Envelope]) -> Vec<u64> {
        events.iter().map(|e| e.position.unwrap().0).collect()
    }

    fn ids(events: &[Envelope]) -> Vec<EventId> {
        events.iter().map(|e| e.event_id).collect()
    }

    pub async fn appending_to_a_new_stream_with_no_stream_numbers_it_from_one(store: Store) {
        // given an empty store
        let stream = StreamId::new("article-1");
        // when three events are appended with NoStream
        let outcome = store
            .append(&stream, ExpectedVersion::NoStream, events(&stream, 3))
            .await;
        // then the stream holds versions 1..3 at positions 1..3
        assert_eq!(outcome.unwrap(), appended(3, 3));
        let stored = store.read_stream(&stream).await.unwrap();
        assert_eq!(versions(&stored), [1, 2, 3]);
        assert_eq!(positions(&stored), [1, 2, 3]);
        assert_eq!(store.head().await.unwrap(), GlobalPosition(3));
    }

    pub async fn appending_at_the_exact_current_version_extends_the_stream(store: Store) {
        // given a stream at version 2
        let stream = StreamId::new("article-1");
        store
            .append(&stream, ExpectedVersion::NoStream, events(&stream, 2))
            .await
            .unwrap();
        // when two more events are appended expecting exactly version 2
        let expected = ExpectedVersion::Exactly(StreamVersion(2));
        let outcome = store.append(&stream, expected, events(&stream, 2)).await;
        // then the stream is at version 4
        assert_eq!(outcome.unwrap(), appended(4, 4));
        assert_eq!(
            versions(&store.read_stream(&stream).await.unwrap()),
            [1, 2, 3, 4]
        );
    }

    pub async fn a_stale_expected_version_is_a_conflict_and_nothing_is_written(store: Store) {
        // given a stream at version 3
        let stream = StreamId::new("claim-1");
        store
            .append(&stream, ExpectedVersion::NoStream, events(&stream, 3))
            .await
            .unwrap();
        let cases = [
            (
                ExpectedVersion::Exactly(StreamVersion(2)),
                Some(StreamVersion(3)),
            ),
            (
                ExpectedVersion::Exactly(StreamVersion(4)),
                Some(StreamVersion(3)),
            ),
            (ExpectedVersion::NoStream, Some(StreamVersion(3))),
        ];
        for (stale, actual_version) in cases {
            // when a writer appends with an expectation the stream no longer meets
            let outcome = store.append(&stream, stale, events(&stream, 2)).await;
            // then it is a conflict naming what was expected and what is
            match outcome {
                Err(StoreError::Conflict {
                    stream: s,
                    expected,
                    actual,
                }) => {
                    assert_eq!(s, stream);
                    assert_eq!(expected, stale);
                    assert_eq!(actual, actual_version);
                }
                other => panic!("expected a conflict for {stale:?}, got {other:?}"),
            }
        }
        // and a stream that does not exist is at no version at all
        let missing = StreamId::new("claim-2");
        let expected = ExpectedVersion::Exactly(StreamVersion(1));
        match store.append(&missing, expected, events(&missing, 1)).await {
            Err(StoreError::Conflict { actual: None, .. }) => {}
            other => panic!("expected a conflict on a missing stream, got {other:?}"),
        }
        // and nothing was written
        assert_eq!(
            versions(&store.read_stream(&stream).await.unwrap()),
            [1, 2, 3]
        );
        assert!(store.read_stream(&missing).await.unwrap().is_empty());
        assert_eq!(store.head().await.unwrap(), GlobalPosition(3));
    }

    pub async fn any_appends_whatever_the_stream_holds(store: Store) {
        // given an empty store
        let stream = StreamId::new("tally-2015-E14000826");
        let other = StreamId::new("article-9");
        // when events are appended with Any to a new stream, then to another, then again
        let first = store
            .append(&stream, ExpectedVersion::Any, events(&stream, 1))
            .await;
        store
            .append(&other, ExpectedVersion::Any, events(&other, 2))
            .await
            .unwrap();
        let second = store
            .append(&stream, ExpectedVersion::Any, events(&stream, 2))
            .await;
        // then each append lands after whatever was there
        assert_eq!(first.unwrap(), appended(1, 1));
        assert_eq!(second.unwrap(), appended(3, 5));
        assert_eq!(
            positions(&store.read_stream(&stream).await.unwrap()),
            [1, 4, 5]
        );
    }

    pub async fn re_appending_the_same_event_ids_is_already_stored_without_duplicates(
        store: Store,
    ) {
        // given a stream holding a batch of two events, and later a third
        let stream = StreamId::new("claim-7");
        let batch = events(&stream, 2);
        store
            .append(&stream, ExpectedVersion::NoStream, batch.clone())
            .await
            .unwrap();
        let expected = ExpectedVersion::Exactly(StreamVersion(2));
        store
            .append(&stream, expected, events(&stream, 1))
            .await
            .unwrap();
        // when the first batch is appended again, with expectations that no longer hold
        for stale in [
            ExpectedVersion::NoStream,
            ExpectedVersion::Exactly(StreamVersion(0)),
            ExpectedVersion::Exactly(StreamVersion(2)),
            ExpectedVersion::Any,
        ] {
            let outcome = store.append(&stream, stale, batch.clone()).await;
            // then it is recognised as a retry
            assert_eq!(
                outcome.unwrap(),
                AppendOutcome::AlreadyStored,
                "retry with {stale:?}"
            );
        }
        // and a retry of part of a batch too
        let outcome = store
            .append(&stream, ExpectedVersion::Any, batch[1..].to_vec())
            .await;
        assert_eq!(outcome.unwrap(), AppendOutcome::AlreadyStored);
        // and no row was duplicated
        let stored = store.read_stream(&stream).await.unwrap();
        assert_eq!(versions(&stored), [1, 2, 3]);
        assert_eq!(&ids(&stored)[..2], &ids(&batch)[..]);
        assert_eq!(
            store
                .read_all_after(GlobalPosition(0), 100)
                .await
                .unwrap()
                .len(),
            3
        );
        assert_eq!(store.head().await.unwrap(), GlobalPosition(3));
    }

    pub async fn an_event_id_stored_in_another_stream_is_a_duplicate(store: Store) {
        // given an event stored in one stream
        let first = StreamId::new("article-1");
        let stored = event(&first, 0);
        store
            .append(&first, ExpectedVersion::NoStream, vec![stored.clone()])
            .await
            .unwrap();
        // when an event with the same id is appended to another stream
        let second = StreamId::new("article-2");
        let copy = Envelope {
            stream_id: second.clone(),
            ..stored.clone()
        };
        let outcome = store
            .append(&second, ExpectedVersion::NoStream, vec![copy])
            .await;
        // then it is a duplicate event id and nothing is written
        match outcome {
            Err(StoreError::DuplicateEventId(id)) => assert_eq!(id, stored.event_id),
            other => panic!("expected a duplicate event id, got {other:?}"),
        }
        assert!(store.read_stream(&second).await.unwrap().is_empty());
        assert_eq!(store.head().await.unwrap(), GlobalPosition(1));
    }

    pub async fn a_batch_only_partly_stored_or_repeating_an_id_is_a_duplicate(store: Store) {
        // given a stream holding one event
        let stream = StreamId::new("article-1");
        let stored = event(&stream, 0);
        store
            .append(&stream, ExpectedVersion::NoStream, vec![stored.clone()])
            .await
            .unwrap();
        // when a batch holding that event and a new one is appended
        let partial = vec![event(&stream, 1), stored.clone()];
        let outcome = store.append(&stream, ExpectedVersion::Any, partial).await;
        // then it is a duplicate event id
        match outcome {
            Err(StoreError::DuplicateEventId(id)) => assert_eq!(id, stored.event_id),
            other => panic!("expected a duplicate event id, got {other:?}"),
        }
        // when a batch names one new id twice
        let twice = event(&stream, 2);
        let outcome = store
            .append(&stream, ExpectedVersion::Any, vec![twice.clone(), twice])
            .await;
        // then that is a duplicate event id too
        assert!(
            matches!(outcome, Err(StoreError::DuplicateEventId(_))),
            "{outcome:?}"
        );
        // and nothing was written
        assert_eq!(versions(&store.read_stream(&stream).await.unwrap()), [1]);
        assert_eq!(store.head().await.unwrap(), GlobalPosition(1));
    }

    pub async fn an_envelope_of_another_stream_in_the_batch_is_refused(store: Store) {
        // given an empty store
        let stream = StreamId::new("article-1");
        let stranger = StreamId::new("article-2");
        // when a batch for one stream carries an envelope of another
        let batch = vec![event(&stream, 0), event(&stranger, 1)];
        let outcome = store.append(&stream, ExpectedVersion::Any, batch).await;
        // then it is refused and nothing is written
        assert!(matches!(outcome, Err(StoreError::MixedStreams(ref s)) if *s == stream));
        assert_eq!(store.head().await.unwrap(), GlobalPosition(0));
    }

    pub async fn read_stream_returns_events_in_version_order_with_store_fields_and_exact_payload(
        store: Store,
    ) {
        // given a stream written in two appends interleaved with another stream, carrying a
        // payload with every kind of JSON value, a causation id and a nanosecond time
        let stream = StreamId::new("article-1");
        let other = StreamId::new("article-2");
        let mut rich = event(&stream, 0);
        rich.payload = json!({
            "text": "Ünïcødé — “quoted”, tab\tnewline\n backslash\\ emoji 🗳️",
            "empty": "",
            "zero": 0,
            "negative": -42,
            "big": u64::MAX,
            "small": i64::MIN,
            "float": 0.1,
            "whole_float": 1.0,
            "tiny": -2.5e-8,
            "flags": [true, false, null],
            "nested": { "list": [1, { "deep": [] }, "x"], "object": {} },
        });
        rich.causation_id = Some(EventId::random());
        rich.schema_version = 3;
        rich.occurred_at = Utc.with_ymd_and_hms(2015, 5, 8, 3, 14, 15).unwrap()
            + chrono::Duration::nanoseconds(123_456_789);
        let mut sent = vec![rich, event(&stream, 1)];
        let before = Utc::now() - chrono::Duration::seconds(5);
        store
            .append(&stream, ExpectedVersion::NoStream, sent.clone())
            .await
            .unwrap();
        store
            .append(&other, ExpectedVersion::NoStream, events(&other, 1))
            .await
            .unwrap();
        let more = events(&stream, 2);
        let expected = ExpectedVersion::Exactly(StreamVersion(2));
        store.append(&stream, expected, more.clone()).await.unwrap();
        sent.extend(more);
        let after = Utc::now() + chrono::Duration::seconds(5);

        // when the stream is read
        let read = store.read_stream(&stream).await.unwrap();

        // then it comes in version order with the positions and record times the store set
        assert_eq!(versions(&read), [1, 2, 3, 4]);
        assert_eq!(positions(&read), [1, 2, 4, 5]);
        for event in &read {
            let recorded_at = event.recorded_at.expect("recorded_at is set");
            assert!(
                before <= recorded_at && recorded_at <= after,
                "{recorded_at}"
            );
        }
        // and everything else as it was sent, times to the microsecond
        for (got, mut want) in read.into_iter().zip(sent) {
            want.occurred_at = want.occurred_at.trunc_subsecs(6);
            let want = Envelope {
                stream_version: got.stream_version,
                recorded_at: got.recorded_at,
                position: got.position,
                ..want
            };
            assert_eq!(got, want);
        }
        // and a stream never written to reads empty
        assert!(store
            .read_stream(&StreamId::new("article-3"))
            .await
            .unwrap()
            .is_empty());
    }

    pub async fn read_all_after_pages_through_the_global_order(store: Store) {
        // given ten events appended to three streams, interleaved
        let streams = [StreamId::new("a"), StreamId::new("b"), StreamId::new("c")];
        let mut sent = Vec::new();
        for (round, count) in [(0, 2), (1, 1), (2, 3), (0, 1), (1, 2), (2, 1)] {
            let stream = &streams[round];
            let batch = events(stream, count);
            store
                .append(stream, ExpectedVersion::Any, batch.clone())
                .await
                .unwrap();
            sent.extend(batch);
        }
        // when a follower reads pages of three from the start
        let mut pages = Vec::new();
        let mut last = GlobalPosition(0);
        loop {
            let page = store.read_all_after(last, 3).await.unwrap();
            pages.push(positions(&page));
            match page.last() {
                Some(event) => last = event.position.unwrap(),
                None => break,
            }
        }
        // then it gets every event once, in append order
        assert_eq!(
            pages,
            [
                vec![1, 2, 3],
                vec![4, 5, 6],
                vec![7, 8, 9],
                vec![10],
                vec![]
            ]
        );
        let all = store.read_all_after(GlobalPosition(0), 100).await.unwrap();
        assert_eq!(ids(&all), ids(&sent));
        // and reads start right after the position given, up to the limit
        let middle = store.read_all_after(GlobalPosition(4), 2).await.unwrap();
        assert_eq!(positions(&middle), [5, 6]);
        assert!(store
            .read_all_after(GlobalPosition(0), 0)
            .await
            .unwrap()
            .is_empty());
        assert!(store
            .read_all_after(GlobalPosition(10), 5)
            .await
            .unwrap()
            .is_empty());
        assert!(store
            .read_all_after(GlobalPosition(u64::MAX), 5)
            .await
            .unwrap()
            .is_empty());
    }

    pub async fn head_is_zero_when_empty_then_the_last_position(store: Store) {
        // given an empty store, then then it is at 0
        assert_eq!(store.head().await.unwrap(), GlobalPosition(0));
        // when two streams get events
        let (a, b) = (StreamId::new("a"), StreamId::new("b"));
        store
            .append(&a, ExpectedVersion::NoStream, events(&a, 2))
            .await
            .unwrap();
        store
            .append(&b, ExpectedVersion::NoStream, events(&b, 3))
            .await
            .unwrap();
        // then the head is the last position
        assert_eq!(store.head().await.unwrap(), GlobalPosition(5));
    }

    pub async fn checkpoints_default_to_zero_and_saving_overwrites(store: Store) {
        // given no checkpoint saved, then it loads as 0
        assert_eq!(
            store.load_checkpoint("relay").await.unwrap(),
            GlobalPosition(0)
        );
        // when one is saved, then it loads back
        store
            .save_checkpoint("relay", GlobalPosition(7))
            .await
            .unwrap();
        assert_eq!(
            store.load_checkpoint("relay").await.unwrap(),
            GlobalPosition(7)
        );
        // when it is saved again, forward or back, then the last save wins
        store
            .save_checkpoint("relay", GlobalPosition(12))
            .await
            .unwrap();
        assert_eq!(
            store.load_checkpoint("relay").await.unwrap(),
            GlobalPosition(12)
        );
        store
            .save_checkpoint("relay", GlobalPosition(3))
            .await
            .unwrap();
        assert_eq!(
            store.load_checkpoint("relay").await.unwrap(),
            GlobalPosition(3)
        );
        // and other names are their own checkpoints
        assert_eq!(
            store.load_checkpoint("projection").await.unwrap(),
            GlobalPosition(0)
        );
        store
            .save_checkpoint("projection", GlobalPosition(1))
            .await
            .unwrap();
        assert_eq!(
            store.load_checkpoint("relay").await.unwrap(),
            GlobalPosition(3)
        );
        // and a position beyond what the store can hold is refused, keeping the old one
        let outcome = store
            .save_checkpoint("relay", GlobalPosition(u64::MAX))
            .await;
        assert!(
            matches!(outcome, Err(StoreError::OutOfRange { .. })),
            "{outcome:?}"
        );
        assert_eq!(
            store.load_checkpoint("relay").await.unwrap(),
            GlobalPosition(3)
        );
    }

    pub async fn wait_for_append_wakes_when_an_event_is_appended(store: Store) {
        // given a poller waiting for anything after the head, with a long timeout
        let head = store.head().await.unwrap();
        let waiter = tokio::spawn({
            let store = store.clone();
            async move {
                let started = Instant::now();
                store.wait_for_append(head, Duration::from_secs(30)).await;
                started.elapsed()
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !waiter.is_finished(),
            "the poller woke up with nothing appended"
        );
        // when an event is appended
        let stream = StreamId::new("article-1");
        store
            .append(&stream, ExpectedVersion::NoStream, events(&stream, 1))
            .await
            .unwrap();
        // then the poller wakes long before its timeout
        let waited = tokio::time::timeout(Duration::from_secs(5), waiter).await;
        assert!(waited.expect("the poller did not wake").unwrap() < Duration::from_secs(5));
        // and a poller that is behind returns at once
        let started = Instant::now();
        store
            .wait_for_append(GlobalPosition(0), Duration::from_secs(30))
            .await;
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    pub async fn wait_for_append_returns_at_the_timeout_when_nothing_is_appended(store: Store) {
        // given a store where nothing is appended
        let started = Instant::now();
        // when a poller waits with a short timeout
        store
            .wait_for_append(GlobalPosition(0), Duration::from_millis(100))
            .await;
        // then it returns after the timeout, not before and not much later
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(100), "{waited:?}");
        assert!(waited < Duration::from_secs(5), "{waited:?}");
    }

    /// Reads the global order from the start until it has `total` events, one page at a
    /// time after the last position seen, failing as soon as a position is skipped.
    async fn follow(store: Store, total: usize) -> Vec<Envelope> {
        let mut seen: Vec<Envelope> = Vec::with_capacity(total);
        let mut last = GlobalPosition(0);
        let deadline = Instant::now() + Duration::from_secs(60);
        while seen.len() < total {
            assert!(
                Instant::now() < deadline,
                "saw {} of {total} events",
                seen.len()
            );
            let page = store.read_all_after(last, 7).await.unwrap();
            if page.is_empty() {
                store.wait_for_append(last, Duration::from_millis(20)).await;
            }
            for event in page {
                let position = event.position.unwrap();
                assert_eq!(
                    position.0,
                    last.0 + 1,
                    "after position {} the follower got {}: an event was skipped",
                    last.0,
                    position.0
                );
                last = position;
                seen.push(event);
            }
        }
        seen
    }

    pub async fn concurrent_writers_never_make_a_follower_skip_an_event(store: Store) {
        const WRITERS: u64 = 16;
        const PER_WRITER: u64 = 25;
        const FOLLOWERS: usize = 4;
        let total = (WRITERS * PER_WRITER) as usize;

        // given followers that keep reading after the last position they saw, checking that
        // every position they get is the one right after the last
        let followers: Vec<_> = (0..FOLLOWERS)
            .map(|_| tokio::spawn(follow(store.clone(), total)))
            .collect();

        // when 16 writers each append 25 events, one at a time, to their own streams
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let store = store.clone();
                tokio::spawn(async move {
                    let stream = StreamId::new(format!("writer-{w}"));
                    for version in 0..PER_WRITER {
                        let expected = match version {
                            0 => ExpectedVersion::NoStream,
                            v => ExpectedVersion::Exactly(StreamVersion(v)),
                        };
                        let batch = vec![event(&stream, version)];
                        match store.append(&stream, expected, batch).await.unwrap() {
                            AppendOutcome::Appended { version: v, .. } => {
                                assert_eq!(v, StreamVersion(version + 1))
                            }
                            AppendOutcome::AlreadyStored => panic!("new events already stored"),
                        }
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.await.unwrap();
        }

        // then every follower saw every event exactly once, all in the same order
        let mut views = Vec::new();
        for follower in followers {
            let view = tokio::time::timeout(Duration::from_secs(60), follower)
                .await
                .expect("a follower did not catch up")
                .unwrap();
            views.push(view);
        }
        let seen = views.pop().unwrap();
        for view in views {
            assert_eq!(ids(&view), ids(&seen));
        }
        assert_eq!(
            seen.iter()
                .map(|e| e.event_id)
                .collect::<HashSet<_>>()
                .len(),
            total
        );
        // and each stream's events in version order
        let mut by_stream: BTreeMap<StreamId, Vec<u64>> = BTreeMap::new();
        for event in &seen {
            by_stream
                .entry(event.stream_id.clone())
                .or_default()
                .push(event.stream_version.0);
        }
        assert_eq!(by_stream.len(), WRITERS as usize);
        for (stream, versions) in by_stream {
            assert_eq!(versions, (1..=PER_WRITER).collect::<Vec<_>>(), "{stream}");
        }
        // and exactly what a reader arriving afterwards sees
        assert_eq!(store.head().await.unwrap(), GlobalPosition(total as u64));
        assert_eq!(
            store
                .read_all_after(GlobalPosition(0), total + 1)
                .await
                .unwrap(),
            seen
        );
    }
}

/// Instantiates every spec once per implementation: `sqlite::<spec>` and `postgres::<spec>`.
macro_rules! contract {
    ($($spec:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $spec() {
                    crate::support::sqlite(crate::specs::$spec).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $spec() {
                    crate::support::postgres(crate::specs::$spec).await;
                }
            )*
        }
    };
}

contract!(
    appending_to_a_new_stream_with_no_stream_numbers_it_from_one,
    appending_at_the_exact_current_version_extends_the_stream,
    a_stale_expected_version_is_a_conflict_and_nothing_is_written,
    any_appends_whatever_the_stream_holds,
    re_appending_the_same_event_ids_is_already_stored_without_duplicates,
    an_event_id_stored_in_another_stream_is_a_duplicate,
    a_batch_only_partly_stored_or_repeating_an_id_is_a_duplicate,
    an_envelope_of_another_stream_in_the_batch_is_refused,
    read_stream_returns_events_in_version_order_with_store_fields_and_exact_payload,
    read_all_after_pages_through_the_global_order,
    head_is_zero_when_empty_then_the_last_position,
    checkpoints_default_to_zero_and_saving_overwrites,
    wait_for_append_wakes_when_an_event_is_appended,
    wait_for_append_returns_at_the_timeout_when_nothing_is_appended,
    concurrent_writers_never_make_a_follower_skip_an_event,
);
