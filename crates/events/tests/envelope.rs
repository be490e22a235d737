//! The envelope and payload contract: given an event, when it is wrapped, sent as JSON and read
//! back, then it is the same event; bad input is a typed error, never a panic.

use chrono::NaiveDate;
use newsroom_events::{
    subjects, ArticleSubmitted, DecodeError, Envelope, Event, EventId, StreamVersion, EVENT_TYPES,
};

fn article() -> Event {
    Event::ArticleSubmitted(ArticleSubmitted {
        article_id: "002_d4610d365ca6d503.txt".into(),
        body: "Ed Balls lost his seat by 422 votes.".into(),
        published: NaiveDate::from_ymd_opt(2015, 5, 8),
    })
}

#[test]
fn given_an_event_when_wrapped_and_sent_as_json_then_it_reads_back_the_same() {
    let env = Envelope::new(&article(), StreamVersion(1), "cms", EventId::random());
    let bytes = serde_json::to_vec(&env).unwrap();
    let back = Envelope::from_slice(&bytes).unwrap();
    assert_eq!(back, env);
    assert_eq!(back.decode().unwrap(), article());
    assert_eq!(back.stream_id.as_str(), "article-002_d4610d365ca6d503.txt");
    assert_eq!(
        back.subject("newsroom"),
        "newsroom.events.article.submitted"
    );
}

#[test]
fn given_a_cause_when_deriving_then_the_id_is_deterministic_and_the_chain_is_kept() {
    let cause = Envelope::new(&article(), StreamVersion(1), "cms", EventId::random());
    let a = Envelope::derived(
        &article(),
        StreamVersion(2),
        "newsroom/extractor",
        &cause,
        "claims.extracted",
    );
    let b = Envelope::derived(
        &article(),
        StreamVersion(2),
        "newsroom/extractor",
        &cause,
        "claims.extracted",
    );
    let c = Envelope::derived(
        &article(),
        StreamVersion(2),
        "newsroom/extractor",
        &cause,
        "other",
    );
    assert_eq!(a.event_id, b.event_id);
    assert_ne!(a.event_id, c.event_id);
    assert_eq!(a.causation_id, Some(cause.event_id));
    assert_eq!(a.correlation_id, cause.correlation_id);
}

#[test]
fn given_the_same_content_then_the_same_producer_id() {
    assert_eq!(
        EventId::from_content("article", b"x"),
        EventId::from_content("article", b"x")
    );
    assert_ne!(
        EventId::from_content("article", b"x"),
        EventId::from_content("tally", b"x")
    );
}

#[test]
fn given_an_envelope_then_its_cloudevent_carries_the_required_attributes() {
    let env = Envelope::new(&article(), StreamVersion(1), "cms", EventId::random());
    let ce = env.to_cloudevent();
    assert_eq!(ce["specversion"], "1.0");
    assert_eq!(ce["id"], env.event_id.to_string());
    assert_eq!(ce["source"], "cms");
    assert_eq!(ce["type"], "org.newsroom.article.submitted");
    assert_eq!(ce["subject"], env.stream_id.as_str());
    assert!(ce["time"].as_str().is_some_and(|t| t.contains('T')));
    assert_eq!(ce["data"], env.payload);
}

#[test]
fn given_bytes_that_are_not_an_envelope_then_a_typed_error() {
    for bad in [
        &b"not json"[..],
        b"{}",
        b"{\"event_id\": 5}",
        &[0xff, 0xfe, 0x00],
    ] {
        assert!(matches!(
            Envelope::from_slice(bad),
            Err(DecodeError::Envelope(_))
        ));
    }
}

#[test]
fn given_an_unknown_type_or_a_future_schema_then_a_typed_error() {
    let mut env = Envelope::new(&article(), StreamVersion(1), "cms", EventId::random());
    env.schema_version = 7;
    assert!(matches!(
        env.decode(),
        Err(DecodeError::SchemaVersion { version: 7, .. })
    ));
    env.schema_version = 0;
    assert!(matches!(
        env.decode(),
        Err(DecodeError::SchemaVersion { version: 0, .. })
    ));
    env.schema_version = 1;
    env.event_type = "article.deleted".into();
    assert!(matches!(env.decode(), Err(DecodeError::UnknownType(_))));
}

#[test]
fn given_a_payload_missing_a_field_then_a_payload_error_naming_the_type() {
    let mut env = Envelope::new(&article(), StreamVersion(1), "cms", EventId::random());
    env.payload = serde_json::json!({"article_id": "x"});
    match env.decode() {
        Err(DecodeError::Payload { event_type, .. }) => assert_eq!(event_type, "article.submitted"),
        other => panic!("expected a payload error, got {other:?}"),
    }
}

#[test]
fn every_event_type_has_a_distinct_name_and_a_json_schema() {
    let mut names: Vec<&str> = EVENT_TYPES.iter().map(|t| t.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), EVENT_TYPES.len());
    for t in EVENT_TYPES {
        let schema = serde_json::to_value((t.schema)()).unwrap();
        assert!(
            schema.get("properties").is_some() || schema.get("oneOf").is_some(),
            "{}: {schema}",
            t.name
        );
    }
}

#[test]
fn subjects_live_under_their_namespace() {
    assert_eq!(
        subjects::inbox("t1", "tally.declared"),
        "t1.inbox.tally.declared"
    );
    assert_eq!(
        subjects::event("t1", "claim.checked"),
        "t1.events.claim.checked"
    );
    assert_eq!(
        subjects::dead_letter("t1", "ingest"),
        "t1.deadletter.ingest"
    );
}
