//! Hostile producers against the real servers: a corpus of bad messages (made here by a
//! generator, not kept in files) is sent to the inbox of a NATS namespace of its own while
//! every service runs on JetStream over a PostgreSQL database of its own. Each bad message
//! must end as one dead letter with a clear reason and one count in the metrics, or, where
//! it is only hostile to a careless reader (SQL, HTML, escape sequences), be stored exactly
//! as it came; no service may fail or stall, and the valid messages behind them must be
//! extracted and checked. An unreachable NATS or PostgreSQL fails these tests.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use newsroom_bus::{Bus, DeadLetter, Deliveries, StreamKind};
use newsroom_claims::{ClaimId, Kind};
use newsroom_events::{
    ClaimChecked, ClaimsExtracted, Envelope, Event, EventId, ReviewDecided, ReviewDecision,
    StreamVersion,
};
use newsroom_services::decide::{self, MAX_ARTICLE_BODY_BYTES, MAX_EVENT_BYTES};
use newsroom_services::{
    connect_bus, metrics, run_all, tally_corrected_event, CancellationToken, NatsConfig,
    RejectionKind, ServeConfig, ServiceKind,
};
use newsroom_store::EventStore;
use newsroom_tally::{ConstituencyId, PartyCode, Votes};
use serde_json::{json, Value};
use support::*;

/// Held by the tests that count in the process-wide metrics, so that they count alone.
static METRICS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What must become of one hostile message.
#[derive(Debug, Clone, PartialEq)]
enum Fate {
    /// Dead-lettered by ingest, counted under the kind, the reason holding the text.
    DeadLetter(RejectionKind, &'static str),
    /// Stored byte for byte as data: hostile only to a careless reader.
    Stored,
    /// A replay of a stored submission: acknowledged, nothing appended, counted as a replay.
    Replay,
}

/// One message of the corpus: its bytes, the inbox subject token it is sent on (after
/// `<ns>.inbox.`) and what must become of it.
#[derive(Debug, Clone)]
struct Hostile {
    name: &'static str,
    subject: String,
    bytes: Vec<u8>,
    fate: Fate,
}

fn hostile(name: &'static str, subject: &str, bytes: impl Into<Vec<u8>>, fate: Fate) -> Hostile {
    Hostile {
        name,
        subject: subject.to_owned(),
        bytes: bytes.into(),
        fate,
    }
}

const ARTICLE: &str = "article.submitted";
const TALLY: &str = "tally.declared";

fn dead(kind: RejectionKind, reason: &'static str) -> Fate {
    Fate::DeadLetter(kind, reason)
}

fn value(envelope: &Envelope) -> Value {
    serde_json::to_value(envelope).unwrap()
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// `value` with the member at `pointer` (a JSON pointer) set to `new`.
fn set(mut value: Value, pointer: &str, new: Value) -> Value {
    *value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} is in the envelope")) = new;
    value
}

/// `value` without the member at `pointer`.
fn remove(mut value: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = if parent.is_empty() {
        &mut value
    } else {
        value.pointer_mut(parent).unwrap()
    };
    parent.as_object_mut().unwrap().remove(key).unwrap();
    value
}

/// A producer's article as JSON, with its own id.
fn article(id: &str, body: &str) -> Value {
    value(&article_envelope(id, body))
}

/// A result for a seat of its own (`E14999xxx`), valid until a test breaks it.
fn tally(seat: u32) -> Value {
    let mut result = holborn_2015();
    result.id = ConstituencyId::parse(&format!("E14999{seat:03}")).unwrap();
    value(&tally_envelope(result))
}

/// The bytes of `value` with the JSON number `placeholder` written as `raw` instead
/// (numbers and tokens `serde_json::Value` cannot hold).
fn with_raw_number(value: &Value, placeholder: u64, raw: &str) -> Vec<u8> {
    let text = serde_json::to_string(value).unwrap();
    let needle = placeholder.to_string();
    assert_eq!(text.matches(&needle).count(), 1, "one {needle}");
    text.replace(&needle, raw).into_bytes()
}

/// The SQL-and-HTML article: stored as data, replayed, and its id reused below.
fn sql_article() -> Value {
    let mut value = article(
        "x'); DROP TABLE events; --<b>",
        &format!(
            "<script>alert('x')</script> '; DELETE FROM events WHERE '1'='1 -- {ARTICLE_BODY}"
        ),
    );
    value["source"] = json!("<img src=x onerror=alert(1)>'; DROP TABLE checkpoints; --");
    value
}

/// The corpus. Every message is distinct (so no dead letter is deduplicated away).
fn corpus() -> Vec<Hostile> {
    use RejectionKind::*;
    let base = article("hostile", "Nothing to see.");
    let valid = bytes(&base);
    let sql = sql_article();
    let corpus = vec![
        // Truncated and invalid JSON
        hostile(
            "empty message",
            ARTICLE,
            Vec::new(),
            dead(NotAnEnvelope, "not a JSON event envelope"),
        ),
        hostile(
            "invalid JSON",
            ARTICLE,
            b"{garbage".to_vec(),
            dead(NotAnEnvelope, "not a JSON event envelope"),
        ),
        hostile(
            "truncated in half",
            ARTICLE,
            valid[..valid.len() / 2].to_vec(),
            dead(NotAnEnvelope, "EOF"),
        ),
        hostile(
            "truncated by one byte",
            ARTICLE,
            valid[..valid.len() - 1].to_vec(),
            dead(NotAnEnvelope, "EOF"),
        ),
        hostile(
            "JSON null",
            ARTICLE,
            b"null".to_vec(),
            dead(NotAnEnvelope, "invalid type: null"),
        ),
        hostile(
            "JSON array",
            ARTICLE,
            b"[1,2,3]".to_vec(),
            dead(NotAnEnvelope, "not a JSON event envelope"),
        ),
        hostile(
            "JSON string",
            ARTICLE,
            b"\"article\"".to_vec(),
            dead(NotAnEnvelope, "invalid type: string"),
        ),
        hostile(
            "trailing garbage",
            ARTICLE,
            [valid.as_slice(), b" and more"].concat(),
            dead(NotAnEnvelope, "trailing characters"),
        ),
        hostile(
            "nested 100,000 deep",
            ARTICLE,
            format!(
                "{{\"payload\":{}{}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            dead(NotAnEnvelope, "recursion limit"),
        ),
        // Wrong or future schema versions, unknown types
        hostile(
            "future schema version",
            ARTICLE,
            bytes(&set(base.clone(), "/schema_version", json!(2))),
            dead(SchemaVersion, "unsupported schema version 2"),
        ),
        hostile(
            "schema version 0",
            ARTICLE,
            bytes(&set(base.clone(), "/schema_version", json!(0))),
            dead(SchemaVersion, "unsupported schema version 0"),
        ),
        hostile(
            "schema version beyond u32",
            ARTICLE,
            bytes(&set(
                base.clone(),
                "/schema_version",
                json!(4_294_967_296u64),
            )),
            dead(NotAnEnvelope, "u32"),
        ),
        hostile(
            "negative schema version",
            ARTICLE,
            bytes(&set(base.clone(), "/schema_version", json!(-1))),
            dead(NotAnEnvelope, "invalid value"),
        ),
        hostile(
            "unknown event type",
            "article.submitted.v2",
            bytes(&set(
                base.clone(),
                "/event_type",
                json!("article.submitted.v2"),
            )),
            dead(UnknownType, "unknown event type"),
        ),
        // Missing fields
        hostile(
            "no event id",
            ARTICLE,
            bytes(&remove(base.clone(), "/event_id")),
            dead(NotAnEnvelope, "missing field `event_id`"),
        ),
        hostile(
            "no payload",
            ARTICLE,
            bytes(&remove(base.clone(), "/payload")),
            dead(NotAnEnvelope, "missing field `payload`"),
        ),
        hostile(
            "an article without a body",
            ARTICLE,
            bytes(&remove(base.clone(), "/payload/body")),
            dead(InvalidPayload, "missing field `body`"),
        ),
        hostile(
            "a result without candidates",
            TALLY,
            bytes(&remove(tally(1), "/payload/result/candidates")),
            dead(InvalidPayload, "missing field `candidates`"),
        ),
        hostile(
            "a payload that is a string",
            ARTICLE,
            bytes(&set(base.clone(), "/payload", json!("body"))),
            dead(InvalidPayload, "does not match its schema"),
        ),
        // Huge bodies (20 MB is refused to the producer: see the test below)
        hostile(
            "an article body over 512 KiB",
            ARTICLE,
            bytes(&article(
                "huge-body",
                &"a".repeat(MAX_ARTICLE_BODY_BYTES + 1),
            )),
            dead(TooLarge, "article body is 524289 bytes"),
        ),
        hostile(
            "a message over 1,000,000 bytes",
            ARTICLE,
            bytes(&article("huge-message", &"b".repeat(1_030_000))),
            dead(TooLarge, "the message is 10"),
        ),
        hostile(
            "an event that JSON inflates past the bound",
            ARTICLE,
            {
                // 150,000 × `1e15` is 750 KB; written back it is `1000000000000000.0` each
                let mut text = serde_json::to_string(&article("inflated", "Inflated.")).unwrap();
                let numbers = vec!["1e15"; 150_000].join(",");
                let at = text.find("\"payload\":{").unwrap() + "\"payload\":{".len();
                text.insert_str(at, &format!("\"padding\":[{numbers}],"));
                text.into_bytes()
            },
            dead(TooLarge, "the event is"),
        ),
        // Invalid UTF-8
        hostile(
            "an invalid UTF-8 byte",
            ARTICLE,
            with_byte(&valid, "Nothing", 0xFF),
            dead(NotAnEnvelope, ""),
        ),
        hostile(
            "an overlong UTF-8 sequence",
            ARTICLE,
            [
                &valid[..valid.len() - 30],
                &[0xC0, 0xAF],
                &valid[valid.len() - 30..],
            ]
            .concat(),
            dead(NotAnEnvelope, ""),
        ),
        hostile(
            "a lone surrogate escape",
            ARTICLE,
            String::from_utf8(valid.clone())
                .unwrap()
                .replace("Nothing", "\\ud800Nothing")
                .into_bytes(),
            dead(NotAnEnvelope, "hex escape"),
        ),
        // Control characters
        hostile(
            "a raw control character in a string",
            ARTICLE,
            String::from_utf8(valid.clone())
                .unwrap()
                .replace("Nothing", "\u{1}Nothing")
                .into_bytes(),
            dead(NotAnEnvelope, "control character"),
        ),
        hostile(
            "a bell in the article id",
            ARTICLE,
            bytes(&article("bell\u{7}", "Ding.")),
            dead(InvalidField, "article id \"bell\\u{7}\""),
        ),
        hostile(
            "U+0000 in the body",
            ARTICLE,
            bytes(&article("nul-body", "Null\u{0}byte.")),
            dead(InvalidField, "U+0000"),
        ),
        hostile(
            "U+0000 in an unknown field's name",
            ARTICLE,
            bytes(&{
                let mut v = base.clone();
                v["payload"]["x\u{0}y"] = json!(1);
                v
            }),
            dead(InvalidField, "U+0000"),
        ),
        hostile(
            "a line break in the source",
            ARTICLE,
            bytes(&set(
                article("source-break", "Source."),
                "/source",
                json!("cms\nINFO forged log line"),
            )),
            dead(InvalidField, "source holds control characters"),
        ),
        hostile(
            "a tab in a candidate's name",
            TALLY,
            bytes(&set(
                tally(2),
                "/payload/result/candidates/0/name",
                json!("Keir\tStarmer"),
            )),
            dead(InvalidField, "candidate name holds control characters"),
        ),
        hostile(
            "escape sequences in the body",
            ARTICLE,
            bytes(&article(
                "escapes",
                &format!("\u{1b}[31mRed\u{1b}[0m \u{7}\u{c} {ARTICLE_BODY}"),
            )),
            Fate::Stored,
        ),
        // SQL and HTML in every text field: data, stored as it came
        hostile(
            "SQL and HTML in every article field",
            ARTICLE,
            bytes(&sql),
            Fate::Stored,
        ),
        hostile(
            "SQL and HTML in every result field",
            TALLY,
            bytes(&sql_result()),
            Fate::Stored,
        ),
        hostile(
            "SQL and HTML in a correction's reason",
            "tally.corrected",
            bytes(&value(&tally_corrected_event(
                serde_json::from_value(sql_result()["payload"]["result"].clone()).unwrap(),
                "<b>recount</b>'); UPDATE events SET payload = '{}'; --",
                "<i>results</i>",
            ))),
            Fate::Stored,
        ),
        // Duplicate and replayed ids (a same Nats-Msg-Id is dropped by the server: below)
        hostile(
            "a replay under another message id",
            ARTICLE,
            bytes(&sql),
            Fate::Replay,
        ),
        hostile(
            "a reused id with other content",
            ARTICLE,
            bytes(&set(sql.clone(), "/payload/body", json!("Other words."))),
            dead(IdReused, "stored already with other content"),
        ),
        hostile(
            "a reused id in another stream",
            ARTICLE,
            bytes(&set(
                set(sql.clone(), "/payload/article_id", json!("thief")),
                "/stream_id",
                json!("article-thief"),
            )),
            dead(RefusedByStore, "stored already"),
        ),
        // Absurd numbers
        hostile(
            "negative votes",
            TALLY,
            bytes(&set(
                tally(3),
                "/payload/result/candidates/0/votes",
                json!(-1),
            )),
            dead(InvalidPayload, "invalid value"),
        ),
        hostile(
            "1e308 votes",
            TALLY,
            bytes(&set(
                tally(4),
                "/payload/result/candidates/0/votes",
                json!(1e308),
            )),
            dead(InvalidPayload, "invalid type: floating point"),
        ),
        hostile(
            "votes beyond u64",
            TALLY,
            with_raw_number(
                &set(
                    tally(5),
                    "/payload/result/candidates/0/votes",
                    json!(987_654_321u64),
                ),
                987_654_321,
                "18446744073709551616",
            ),
            dead(InvalidPayload, "invalid type: floating point"),
        ),
        hostile(
            "NaN votes",
            TALLY,
            with_raw_number(
                &set(
                    tally(6),
                    "/payload/result/candidates/0/votes",
                    json!(987_654_321u64),
                ),
                987_654_321,
                "NaN",
            ),
            dead(NotAnEnvelope, "expected value"),
        ),
        hostile(
            "votes as the text NaN",
            TALLY,
            bytes(&set(
                tally(7),
                "/payload/result/candidates/0/votes",
                json!("NaN"),
            )),
            dead(InvalidPayload, "invalid type: string"),
        ),
        hostile(
            "u64::MAX votes",
            TALLY,
            bytes(&set(
                tally(8),
                "/payload/result/candidates/0/votes",
                json!(u64::MAX),
            )),
            dead(
                ImplausibleResult,
                "18446744073709551615 votes, more than the",
            ),
        ),
        hostile(
            "valid and invalid votes that overflow",
            TALLY,
            bytes(&set(
                set(tally(9), "/payload/result/valid_votes", json!(u64::MAX)),
                "/payload/result/invalid_votes",
                json!(1),
            )),
            dead(ImplausibleResult, "more than the electorate"),
        ),
        hostile(
            "an electorate of 0",
            TALLY,
            bytes(&set(tally(10), "/payload/result/electorate", json!(0))),
            dead(ImplausibleResult, "an electorate of 0"),
        ),
        hostile(
            "an electorate of a trillion",
            TALLY,
            bytes(&set(
                tally(11),
                "/payload/result/electorate",
                json!(1_000_000_000_000u64),
            )),
            dead(ImplausibleResult, "an electorate of 1000000000000"),
        ),
        hostile(
            "votes that do not add up",
            TALLY,
            bytes(&set(
                tally(12),
                "/payload/result/valid_votes",
                json!(54_385),
            )),
            dead(ImplausibleResult, "add up to 54384"),
        ),
        hostile(
            "candidates out of order",
            TALLY,
            bytes(&set(
                tally(13),
                "/payload/result/candidates/0/votes",
                json!(1),
            )),
            dead(ImplausibleResult, "descending order"),
        ),
        hostile(
            "200 candidates",
            TALLY,
            bytes(&two_hundred_candidates()),
            dead(ImplausibleResult, "200 candidates"),
        ),
        hostile(
            "election year 65535",
            TALLY,
            bytes(&set(
                set(tally(14), "/payload/result/election", json!(65_535)),
                "/stream_id",
                json!("tally-65535-E14999014"),
            )),
            dead(InvalidField, "election 65535 is not in the years"),
        ),
        hostile(
            "election year beyond u16",
            TALLY,
            bytes(&set(tally(15), "/payload/result/election", json!(70_000))),
            dead(InvalidPayload, "invalid value"),
        ),
        hostile(
            "occurred in the year 9999",
            ARTICLE,
            bytes(&set(
                article("far-future", "Later."),
                "/occurred_at",
                json!("9999-12-31T23:59:59Z"),
            )),
            dead(InvalidField, "occurred_at 9999-12-31"),
        ),
        hostile(
            "published in the year 1",
            ARTICLE,
            bytes(&set(
                article("year-one", "Early."),
                "/payload/published",
                json!("0001-01-01"),
            )),
            dead(InvalidField, "published 0001-01-01"),
        ),
        hostile(
            "stream version u64::MAX",
            ARTICLE,
            bytes(&set(
                article("version-max", ARTICLE_BODY),
                "/stream_version",
                json!(u64::MAX),
            )),
            Fate::Stored,
        ),
        // Wrong subjects
        hostile(
            "an article on the tally subject",
            TALLY,
            bytes(&article("misrouted", "Misrouted.")),
            dead(SubjectMismatch, "belongs on"),
        ),
        hostile(
            "an article on a made-up subject",
            "made.up.subject",
            bytes(&article("made-up", "Made up.")),
            dead(SubjectMismatch, "belongs on"),
        ),
        hostile(
            "extracted claims from a producer",
            "claims.extracted",
            bytes(&value(&claims_extracted(
                &article_envelope("forged", "Forged."),
                "forged",
                vec![majority_claim("forged", 0)],
            ))),
            dead(NotSubmittable, "cannot be submitted by producers"),
        ),
        hostile(
            "a review decision from a producer",
            "review.decided",
            bytes(&value(&forged_review())),
            dead(NotSubmittable, "cannot be submitted by producers"),
        ),
        // Envelope and payload streams that disagree
        hostile(
            "an article in another article's stream",
            ARTICLE,
            bytes(&set(
                article("mallory", "Mine."),
                "/stream_id",
                json!("article-victim"),
            )),
            dead(StreamMismatch, "belongs to stream article-mallory"),
        ),
        hostile(
            "a result in another election's stream",
            TALLY,
            bytes(&set(tally(16), "/stream_id", json!("tally-2010-E14999016"))),
            dead(StreamMismatch, "belongs to stream tally-2015-E14999016"),
        ),
        // Stored, and too many claims for the bus: the extractor dead-letters it
        hostile(
            "an article of a thousand claims in one run-on sentence",
            ARTICLE,
            bytes(&article("thousand-claims", &thousand_claims())),
            Fate::Stored,
        ),
        hostile(
            "a long article that is fine",
            ARTICLE,
            bytes(&article("long-read", &long_read())),
            Fate::Stored,
        ),
    ];
    corpus
}

/// `valid` with the first byte of `word` replaced by `byte`.
fn with_byte(valid: &[u8], word: &str, byte: u8) -> Vec<u8> {
    let at = String::from_utf8_lossy(valid).find(word).unwrap();
    let mut bytes = valid.to_vec();
    bytes[at] = byte;
    bytes
}

/// A result of its own seat with SQL and HTML in every text.
fn sql_result() -> Value {
    let mut result = holborn_2015();
    result.id = ConstituencyId::parse("E14999100").unwrap();
    result.name = "<b>Bobby Tables</b>'); DROP TABLE events; --".into();
    result.county = "<script>document.cookie</script>".into();
    result.region = "' OR '1'='1".into();
    for (i, candidate) in result.candidates.iter_mut().enumerate() {
        candidate.name = format!("<img src=x onerror=alert({i})> Robert'); DROP TABLE events;--");
        candidate.first_name = "<svg onload=alert(1)>".into();
        candidate.surname = format!("O'Brien{i}\"; --");
        candidate.party = PartyCode::new(format!("<i>P{i}</i>"));
        candidate.party_name = "'; TRUNCATE checkpoints; --".into();
    }
    value(&tally_envelope(result))
}

fn two_hundred_candidates() -> Value {
    let mut result = holborn_2015();
    result.id = ConstituencyId::parse("E14999017").unwrap();
    let template = result.candidates[0].clone();
    result.candidates = (0..200)
        .map(|i| {
            let mut c = template.clone();
            c.name = format!("Candidate {i}");
            c.votes = Votes(1);
            c
        })
        .collect();
    result.valid_votes = Votes(200);
    value(&tally_envelope(result))
}

fn forged_review() -> Envelope {
    let claim_id = ClaimId::derive("forged", (0, 1), Kind::Majority, 0);
    let event = Event::ReviewDecided(ReviewDecided {
        claim_id,
        decision: ReviewDecision::Confirm,
        reason: Some("trust me".into()),
        by: "mallory".into(),
    });
    Envelope::new(&event, StreamVersion(1), "mallory", EventId::random())
}

/// One run-on sentence of a thousand majorities: each a claim quoting its (bounded)
/// sentence, more than the bus carries as one `claims.extracted`.
fn thousand_claims() -> String {
    (0..1000)
        .map(|i| {
            format!(
                "Keir Starmer won Holborn and St Pancras for Labour with a majority of {} and ",
                17_000 + i
            )
        })
        .collect()
}

/// About 400 KB of prose and one paragraph of claims.
fn long_read() -> String {
    let filler =
        "The queues at polling stations were short and the weather was mild, officials said. ";
    format!("{}\n{ARTICLE_BODY}", filler.repeat(4_700))
}

async fn bus(namespace: &str) -> Bus {
    let nats = NatsConfig {
        namespace: namespace.to_owned(),
        ..NatsConfig::new(nats_url())
    };
    connect_bus(&nats, "newsroom/tests/hostile")
        .await
        .unwrap_or_else(|e| panic!("NATS must be running at {}: {e}", nats_url()))
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

/// Every claim extracted so far and how many `claim.checked` are stored.
async fn claims_and_checks(store: &dyn EventStore) -> (Vec<(String, usize)>, usize) {
    let extracted = stored_of_type(store, ClaimsExtracted::TYPE)
        .await
        .into_iter()
        .map(|e| match e.decode().unwrap() {
            Event::ClaimsExtracted(x) => (x.article_id, x.claims.len()),
            other => panic!("{other:?}"),
        })
        .collect();
    let checked = stored_of_type(store, ClaimChecked::TYPE).await.len();
    (extracted, checked)
}

#[test]
fn the_corpus_generator_makes_distinct_messages_of_every_kind_a_producer_can_cause() {
    let corpus = corpus();
    // Every message but the replay is distinct (so no dead letter is deduplicated away),
    // and every name
    let sent: Vec<&Hostile> = corpus.iter().filter(|h| h.fate != Fate::Replay).collect();
    for (i, a) in sent.iter().enumerate() {
        for b in &sent[i + 1..] {
            assert!(
                a.subject != b.subject || a.bytes != b.bytes,
                "{} = {}",
                a.name,
                b.name
            );
        }
    }
    let names: std::collections::BTreeSet<&str> = corpus.iter().map(|h| h.name).collect();
    assert_eq!(names.len(), corpus.len());
    assert!(corpus.len() >= 60, "{}", corpus.len());
    // And every kind of rejection a producer can cause is exercised
    let kinds: std::collections::BTreeSet<RejectionKind> = corpus
        .iter()
        .filter_map(|h| match h.fate {
            Fate::DeadLetter(kind, _) => Some(kind),
            _ => None,
        })
        .collect();
    let producer_kinds: std::collections::BTreeSet<RejectionKind> = RejectionKind::ALL
        .into_iter()
        .filter(|k| !matches!(k, RejectionKind::WrongType | RejectionKind::GaveUp))
        .collect();
    assert_eq!(kinds, producer_kinds);
    // And the big ones fit under NATS's max_payload, the inflated one only before parsing
    assert!(corpus.iter().all(|h| h.bytes.len() < 1_048_576 - 1_024));
    assert!(corpus.iter().any(|h| h.bytes.len() > MAX_EVENT_BYTES));
}

#[test]
fn every_official_result_of_2010_and_2015_passes_the_ingest_checks() {
    // Given the House of Commons Library results, as a results feed would submit them
    for year in [2010, 2015] {
        for result in hoc_results(year) {
            let name = result.name.clone();
            // Then ingest accepts each one
            let envelope = tally_envelope(result);
            if let Err(rejection) = decide::on_submission(&envelope) {
                panic!("{year} {name}: {rejection}");
            }
        }
    }
}

#[tokio::test]
async fn a_producer_gets_an_error_for_a_20_mb_message_and_its_connection_goes_on() {
    // Given a producer connected to NATS with its default max_payload of 1 MiB
    let ns = fresh_namespace();
    let bus = bus(&ns).await;
    assert_eq!(bus.max_payload(), 1_048_576);

    // When it submits an article of 20 MB
    let huge = article_envelope("twenty-megabytes", &"x".repeat(20 * 1024 * 1024));
    let error = bus.submit(&huge).await.unwrap_err();

    // Then it is told the message is too large, and nothing reached the inbox
    assert!(error.is_too_large(), "{error}");
    assert!(
        error
            .to_string()
            .contains("larger than the NATS server accepts"),
        "{error}"
    );
    // And the same for raw bytes one past the limit
    let error = bus
        .publish(
            &format!("{ns}.inbox.article.submitted"),
            EventId::random(),
            vec![b' '; 1_048_577],
        )
        .await
        .unwrap_err();
    assert!(error.is_too_large(), "{error}");
    // And its connection goes on: a valid article is stored on the inbox
    let published = bus
        .submit(&article_envelope("after", ARTICLE_BODY))
        .await
        .unwrap();
    assert_eq!(published.sequence, 1);
    // And a subject beside the inbox is no stream's: the publish fails rather than vanishes
    assert!(bus
        .publish(
            &format!("{ns}.inboxes.article.submitted"),
            EventId::random(),
            b"{}".to_vec()
        )
        .await
        .is_err());
    let mut inbox = bus
        .jetstream()
        .get_stream(bus.stream_name(StreamKind::Inbox))
        .await
        .unwrap();
    assert_eq!(inbox.info().await.unwrap().state.messages, 1);
    bus.delete_streams().await.unwrap();
}

#[tokio::test]
async fn given_every_service_on_jetstream_when_producers_send_the_hostile_corpus_then_each_is_dead_lettered_or_stored_as_data_and_the_valid_ones_are_checked(
) {
    with_postgres(|database_url| async move {
        let _counting = METRICS.lock().await;
        let started = Instant::now();
        let corpus = corpus();
        let before = metrics().snapshot();

        // Given every service running on JetStream over PostgreSQL
        let ns = fresh_namespace();
        let producer = bus(&ns).await;
        let shutdown = CancellationToken::new();
        let nats = NatsConfig {
            namespace: ns.clone(),
            ..NatsConfig::new(nats_url())
        };
        let serving = tokio::spawn(run_all(
            ServeConfig::jetstream(database_url.clone(), nats),
            shutdown.clone(),
        ));
        let store: Arc<dyn EventStore> = newsroom_store::connect(&database_url).await.unwrap();
        let mut letters = producer
            .consumer("audit", &format!("{ns}.deadletter.>"), 1)
            .await
            .unwrap();

        // And the official result of Holborn, submitted as a results feed does
        producer
            .submit(&tally_envelope(holborn_2015()))
            .await
            .unwrap();
        // And a valid article before the storm, whose exact repeat the server drops
        let before_storm = article_envelope("before-the-storm", ARTICLE_BODY);
        assert!(!producer.submit(&before_storm).await.unwrap().duplicate);
        assert!(producer.submit(&before_storm).await.unwrap().duplicate);

        // When producers send every hostile message, each with a message id of its own
        for h in &corpus {
            producer
                .publish(
                    &format!("{ns}.inbox.{}", h.subject),
                    EventId::random(),
                    h.bytes.clone(),
                )
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", h.name));
        }
        // And a valid article after the storm
        let after_storm = article_envelope("after-the-storm", ARTICLE_BODY);
        producer.submit(&after_storm).await.unwrap();

        // Then each message that must be refused arrives as one dead letter from ingest,
        // with its reason
        let expected: Vec<&Hostile> = corpus
            .iter()
            .filter(|h| matches!(h.fate, Fate::DeadLetter(..)))
            .collect();
        let mut from_ingest: Vec<DeadLetter> = Vec::new();
        let mut from_extractor: Vec<DeadLetter> = Vec::new();
        while from_ingest.len() < expected.len() || from_extractor.is_empty() {
            let Some(d) = next_within(&mut letters, Duration::from_secs(30)).await else {
                panic!(
                    "{} of {} dead letters from ingest and {} from the extractor came",
                    from_ingest.len(),
                    expected.len(),
                    from_extractor.len()
                );
            };
            let letter: DeadLetter = serde_json::from_slice(&d.payload).unwrap();
            d.ack().await.unwrap();
            match letter.service.as_str() {
                "ingest" => from_ingest.push(letter),
                "extractor" => from_extractor.push(letter),
                other => panic!("a dead letter from {other}: {letter:?}"),
            }
        }
        for h in &expected {
            let Fate::DeadLetter(_, reason) = &h.fate else {
                unreachable!()
            };
            let subject = format!("{ns}.inbox.{}", h.subject);
            let shown = String::from_utf8_lossy(&h.bytes[..h.bytes.len().min(1_000)]).into_owned();
            let matching: Vec<&DeadLetter> = from_ingest
                .iter()
                .filter(|l| {
                    l.subject == subject
                        && l.original_len == h.bytes.len()
                        && l.original.starts_with(shown.trim_end_matches('\u{FFFD}'))
                })
                .collect();
            assert_eq!(matching.len(), 1, "{}: {matching:?}", h.name);
            assert!(
                matching[0].reason.contains(reason),
                "{}: the reason {:?} does not say {reason:?}",
                h.name,
                matching[0].reason
            );
            assert!(matching[0].original.len() <= newsroom_bus::DEAD_LETTER_ORIGINAL_LIMIT);
        }
        // And the article of a thousand claims is stored but too big to extract onto the bus
        assert_eq!(from_extractor.len(), 1, "{from_extractor:?}");
        assert!(
            from_extractor[0]
                .reason
                .contains("claims.extracted event is"),
            "{}",
            from_extractor[0].reason
        );

        // And the valid articles before and after the storm, and the hostile ones stored as
        // data, are extracted and every claim of them checked
        let must_check = [
            "before-the-storm",
            "after-the-storm",
            "escapes",
            "version-max",
            "long-read",
        ];
        let deadline = Instant::now() + Duration::from_secs(30);
        let (extracted, checked) = loop {
            let (extracted, checked) = claims_and_checks(store.as_ref()).await;
            let claims: usize = extracted.iter().map(|(_, n)| n).sum();
            let done = must_check
                .iter()
                .all(|id| extracted.iter().any(|(a, n)| a == id && *n > 0))
                && extracted
                    .iter()
                    .any(|(a, _)| a.starts_with("x'); DROP TABLE"));
            if done && checked == claims {
                break (extracted, checked);
            }
            assert!(
                Instant::now() < deadline,
                "not checked in time: {extracted:?}, {checked} checked"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert!(checked >= must_check.len());
        assert!(!extracted.iter().any(|(a, _)| a == "thousand-claims"));

        // And what was stored as data is stored exactly as it came
        for h in corpus.iter().filter(|h| h.fate == Fate::Stored) {
            let sent: Envelope = Envelope::from_slice(&h.bytes).unwrap();
            let stored = store.read_stream(&sent.stream_id).await.unwrap();
            let found = stored.iter().find(|e| e.event_id == sent.event_id);
            let found = found.unwrap_or_else(|| panic!("{} is not stored", h.name));
            assert_eq!(found.payload, sent.payload, "{}", h.name);
            assert_eq!(found.source, sent.source, "{}", h.name);
        }
        // And the replay and the reused ids added nothing to the SQL article's stream
        let sql: Envelope = serde_json::from_value(sql_article()).unwrap();
        assert_eq!(
            store
                .read_stream(&sql.stream_id)
                .await
                .unwrap()
                .iter()
                .filter(|e| e.event_id == sql.event_id)
                .count(),
            1
        );

        // And the metrics count each refusal by its kind, the replay, and nothing retried
        let counted = metrics().snapshot().since(&before);
        let ingest = counted.service(ServiceKind::Ingest);
        let mut by_kind: BTreeMap<RejectionKind, u64> = BTreeMap::new();
        for h in &expected {
            if let Fate::DeadLetter(kind, _) = h.fate {
                *by_kind.entry(kind).or_default() += 1;
            }
        }
        assert_eq!(ingest.dead_lettered, by_kind, "{ingest}");
        assert_eq!(ingest.replays, 1, "{ingest}");
        assert_eq!(ingest.retried, 0, "{ingest}");
        let stored = corpus.iter().filter(|h| h.fate == Fate::Stored).count() as u64;
        // the tally, the article before (once: the server dropped its repeat), the one after
        assert_eq!(ingest.appended, stored + 3, "{ingest}");
        let extractor = counted.service(ServiceKind::Extractor);
        assert_eq!(
            extractor.dead_lettered,
            BTreeMap::from([(RejectionKind::TooLarge, 1)])
        );
        assert_eq!(
            counted.service(ServiceKind::Checker).dead_lettered_total(),
            0
        );
        assert_eq!(counted.service(ServiceKind::Relay).dead_lettered_total(), 0);

        // And ingest has nothing left pending, no service stopped, and all stop cleanly
        let inbox = producer
            .jetstream()
            .get_stream(producer.stream_name(StreamKind::Inbox))
            .await
            .unwrap();
        let info = inbox.consumer_info("ingest").await.unwrap();
        assert_eq!((info.num_pending, info.num_ack_pending), (0, 0));
        // And its consumer bounds the deliveries in flight
        assert_eq!(
            info.config.max_ack_pending,
            newsroom_bus::DEFAULT_MAX_ACK_PENDING
        );
        assert!(!serving.is_finished(), "a service stopped");
        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(15), serving)
            .await
            .expect("stopped in time")
            .unwrap()
            .unwrap();
        producer.delete_streams().await.unwrap();
        eprintln!(
            "hostile corpus: {} messages ({} dead-lettered by ingest, {} stored as data, 1 replay) \
             and 4 valid in {:?}; metrics {counted}",
            corpus.len(),
            expected.len(),
            stored,
            started.elapsed()
        );
    })
    .await;
}

#[tokio::test]
async fn given_a_stored_event_larger_than_nats_carries_when_the_relay_reaches_it_then_it_is_dead_lettered_and_the_next_one_published(
) {
    use newsroom_services::Relay;
    use newsroom_store::ExpectedVersion;
    with_sqlite(|store, _| async move {
        let ns = fresh_namespace();
        let bus = bus(&ns).await;
        // Given an article of 2 MB stored without going through ingest, then a small one
        let huge = article_envelope("two-megabytes", &"y".repeat(2 * 1024 * 1024));
        let small = article_envelope("small", ARTICLE_BODY);
        for envelope in [huge.clone(), small.clone()] {
            store
                .append(
                    &envelope.stream_id.clone(),
                    ExpectedVersion::Any,
                    vec![envelope],
                )
                .await
                .unwrap();
        }
        let _counting = METRICS.lock().await;
        let before = metrics().snapshot();

        // When the relay publishes what is stored
        let mut relay = Relay::open(store.clone(), bus.clone()).await.unwrap();
        let published = relay.run_until_idle().await.unwrap();

        // Then the small one is on the bus, past the huge one, and the checkpoint is the head
        assert_eq!(published, 1);
        assert_eq!(relay.position(), store.head().await.unwrap());
        let mut events = bus
            .consumer("probe", &format!("{ns}.events.>"), 1)
            .await
            .unwrap();
        let d = next_within(&mut events, Duration::from_secs(5))
            .await
            .expect("an event");
        assert_eq!(
            Envelope::from_slice(&d.payload).unwrap().event_id,
            small.event_id
        );
        // And the huge one is a dead letter of the relay, with the reason and its head
        let mut letters = bus
            .consumer("audit", &format!("{ns}.deadletter.>"), 1)
            .await
            .unwrap();
        let d = next_within(&mut letters, Duration::from_secs(5))
            .await
            .expect("a dead letter");
        let letter: DeadLetter = serde_json::from_slice(&d.payload).unwrap();
        assert_eq!(letter.service, "relay");
        assert_eq!(letter.subject, format!("{ns}.events.article.submitted"));
        assert!(
            letter.reason.contains(&huge.event_id.to_string()),
            "{}",
            letter.reason
        );
        assert!(
            letter
                .reason
                .contains("larger than the NATS server accepts"),
            "{}",
            letter.reason
        );
        assert!(letter.original_len > 2 * 1024 * 1024);
        assert_eq!(
            letter.original.len(),
            newsroom_bus::DEAD_LETTER_ORIGINAL_LIMIT
        );
        let counted = metrics()
            .snapshot()
            .since(&before)
            .service(ServiceKind::Relay);
        assert_eq!(counted.dead_lettered_of(RejectionKind::TooLarge), 1);
        bus.delete_streams().await.unwrap();
    })
    .await;
}
