//! The decision functions as specifications: given an event (and the state a service
//! keeps), when the service decides, then these appends (or this rejection).

mod support;

use newsroom_claims::{CheckReport, Evidence, Verdict};
use newsroom_events::{
    ArticleSubmitted, ClaimChecked, ClaimsExtracted, Event, EventId, StreamVersion, TallyDeclared,
};
use newsroom_extract::Extractor;
use newsroom_services::decide::{
    apply_tally, check_inbox_subject, checked_name, on_article_submitted, on_claims_extracted,
    on_submission, CHECKER_SOURCE, EXTRACTOR_SOURCE,
};
use newsroom_services::{
    backoff, Rejection, ResultsProjection, ServeConfig, ServiceError, ServiceKind,
};
use newsroom_store::ExpectedVersion;
use newsroom_tally::{Tallies, Votes};
use std::time::Duration;
use support::*;

fn tallies_2015() -> Tallies {
    let mut tallies = Tallies::new();
    tallies.declare(holborn_2015());
    tallies
}

// --- ingest -------------------------------------------------------------------------

#[test]
fn given_an_article_submission_when_ingested_then_it_is_appended_to_its_article_stream_as_is() {
    let envelope = article_envelope("a-1", ARTICLE_BODY);

    let append = on_submission(&envelope).unwrap();

    assert_eq!(append.stream.as_str(), "article-a-1");
    assert_eq!(append.expected, ExpectedVersion::Any);
    assert_eq!(append.events, vec![envelope]);
}

#[test]
fn given_a_declared_result_when_ingested_then_it_is_appended_to_its_tally_stream() {
    let envelope = tally_envelope(holborn_2015());

    let append = on_submission(&envelope).unwrap();

    assert_eq!(append.stream.as_str(), format!("tally-2015-{HOLBORN}"));
    assert_eq!(append.events, vec![envelope]);
}

#[test]
fn given_a_derived_event_on_the_inbox_when_ingested_then_it_is_rejected() {
    let cause = article_envelope("a-1", ARTICLE_BODY);
    let extracted = claims_extracted(&cause, "a-1", vec![]);

    let rejection = on_submission(&extracted).unwrap_err();

    assert!(matches!(rejection, Rejection::NotSubmittable(t) if t == ClaimsExtracted::TYPE));
}

#[test]
fn given_an_envelope_naming_another_stream_than_its_payload_when_ingested_then_it_is_rejected() {
    let mut envelope = article_envelope("a-1", ARTICLE_BODY);
    envelope.stream_id = newsroom_events::article_stream("a-2");

    let rejection = on_submission(&envelope).unwrap_err();

    assert!(
        matches!(rejection, Rejection::StreamMismatch { .. }),
        "{rejection}"
    );
}

#[test]
fn given_a_payload_that_does_not_match_its_schema_when_ingested_then_it_is_rejected() {
    let mut envelope = article_envelope("a-1", ARTICLE_BODY);
    envelope.payload = serde_json::json!({ "article_id": 7 });

    assert!(matches!(
        on_submission(&envelope),
        Err(Rejection::Decode(_))
    ));
}

#[test]
fn given_a_schema_version_from_the_future_when_ingested_then_it_is_rejected() {
    let mut envelope = article_envelope("a-1", ARTICLE_BODY);
    envelope.schema_version = 99;

    let rejection = on_submission(&envelope).unwrap_err();

    assert!(
        rejection.to_string().contains("schema version 99"),
        "{rejection}"
    );
}

#[test]
fn given_an_article_with_an_empty_or_control_character_id_when_ingested_then_it_is_rejected() {
    for id in ["", "bad\nid"] {
        let envelope = article_envelope(id, ARTICLE_BODY);
        assert!(
            matches!(
                on_submission(&envelope),
                Err(Rejection::InvalidArticleId(_))
            ),
            "{id:?}"
        );
    }
}

#[test]
fn given_a_result_whose_candidates_are_not_in_descending_order_when_ingested_then_it_is_rejected() {
    let mut result = holborn_2015();
    result.candidates[4].votes = Votes(40_000);
    assert!(matches!(
        on_submission(&tally_envelope(result)),
        Err(Rejection::CandidatesOutOfOrder(_))
    ));

    let mut empty = holborn_2015();
    empty.candidates.clear();
    assert!(matches!(
        on_submission(&tally_envelope(empty)),
        Err(Rejection::NoCandidates(_))
    ));
}

#[test]
fn given_a_message_on_the_inbox_subject_of_another_type_then_it_is_rejected() {
    let envelope = article_envelope("a-1", ARTICLE_BODY);

    assert!(check_inbox_subject("ns", "ns.inbox.article.submitted", &envelope).is_ok());
    let rejection = check_inbox_subject("ns", "ns.inbox.tally.declared", &envelope).unwrap_err();
    assert!(
        matches!(rejection, Rejection::SubjectMismatch { .. }),
        "{rejection}"
    );
}

// --- extractor ----------------------------------------------------------------------

#[test]
fn given_an_article_when_extracted_then_one_claims_extracted_follows_on_the_article_stream() {
    let tallies = tallies_2015();
    let extractor = Extractor::new(&tallies);
    let article = article_envelope("a-1", ARTICLE_BODY);

    let appends = on_article_submitted(&article, &extractor).unwrap();

    assert_eq!(appends.len(), 1);
    let append = &appends[0];
    assert_eq!(append.stream.as_str(), "article-a-1");
    let [event] = append.events.as_slice() else {
        panic!("one event")
    };
    assert_eq!(event.event_type, ClaimsExtracted::TYPE);
    assert_eq!(
        event.event_id,
        EventId::derived(article.event_id, ClaimsExtracted::TYPE)
    );
    assert_eq!(event.causation_id, Some(article.event_id));
    assert_eq!(event.correlation_id, article.correlation_id);
    assert_eq!(event.source, EXTRACTOR_SOURCE);
    // And it carries exactly what the extractor reads from the article
    let expected = extractor.extract(
        "a-1",
        ARTICLE_BODY,
        chrono::NaiveDate::from_ymd_opt(2015, 5, 8),
    );
    let Event::ClaimsExtracted(payload) = event.decode().unwrap() else {
        panic!("claims.extracted")
    };
    assert_eq!(payload.article_id, "a-1");
    assert_eq!(payload.election, expected.election);
    assert_eq!(payload.claims, expected.claims);
}

#[test]
fn given_the_same_article_twice_when_extracted_then_the_same_event_is_decided() {
    let extractor = Extractor::new(&tallies_2015());
    let article = article_envelope("a-1", ARTICLE_BODY);

    let first = on_article_submitted(&article, &extractor).unwrap();
    let second = on_article_submitted(&article, &extractor).unwrap();

    assert_eq!(first, second);
}

#[test]
fn given_another_event_type_when_the_extractor_decides_then_it_is_rejected() {
    let extractor = Extractor::new(&Tallies::new());
    let tally = tally_envelope(holborn_2015());

    let rejection = on_article_submitted(&tally, &extractor).unwrap_err();

    assert!(matches!(
        rejection,
        Rejection::WrongType {
            expected: ArticleSubmitted::TYPE,
            ..
        }
    ));
}

// --- checker ------------------------------------------------------------------------

#[test]
fn given_an_extraction_of_two_claims_when_checked_then_one_claim_checked_per_claim_on_its_own_stream(
) {
    let article = article_envelope("a-1", ARTICLE_BODY);
    let claims = vec![majority_claim("a-1", 0), majority_claim("a-1", 1)];
    let extracted = claims_extracted(&article, "a-1", claims.clone());

    let appends = on_claims_extracted(&extracted, &tallies_2015()).unwrap();

    assert_eq!(appends.len(), 2);
    for (append, claim) in appends.iter().zip(&claims) {
        assert_eq!(append.stream.as_str(), format!("claim-{}", claim.claim_id));
        let [event] = append.events.as_slice() else {
            panic!("one event")
        };
        assert_eq!(event.event_type, ClaimChecked::TYPE);
        assert_eq!(
            event.event_id,
            EventId::derived(extracted.event_id, &checked_name(&claim.claim_id.0))
        );
        assert_eq!(event.causation_id, Some(extracted.event_id));
        assert_eq!(event.correlation_id, article.correlation_id);
        assert_eq!(event.source, CHECKER_SOURCE);
        let Event::ClaimChecked(checked) = event.decode().unwrap() else {
            panic!("claim.checked")
        };
        assert_eq!(checked.report.claim_id, claim.claim_id);
        assert_eq!(checked.report.article, "a-1");
    }
    assert_ne!(appends[0].events[0].event_id, appends[1].events[0].event_id);
}

#[test]
fn given_the_same_extraction_twice_when_checked_then_the_same_ids_are_decided() {
    let article = article_envelope("a-1", ARTICLE_BODY);
    let extracted = claims_extracted(&article, "a-1", vec![majority_claim("a-1", 0)]);

    let first = on_claims_extracted(&extracted, &tallies_2015()).unwrap();
    let second = on_claims_extracted(&extracted, &tallies_2015()).unwrap();

    assert_eq!(first[0].events[0].event_id, second[0].events[0].event_id);
}

#[test]
fn given_an_extraction_without_claims_when_checked_then_nothing_is_appended() {
    let article = article_envelope("a-1", "Nothing to see.");
    let extracted = claims_extracted(&article, "a-1", vec![]);

    assert!(on_claims_extracted(&extracted, &tallies_2015())
        .unwrap()
        .is_empty());
}

#[test]
fn given_an_article_when_the_checker_decides_then_it_is_rejected() {
    let article = article_envelope("a-1", ARTICLE_BODY);

    let rejection = on_claims_extracted(&article, &Tallies::new()).unwrap_err();

    assert!(matches!(
        rejection,
        Rejection::WrongType {
            expected: ClaimsExtracted::TYPE,
            ..
        }
    ));
}

// --- projections --------------------------------------------------------------------

#[test]
fn given_declarations_when_applied_then_the_tallies_hold_them_and_other_events_change_nothing() {
    let mut tallies = Tallies::new();

    assert!(apply_tally(&mut tallies, &tally_envelope(holborn_2015())).unwrap());
    assert!(!apply_tally(&mut tallies, &article_envelope("a-1", ARTICLE_BODY)).unwrap());

    assert_eq!(tallies.version(), 1);
    assert_eq!(tallies.latest(), Some(newsroom_tally::Year(2015)));
}

#[test]
fn given_an_undecodable_declaration_when_applied_then_it_is_rejected_and_the_tallies_unchanged() {
    let mut tallies = Tallies::new();
    let mut envelope = tally_envelope(holborn_2015());
    envelope.payload = serde_json::json!({});

    assert!(apply_tally(&mut tallies, &envelope).is_err());
    assert_eq!(tallies.version(), 0);
    assert_eq!(envelope.event_type, TallyDeclared::TYPE);
}

fn checked(
    article: &str,
    ordinal: usize,
    span: (usize, usize),
    verdict: Verdict,
) -> newsroom_events::Envelope {
    let mut claim = majority_claim(article, ordinal);
    claim.span = span;
    let report = CheckReport::new(
        &claim,
        serde_json::Value::Null,
        verdict,
        Evidence::default(),
    );
    let event = Event::ClaimChecked(ClaimChecked { report });
    newsroom_events::Envelope::new(&event, StreamVersion(1), "test", EventId::random())
}

#[test]
fn given_reports_when_projected_then_the_latest_per_claim_is_kept_ordered_by_article_then_span() {
    let mut projection = ResultsProjection::new();
    // Given b's claim, then a's two claims out of span order, then a newer check of one of a's
    for envelope in [
        checked("b", 0, (0, 10), Verdict::Accurate),
        checked("a", 1, (50, 60), Verdict::Pending),
        checked("a", 0, (0, 10), Verdict::Accurate),
        checked("a", 1, (50, 60), Verdict::Inaccurate),
    ] {
        projection.apply(&envelope);
    }

    let all = projection.reports(None);
    let summary: Vec<_> = all
        .iter()
        .map(|r| (r.article.as_str(), r.span.0, r.verdict))
        .collect();
    assert_eq!(
        summary,
        [
            ("a", 0, Verdict::Accurate),
            ("a", 50, Verdict::Inaccurate),
            ("b", 0, Verdict::Accurate)
        ]
    );

    let only_b = projection.reports(Some("b"));
    assert_eq!(only_b.len(), 1);
    assert_eq!(only_b[0].article, "b");
}

// --- running ------------------------------------------------------------------------

#[test]
fn retries_back_off_doubling_from_one_second_to_at_most_a_minute() {
    let delays: Vec<u64> = (1..=9).map(|n| backoff(n).as_secs()).collect();
    assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    assert_eq!(backoff(0), Duration::from_secs(1));
}

#[test]
fn embedded_mode_runs_the_extractor_and_checker_and_refuses_the_nats_services() {
    let embedded = ServeConfig::embedded("sqlite::memory:");
    assert_eq!(
        embedded.resolved_services().unwrap(),
        [ServiceKind::Extractor, ServiceKind::Checker]
    );

    let relay = ServeConfig {
        services: vec![ServiceKind::Relay],
        ..embedded
    };
    assert!(matches!(
        relay.resolved_services(),
        Err(ServiceError::NeedsNats(ServiceKind::Relay))
    ));
}

#[test]
fn jetstream_mode_runs_every_service_once() {
    let all = ServeConfig::jetstream(
        "sqlite::memory:",
        newsroom_services::NatsConfig::new("nats://x"),
    );
    assert_eq!(all.resolved_services().unwrap(), ServiceKind::ALL);

    let some = ServeConfig {
        services: vec![
            ServiceKind::Checker,
            ServiceKind::Ingest,
            ServiceKind::Checker,
        ],
        ..all
    };
    assert_eq!(
        some.resolved_services().unwrap(),
        [ServiceKind::Ingest, ServiceKind::Checker]
    );
}

#[test]
fn service_names_parse_and_print() {
    for kind in ServiceKind::ALL {
        assert_eq!(kind.as_str().parse::<ServiceKind>().unwrap(), kind);
    }
    assert!(matches!(
        "mailer".parse::<ServiceKind>(),
        Err(ServiceError::UnknownService(_))
    ));
}
