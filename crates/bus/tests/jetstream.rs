//! The transport against the real NATS server (127.0.0.1:4222, or `NEWSROOM_TEST_NATS_URL`).
//! Every test works in a namespace of its own and deletes its streams at the end, so tests
//! run in parallel on one server. If the server is unreachable, the tests fail: they never
//! skip.

use std::time::Duration;

use futures::StreamExt;
use newsroom_bus::{
    Bus, BusError, BusOptions, ConsumerSpec, DeadLetter, Deliveries, Delivery, StreamKind,
    DEAD_LETTER_REASON_HEADER,
};
use newsroom_events::{ArticleSubmitted, Envelope, Event, EventId, StreamVersion};

fn nats_url() -> String {
    std::env::var("NEWSROOM_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

fn fresh_namespace() -> String {
    format!("t{}", uuid::Uuid::new_v4().simple())
}

async fn bus_in(namespace: &str) -> Bus {
    let bus = Bus::connect(&nats_url(), namespace)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "NATS must be running at {} for these tests: {e}",
                nats_url()
            )
        });
    bus.ensure_streams().await.expect("streams are created");
    bus
}

async fn next_within(deliveries: &mut Deliveries, wait: Duration) -> Option<Delivery> {
    match tokio::time::timeout(wait, deliveries.next()).await {
        Ok(Some(delivery)) => Some(delivery.expect("a delivery, not an error")),
        Ok(None) => panic!("the delivery stream ended"),
        Err(_) => None,
    }
}

fn article(id: &str) -> Envelope {
    let event = Event::ArticleSubmitted(ArticleSubmitted {
        article_id: id.into(),
        body: format!("Body of {id}."),
        published: None,
    });
    Envelope::new(&event, StreamVersion(1), "test", EventId::random())
}

fn quick(durable: &str, filter: String) -> ConsumerSpec {
    ConsumerSpec {
        ack_wait: Duration::from_secs(2),
        expires: Duration::from_secs(2),
        ..ConsumerSpec::new(durable, filter, 5)
    }
}

#[tokio::test]
async fn ensure_streams_creates_the_three_namespace_streams_and_is_idempotent() {
    // Given a fresh namespace
    let ns = fresh_namespace();
    let bus = bus_in(&ns).await;

    // When the streams are ensured again, by a second connection too
    bus.ensure_streams().await.expect("second ensure succeeds");
    bus_in(&ns).await;

    // Then each stream exists with its subjects and a duplicate window
    for (kind, token) in [
        (StreamKind::Inbox, "inbox"),
        (StreamKind::Events, "events"),
        (StreamKind::DeadLetter, "deadletter"),
    ] {
        let name = bus.stream_name(kind);
        assert_eq!(
            name,
            format!("{}_{}", ns.to_uppercase(), token.to_uppercase())
        );
        let mut stream = bus
            .jetstream()
            .get_stream(&name)
            .await
            .expect("stream exists");
        let info = stream.info().await.expect("stream info");
        assert_eq!(info.config.subjects, vec![format!("{ns}.{token}.>")]);
        assert_eq!(
            info.config.duplicate_window,
            newsroom_bus::DEFAULT_DUPLICATE_WINDOW
        );
        assert_eq!(info.config.num_replicas, 1);
    }
    bus.delete_streams().await.unwrap();
}

#[tokio::test]
async fn a_message_published_twice_with_one_msg_id_is_stored_once() {
    // Given a namespace's streams
    let bus = bus_in(&fresh_namespace()).await;
    let envelope = article("dedup");

    // When the same event is published twice
    let first = bus.publish_event(&envelope).await.unwrap();
    let second = bus.publish_event(&envelope).await.unwrap();

    // Then the server stored it once and said the second was a duplicate
    assert!(!first.duplicate);
    assert!(second.duplicate);
    assert_eq!(first.sequence, second.sequence);
    let mut stream = bus
        .jetstream()
        .get_stream(bus.stream_name(StreamKind::Events))
        .await
        .unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 1);

    // And a different id on the same content is another message
    let third = bus
        .publish(
            &envelope.subject(bus.namespace().as_str()),
            EventId::random(),
            "x".as_bytes().to_vec(),
        )
        .await
        .unwrap();
    assert!(!third.duplicate);
    assert_eq!(third.sequence, first.sequence + 1);
    bus.delete_streams().await.unwrap();
}

#[tokio::test]
async fn events_go_to_the_events_subject_and_submissions_to_the_inbox() {
    let ns = fresh_namespace();
    let bus = bus_in(&ns).await;
    let envelope = article("subjects");

    let published = bus.publish_event(&envelope).await.unwrap();
    let submitted = bus.submit(&envelope).await.unwrap();

    assert_eq!(published.stream, bus.stream_name(StreamKind::Events));
    assert_eq!(submitted.stream, bus.stream_name(StreamKind::Inbox));
    let mut inbox = bus
        .consumer("reader", &format!("{ns}.inbox.>"), 3)
        .await
        .unwrap();
    let delivery = next_within(&mut inbox, Duration::from_secs(5))
        .await
        .expect("the submission");
    assert_eq!(delivery.subject, format!("{ns}.inbox.article.submitted"));
    assert_eq!(
        delivery.msg_id.as_deref(),
        Some(envelope.event_id.to_string().as_str())
    );
    assert_eq!(Envelope::from_slice(&delivery.payload).unwrap(), envelope);
    delivery.ack().await.unwrap();
    bus.delete_streams().await.unwrap();
}

#[tokio::test]
async fn a_durable_consumer_resumes_after_reconnect_without_redelivering_acked_messages() {
    let ns = fresh_namespace();
    let subject = format!("{ns}.events.article.submitted");
    // Given two messages consumed and acknowledged by a durable consumer
    {
        let bus = bus_in(&ns).await;
        let (a, b) = (article("a"), article("b"));
        bus.publish_event(&a).await.unwrap();
        bus.publish_event(&b).await.unwrap();
        let mut deliveries = bus
            .consumer_with(quick("resumer", subject.clone()))
            .await
            .unwrap();
        for expected in [&a, &b] {
            let d = next_within(&mut deliveries, Duration::from_secs(5))
                .await
                .expect("a delivery");
            assert_eq!(
                Envelope::from_slice(&d.payload).unwrap().event_id,
                expected.event_id
            );
            assert_eq!(d.delivered_count, 1);
            d.ack().await.unwrap();
        }
        // (the connection closes here)
    }

    // When a third message is published and the consumer reconnects under the same name
    let bus = bus_in(&ns).await;
    let c = article("c");
    bus.publish_event(&c).await.unwrap();
    let mut deliveries = bus.consumer_with(quick("resumer", subject)).await.unwrap();

    // Then only the third message is delivered
    let d = next_within(&mut deliveries, Duration::from_secs(10))
        .await
        .expect("the third message");
    assert_eq!(
        Envelope::from_slice(&d.payload).unwrap().event_id,
        c.event_id
    );
    d.ack().await.unwrap();
    assert!(next_within(&mut deliveries, Duration::from_secs(3))
        .await
        .is_none());
    bus.delete_streams().await.unwrap();
}

#[tokio::test]
async fn an_unacknowledged_delivery_comes_back_after_the_ack_wait() {
    // Given a delivery that is neither acked nor nakked
    let ns = fresh_namespace();
    let bus = bus_in(&ns).await;
    let a = article("slow");
    bus.publish_event(&a).await.unwrap();
    let mut deliveries = bus
        .consumer_with(quick("forgetful", format!("{ns}.events.>")))
        .await
        .unwrap();
    let first = next_within(&mut deliveries, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(first.delivered_count, 1);

    // When the ack wait (2 s) passes, then it is delivered again
    let again = next_within(&mut deliveries, Duration::from_secs(6))
        .await
        .expect("a redelivery");
    assert_eq!(again.msg_id, first.msg_id);
    assert_eq!(again.delivered_count, 2);
    again.ack().await.unwrap();
    bus.delete_streams().await.unwrap();
}

#[tokio::test]
async fn a_nakked_message_comes_back_and_a_termed_one_does_not() {
    // Given two messages
    let ns = fresh_namespace();
    let bus = bus_in(&ns).await;
    let (retry, poison) = (article("retry"), article("poison"));
    bus.publish_event(&retry).await.unwrap();
    bus.publish_event(&poison).await.unwrap();
    let mut deliveries = bus
        .consumer_with(quick("judge", format!("{ns}.events.>")))
        .await
        .unwrap();

    // When the first is nakked and the second terminated
    let d1 = next_within(&mut deliveries, Duration::from_secs(5))
        .await
        .unwrap();
    let d2 = next_within(&mut deliveries, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(
        d1.msg_id.as_deref(),
        Some(retry.event_id.to_string().as_str())
    );
    d1.nak(Some(Duration::from_millis(200))).await.unwrap();
    d2.term().await.unwrap();

    // Then the nakked one comes back with a higher delivery count, and nothing else does
    let back = next_within(&mut deliveries, Duration::from_secs(5))
        .await
        .expect("the nakked message");
    assert_eq!(back.msg_id, d1.msg_id);
    assert_eq!(back.delivered_count, 2);
    back.ack().await.unwrap();
    assert!(next_within(&mut deliveries, Duration::from_secs(3))
        .await
        .is_none());
    bus.delete_streams().await.unwrap();
}

#[tokio::test]
async fn a_message_is_not_delivered_more_than_max_deliver_times() {
    let ns = fresh_namespace();
    let bus = bus_in(&ns).await;
    bus.publish_event(&article("hopeless")).await.unwrap();
    let spec = ConsumerSpec {
        max_deliver: 2,
        ..quick("bounded", format!("{ns}.events.>"))
    };
    let mut deliveries = bus.consumer_with(spec).await.unwrap();

    for attempt in 1..=2 {
        let d = next_within(&mut deliveries, Duration::from_secs(5))
            .await
            .expect("a delivery");
        assert_eq!(d.delivered_count, attempt);
        d.nak(None).await.unwrap();
    }
    assert!(next_within(&mut deliveries, Duration::from_secs(3))
        .await
        .is_none());
    bus.delete_streams().await.unwrap();
}

#[tokio::test]
async fn a_dead_letter_carries_the_service_subject_reason_and_original() {
    // Given a message a service could not decode
    let ns = fresh_namespace();
    let bus = bus_in(&ns).await;
    let original = b"{not json".to_vec();
    let subject = format!("{ns}.inbox.article.submitted");

    // When it is dead-lettered (twice, as after a crash before the delivery was terminated)
    let first = bus
        .dead_letter(
            "ingest",
            &subject,
            "not a JSON event envelope\nat line 1",
            &original,
        )
        .await
        .unwrap();
    let second = bus
        .dead_letter(
            "ingest",
            &subject,
            "not a JSON event envelope\nat line 1",
            &original,
        )
        .await
        .unwrap();

    // Then one dead letter is stored, on the service's dead-letter subject
    assert_eq!(first.stream, bus.stream_name(StreamKind::DeadLetter));
    assert!(second.duplicate);
    let mut letters = bus
        .consumer("audit", &format!("{ns}.deadletter.>"), 1)
        .await
        .unwrap();
    let d = next_within(&mut letters, Duration::from_secs(5))
        .await
        .expect("the dead letter");
    assert_eq!(d.subject, format!("{ns}.deadletter.ingest"));
    let letter: DeadLetter = serde_json::from_slice(&d.payload).unwrap();
    assert_eq!(letter.service, "ingest");
    assert_eq!(letter.subject, subject);
    assert_eq!(letter.reason, "not a JSON event envelope\nat line 1");
    assert_eq!(letter.original, "{not json");
    assert_eq!(letter.original_len, original.len());
    // And it carries a message id, which is how the second publish was deduplicated
    assert!(d.msg_id.is_some());
    d.ack().await.unwrap();
    assert!(next_within(&mut letters, Duration::from_secs(2))
        .await
        .is_none());
    bus.delete_streams().await.unwrap();
}

#[tokio::test]
async fn the_dead_letter_reason_header_is_a_single_line() {
    let ns = fresh_namespace();
    let bus = bus_in(&ns).await;
    bus.dead_letter("checker", "x.y", "bad\r\npayload", b"\xff\xfe")
        .await
        .unwrap();
    let stream = bus
        .jetstream()
        .get_stream(bus.stream_name(StreamKind::DeadLetter))
        .await
        .unwrap();
    let raw = stream.get_raw_message(1).await.unwrap();
    let headers = raw.headers;
    assert_eq!(
        headers.get(DEAD_LETTER_REASON_HEADER).map(|v| v.as_str()),
        Some("bad  payload")
    );
    let letter: DeadLetter = serde_json::from_slice(&raw.payload).unwrap();
    assert_eq!(letter.original, "\u{fffd}\u{fffd}");
    bus.delete_streams().await.unwrap();
}

#[tokio::test]
async fn a_consumer_outside_the_namespace_streams_is_refused() {
    let ns = fresh_namespace();
    let bus = bus_in(&ns).await;
    let err = bus
        .consumer("stray", "elsewhere.events.>", 3)
        .await
        .unwrap_err();
    assert!(matches!(err, BusError::ForeignSubject { .. }), "{err}");
    let err = bus
        .consumer("bad.name", &format!("{ns}.events.>"), 3)
        .await
        .unwrap_err();
    assert!(matches!(err, BusError::InvalidToken { .. }), "{err}");
    let err = bus
        .consumer("zero", &format!("{ns}.events.>"), 0)
        .await
        .unwrap_err();
    assert!(matches!(err, BusError::InvalidMaxDeliver), "{err}");
    bus.delete_streams().await.unwrap();
}

#[tokio::test]
async fn replicas_and_duplicate_window_are_configurable() {
    let ns = fresh_namespace();
    let options = BusOptions {
        duplicate_window: Duration::from_secs(30),
        ..BusOptions::new(nats_url(), &ns)
    };
    let bus = Bus::connect_with(options).await.unwrap();
    bus.ensure_streams().await.unwrap();
    let mut stream = bus
        .jetstream()
        .get_stream(bus.stream_name(StreamKind::Events))
        .await
        .unwrap();
    assert_eq!(
        stream.info().await.unwrap().config.duplicate_window,
        Duration::from_secs(30)
    );
    bus.delete_streams().await.unwrap();
}

#[tokio::test]
async fn connecting_to_a_server_that_is_not_there_fails_with_a_connect_error() {
    let err = Bus::connect("nats://127.0.0.1:1", "t").await.unwrap_err();
    assert!(matches!(err, BusError::Connect { .. }), "{err}");
}
