//! The functional core of the services: given an event (and the state a service keeps),
//! which events to append. No IO: the service loops read, call these, and write.

use newsroom_check::check;
use newsroom_events::{
    ArticleSubmitted, ClaimChecked, ClaimsExtracted, DecodeError, Envelope, Event, StreamId,
    StreamVersion, TallyCorrected, TallyDeclared,
};
use newsroom_extract::Extractor;
use newsroom_store::{ExpectedVersion, StoreError};
use newsroom_tally::{ConstituencyResult, Tallies};

/// The `source` of the events the extractor appends.
pub const EXTRACTOR_SOURCE: &str = "newsroom/extractor";
/// The `source` of the events the checker appends.
pub const CHECKER_SOURCE: &str = "newsroom/checker";

/// Longest article id accepted from producers (it becomes part of stream names).
pub const MAX_ARTICLE_ID_LEN: usize = 200;

/// One append a decision asks for: events of one stream, at the version the writer expects.
#[derive(Debug, Clone, PartialEq)]
pub struct Append {
    pub stream: StreamId,
    pub expected: ExpectedVersion,
    pub events: Vec<Envelope>,
}

impl Append {
    /// One event appended to its own stream, after whatever the stream holds. Every append
    /// the services make is of this kind: they rely on deterministic event ids, not on
    /// versions, for idempotency.
    pub fn one(envelope: Envelope) -> Append {
        Append {
            stream: envelope.stream_id.clone(),
            expected: ExpectedVersion::Any,
            events: vec![envelope],
        }
    }
}

/// Why a message can never be used, however often it is retried: it goes to the dead
/// letters (JetStream) or is recorded and skipped (store feed).
#[derive(Debug, thiserror::Error)]
pub enum Rejection {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("expected a {expected} event, got {actual}")]
    WrongType {
        expected: &'static str,
        actual: String,
    },
    #[error(
        "{0} cannot be submitted by producers (only article.submitted, tally.declared and \
         tally.corrected)"
    )]
    NotSubmittable(String),
    #[error("the envelope names stream {envelope} but its payload belongs to stream {payload}")]
    StreamMismatch {
        envelope: StreamId,
        payload: StreamId,
    },
    #[error("arrived on subject {subject}, but a {event_type} event belongs on {expected}")]
    SubjectMismatch {
        subject: String,
        event_type: String,
        expected: String,
    },
    #[error("article id {0:?} is empty, too long or holds control characters")]
    InvalidArticleId(String),
    #[error("the result of {0} lists no candidates")]
    NoCandidates(String),
    #[error("the result of {0} does not list its candidates in descending order of votes")]
    CandidatesOutOfOrder(String),
    #[error("the store refuses the event: {0}")]
    Refused(StoreError),
}

/// Ingest: a producer's submission, as the append that stores it. Only articles and
/// official results may be submitted; the payload must decode and belong to the stream the
/// envelope names.
pub fn on_submission(envelope: &Envelope) -> Result<Append, Rejection> {
    let event = envelope.decode()?;
    match &event {
        Event::ArticleSubmitted(article) => validate_article(article)?,
        Event::TallyDeclared(tally) => validate_result(&tally.result)?,
        Event::TallyCorrected(correction) => validate_result(&correction.result)?,
        // Everything else is derived by the services or recorded by the review service.
        _ => return Err(Rejection::NotSubmittable(envelope.event_type.clone())),
    }
    let payload_stream = event.stream_id();
    if payload_stream != envelope.stream_id {
        return Err(Rejection::StreamMismatch {
            envelope: envelope.stream_id.clone(),
            payload: payload_stream,
        });
    }
    Ok(Append::one(envelope.clone()))
}

fn validate_article(article: &ArticleSubmitted) -> Result<(), Rejection> {
    let id = &article.article_id;
    if id.is_empty() || id.len() > MAX_ARTICLE_ID_LEN || id.chars().any(char::is_control) {
        return Err(Rejection::InvalidArticleId(id.clone()));
    }
    Ok(())
}

fn validate_result(result: &ConstituencyResult) -> Result<(), Rejection> {
    let name = || format!("{} ({}) at {}", result.name, result.id, result.election);
    if result.candidates.is_empty() {
        return Err(Rejection::NoCandidates(name()));
    }
    if result
        .candidates
        .windows(2)
        .any(|pair| pair[0].votes < pair[1].votes)
    {
        return Err(Rejection::CandidatesOutOfOrder(name()));
    }
    Ok(())
}

/// Extractor: an article, as one `claims.extracted` on the article's stream, whose id is
/// derived from the article event's, so extracting the same article again appends nothing.
pub fn on_article_submitted(
    cause: &Envelope,
    extractor: &Extractor,
) -> Result<Vec<Append>, Rejection> {
    let article = match cause.decode()? {
        Event::ArticleSubmitted(article) => article,
        _ => return Err(wrong_type(ArticleSubmitted::TYPE, cause)),
    };
    let extraction = extractor.extract(&article.article_id, &article.body, article.published);
    let event = Event::ClaimsExtracted(ClaimsExtracted {
        article_id: article.article_id,
        election: extraction.election,
        claims: extraction.claims,
    });
    let next_version = StreamVersion(cause.stream_version.0 + 1);
    let envelope = Envelope::derived(
        &event,
        next_version,
        EXTRACTOR_SOURCE,
        cause,
        ClaimsExtracted::TYPE,
    );
    Ok(vec![Append::one(envelope)])
}

/// Checker: the claims of one extraction, as one `claim.checked` per claim on the claim's
/// stream, each with an id derived from the extraction event's and the claim id.
pub fn on_claims_extracted(cause: &Envelope, tallies: &Tallies) -> Result<Vec<Append>, Rejection> {
    let extracted = match cause.decode()? {
        Event::ClaimsExtracted(extracted) => extracted,
        _ => return Err(wrong_type(ClaimsExtracted::TYPE, cause)),
    };
    Ok(extracted
        .claims
        .iter()
        .map(|claim| {
            let event = Event::ClaimChecked(ClaimChecked {
                report: check(claim, tallies),
            });
            let name = checked_name(&claim.claim_id.0);
            Append::one(Envelope::derived(
                &event,
                StreamVersion(1),
                CHECKER_SOURCE,
                cause,
                &name,
            ))
        })
        .collect())
}

/// The name a `claim.checked` id is derived from (with the cause's id).
pub fn checked_name(claim_id: &str) -> String {
    format!("{}/{claim_id}", ClaimChecked::TYPE)
}

/// The projections' core: applies a `tally.declared` or a `tally.corrected` to the tallies
/// (the result replaces any earlier one of its constituency; the version counts it); other
/// events leave them as they are. Returns whether the tallies changed.
pub fn apply_tally(tallies: &mut Tallies, envelope: &Envelope) -> Result<bool, Rejection> {
    if envelope.event_type != TallyDeclared::TYPE && envelope.event_type != TallyCorrected::TYPE {
        return Ok(false);
    }
    match envelope.decode()? {
        Event::TallyDeclared(TallyDeclared { result })
        | Event::TallyCorrected(TallyCorrected { result, .. }) => {
            tallies.declare(result);
            Ok(true)
        }
        _ => Err(wrong_type(TallyDeclared::TYPE, envelope)),
    }
}

/// Checks that a message arrived on the inbox subject of its own event type.
pub fn check_inbox_subject(
    namespace: &str,
    subject: &str,
    envelope: &Envelope,
) -> Result<(), Rejection> {
    let expected = newsroom_events::subjects::inbox(namespace, &envelope.event_type);
    if subject == expected {
        Ok(())
    } else {
        Err(Rejection::SubjectMismatch {
            subject: subject.to_owned(),
            event_type: envelope.event_type.clone(),
            expected,
        })
    }
}

fn wrong_type(expected: &'static str, envelope: &Envelope) -> Rejection {
    Rejection::WrongType {
        expected,
        actual: envelope.event_type.clone(),
    }
}
