//! The functional core of the services: given an event (and the state a service keeps),
//! which events to append. No IO: the service loops read, call these, and write.
//!
//! # What producers may submit
//!
//! Ingest stores a submission only when it is plausible as well as well-formed; anything
//! else is dead-lettered with the reason. The bounds (each a constant below):
//! - the message and the event as stored, as JSON, at most [`MAX_EVENT_BYTES`] (under
//!   NATS's default `max_payload` of 1 MiB, so the relay can always publish what is stored);
//! - an article body at most [`MAX_ARTICLE_BODY_BYTES`]; an article id, an envelope
//!   `source` and the names in a result at most [`MAX_NAME_CHARS`] characters without
//!   control characters; a correction's reason at most [`MAX_REASON_CHARS`];
//! - no U+0000 anywhere in the payload (PostgreSQL cannot hold it in `jsonb`);
//! - times and dates (`occurred_at`, a publication date, an election) in
//!   [`PLAUSIBLE_YEARS`];
//! - a result: 1 to [`MAX_CANDIDATES`] candidates in descending order of votes, whose votes
//!   add up to the valid votes (as in the official results); an electorate of 1 to
//!   [`MAX_ELECTORATE`]; valid and invalid votes together at most the electorate. So no sum
//!   of votes anywhere can overflow.

use std::ops::RangeInclusive;

use chrono::Datelike;
use serde::Serialize;

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

/// The largest event, as JSON, the services take from producers or append: a message
/// bigger than this is refused before it is parsed. Below NATS's default `max_payload`
/// (1,048,576 bytes) with room for the headers and the position and time the store adds.
pub const MAX_EVENT_BYTES: usize = 1_000_000;

/// The longest article body accepted, in bytes of UTF-8 (a 40,000-word long read is about
/// 250 KB).
pub const MAX_ARTICLE_BODY_BYTES: usize = 512 * 1024;

/// The longest name accepted: an envelope's `source`, a constituency's, county's, region's,
/// candidate's or party's name, a party code.
pub const MAX_NAME_CHARS: usize = 200;

/// The longest reason a correction may give.
pub const MAX_REASON_CHARS: usize = 2_000;

/// Most candidates a result may list (UK seats have had at most about 15).
pub const MAX_CANDIDATES: usize = 100;

/// The largest electorate a result may give (the largest UK constituency has about 110,000).
pub const MAX_ELECTORATE: u64 = 1_000_000;

/// The years an election, a publication date or an event's `occurred_at` may fall in.
pub const PLAUSIBLE_YEARS: RangeInclusive<i32> = 1800..=2200;

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
    #[error("the {what} is {bytes} bytes, more than the {limit} accepted")]
    TooLarge {
        what: &'static str,
        bytes: usize,
        limit: usize,
    },
    #[error("{field} {problem}")]
    InvalidText {
        field: &'static str,
        problem: TextProblem,
    },
    #[error("{field} {value} is not in the years {start} to {end}", start = PLAUSIBLE_YEARS.start(), end = PLAUSIBLE_YEARS.end())]
    ImplausibleYear { field: &'static str, value: String },
    #[error("the result of {0} lists no candidates")]
    NoCandidates(String),
    #[error("the result of {0} does not list its candidates in descending order of votes")]
    CandidatesOutOfOrder(String),
    #[error("the result of {result} is implausible: {problem}")]
    ImplausibleResult { result: String, problem: String },
    #[error("event id {0} is stored already with other content: a producer reused an id")]
    IdReused(newsroom_events::EventId),
    #[error("the store refuses the event: {0}")]
    Refused(StoreError),
}

/// What is wrong with a piece of text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    #[error("holds U+0000, which the store cannot hold")]
    Nul,
    #[error("holds control characters")]
    Control,
    #[error("is empty")]
    Empty,
    #[error("is {chars} characters long, more than the {limit} accepted")]
    TooLong { chars: usize, limit: usize },
}

/// The kinds of [`Rejection`] (and of giving up on a message), as the metrics count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RejectionKind {
    /// Bigger than [`MAX_EVENT_BYTES`] or [`MAX_ARTICLE_BODY_BYTES`], or than NATS carries.
    TooLarge,
    /// Not a JSON event envelope (truncated, invalid JSON or UTF-8, missing fields).
    NotAnEnvelope,
    /// An event type this build does not know.
    UnknownType,
    /// A schema version this build cannot read (0, or from the future).
    SchemaVersion,
    /// The payload does not match its type's schema (missing fields, absurd numbers).
    InvalidPayload,
    /// Another type than the service reads.
    WrongType,
    /// A type producers may not submit.
    NotSubmittable,
    /// The envelope's stream is not the payload's.
    StreamMismatch,
    /// Arrived on another inbox subject than its type's.
    SubjectMismatch,
    /// An id, a name or a text that cannot be stored or used (control characters, length).
    InvalidField,
    /// An official result that cannot be true (votes beyond the electorate, out of order).
    ImplausibleResult,
    /// An event id stored already with other content.
    IdReused,
    /// The store refused the append for good.
    RefusedByStore,
    /// Retried [`crate::DEFAULT_MAX_DELIVER`] times without success.
    GaveUp,
}

impl RejectionKind {
    pub const ALL: [RejectionKind; 14] = [
        RejectionKind::TooLarge,
        RejectionKind::NotAnEnvelope,
        RejectionKind::UnknownType,
        RejectionKind::SchemaVersion,
        RejectionKind::InvalidPayload,
        RejectionKind::WrongType,
        RejectionKind::NotSubmittable,
        RejectionKind::StreamMismatch,
        RejectionKind::SubjectMismatch,
        RejectionKind::InvalidField,
        RejectionKind::ImplausibleResult,
        RejectionKind::IdReused,
        RejectionKind::RefusedByStore,
        RejectionKind::GaveUp,
    ];

    /// Its name in logs and metrics (`not_an_envelope`).
    pub fn as_str(self) -> &'static str {
        match self {
            RejectionKind::TooLarge => "too_large",
            RejectionKind::NotAnEnvelope => "not_an_envelope",
            RejectionKind::UnknownType => "unknown_type",
            RejectionKind::SchemaVersion => "schema_version",
            RejectionKind::InvalidPayload => "invalid_payload",
            RejectionKind::WrongType => "wrong_type",
            RejectionKind::NotSubmittable => "not_submittable",
            RejectionKind::StreamMismatch => "stream_mismatch",
            RejectionKind::SubjectMismatch => "subject_mismatch",
            RejectionKind::InvalidField => "invalid_field",
            RejectionKind::ImplausibleResult => "implausible_result",
            RejectionKind::IdReused => "id_reused",
            RejectionKind::RefusedByStore => "refused_by_store",
            RejectionKind::GaveUp => "gave_up",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for RejectionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Rejection {
    /// Its kind, as the metrics count it.
    pub fn kind(&self) -> RejectionKind {
        match self {
            Rejection::Decode(DecodeError::Envelope(_)) => RejectionKind::NotAnEnvelope,
            Rejection::Decode(DecodeError::UnknownType(_)) => RejectionKind::UnknownType,
            Rejection::Decode(DecodeError::SchemaVersion { .. }) => RejectionKind::SchemaVersion,
            Rejection::Decode(DecodeError::Payload { .. }) => RejectionKind::InvalidPayload,
            Rejection::WrongType { .. } => RejectionKind::WrongType,
            Rejection::NotSubmittable(_) => RejectionKind::NotSubmittable,
            Rejection::StreamMismatch { .. } => RejectionKind::StreamMismatch,
            Rejection::SubjectMismatch { .. } => RejectionKind::SubjectMismatch,
            Rejection::InvalidArticleId(_)
            | Rejection::InvalidText { .. }
            | Rejection::ImplausibleYear { .. } => RejectionKind::InvalidField,
            Rejection::TooLarge { .. } => RejectionKind::TooLarge,
            Rejection::NoCandidates(_)
            | Rejection::CandidatesOutOfOrder(_)
            | Rejection::ImplausibleResult { .. } => RejectionKind::ImplausibleResult,
            Rejection::IdReused(_) => RejectionKind::IdReused,
            Rejection::Refused(_) => RejectionKind::RefusedByStore,
        }
    }
}

/// Refuses a message of `bytes` bytes before it is parsed if it is bigger than
/// [`MAX_EVENT_BYTES`].
pub fn check_message_size(bytes: usize) -> Result<(), Rejection> {
    if bytes > MAX_EVENT_BYTES {
        return Err(Rejection::TooLarge {
            what: "message",
            bytes,
            limit: MAX_EVENT_BYTES,
        });
    }
    Ok(())
}

/// The length of `value` as JSON, counted without building the JSON.
pub fn json_len(value: &impl Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    match serde_json::to_writer(&mut count, value) {
        Ok(()) => count.0,
        // Envelopes always serialise; should one not, it is as good as too large.
        Err(_) => usize::MAX,
    }
}

fn check_event_size(what: &'static str, envelope: &Envelope) -> Result<(), Rejection> {
    let bytes = json_len(envelope);
    if bytes > MAX_EVENT_BYTES {
        return Err(Rejection::TooLarge {
            what,
            bytes,
            limit: MAX_EVENT_BYTES,
        });
    }
    Ok(())
}

/// A name: not empty, at most [`MAX_NAME_CHARS`] characters, no control characters.
fn check_name(field: &'static str, value: &str) -> Result<(), Rejection> {
    check_text(field, value, MAX_NAME_CHARS, false)?;
    if value.is_empty() {
        return Err(Rejection::InvalidText {
            field,
            problem: TextProblem::Empty,
        });
    }
    Ok(())
}

/// A text of at most `limit` characters, with no U+0000 and, unless `multiline`, no
/// control characters at all (a multi-line text may hold any but U+0000).
fn check_text(
    field: &'static str,
    value: &str,
    limit: usize,
    multiline: bool,
) -> Result<(), Rejection> {
    let problem = if value.contains('\0') {
        Some(TextProblem::Nul)
    } else if !multiline && value.chars().any(char::is_control) {
        Some(TextProblem::Control)
    } else {
        let chars = value.chars().count();
        (chars > limit).then_some(TextProblem::TooLong { chars, limit })
    };
    match problem {
        Some(problem) => Err(Rejection::InvalidText { field, problem }),
        None => Ok(()),
    }
}

/// Whether any string or key in `value` holds U+0000.
fn holds_nul(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

fn check_year(field: &'static str, year: i32, shown: impl ToString) -> Result<(), Rejection> {
    if PLAUSIBLE_YEARS.contains(&year) {
        Ok(())
    } else {
        Err(Rejection::ImplausibleYear {
            field,
            value: shown.to_string(),
        })
    }
}

/// Ingest: a producer's submission, as the append that stores it. Only articles and
/// official results may be submitted; the payload must decode and belong to the stream the
/// envelope names.
pub fn on_submission(envelope: &Envelope) -> Result<Append, Rejection> {
    check_event_size("event", envelope)?;
    check_name("source", &envelope.source)?;
    check_year(
        "occurred_at",
        envelope.occurred_at.year(),
        envelope.occurred_at.to_rfc3339(),
    )?;
    if holds_nul(&envelope.payload) {
        return Err(Rejection::InvalidText {
            field: "payload",
            problem: TextProblem::Nul,
        });
    }
    let event = envelope.decode()?;
    match &event {
        Event::ArticleSubmitted(article) => validate_article(article)?,
        Event::TallyDeclared(tally) => validate_result(&tally.result)?,
        Event::TallyCorrected(correction) => {
            check_text("reason", &correction.reason, MAX_REASON_CHARS, true)?;
            validate_result(&correction.result)?
        }
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
    if article.body.len() > MAX_ARTICLE_BODY_BYTES {
        return Err(Rejection::TooLarge {
            what: "article body",
            bytes: article.body.len(),
            limit: MAX_ARTICLE_BODY_BYTES,
        });
    }
    check_text("body", &article.body, usize::MAX, true)?;
    if let Some(published) = article.published {
        check_year("published", published.year(), published)?;
    }
    Ok(())
}

fn validate_result(result: &ConstituencyResult) -> Result<(), Rejection> {
    check_name("constituency name", &result.name)?;
    let name = || format!("{} ({}) at {}", result.name, result.id, result.election);
    check_year("election", i32::from(result.election.0), result.election)?;
    check_text("county", &result.county, MAX_NAME_CHARS, false)?;
    check_text("region", &result.region, MAX_NAME_CHARS, false)?;
    if result.candidates.is_empty() {
        return Err(Rejection::NoCandidates(name()));
    }
    let implausible = |problem: String| Rejection::ImplausibleResult {
        result: name(),
        problem,
    };
    if result.candidates.len() > MAX_CANDIDATES {
        return Err(implausible(format!(
            "{} candidates, more than {MAX_CANDIDATES}",
            result.candidates.len()
        )));
    }
    for candidate in &result.candidates {
        check_name("candidate name", &candidate.name)?;
        check_text(
            "candidate first name",
            &candidate.first_name,
            MAX_NAME_CHARS,
            false,
        )?;
        check_text(
            "candidate surname",
            &candidate.surname,
            MAX_NAME_CHARS,
            false,
        )?;
        check_name("party code", candidate.party.as_str())?;
        check_text("party name", &candidate.party_name, MAX_NAME_CHARS, false)?;
    }
    if result
        .candidates
        .windows(2)
        .any(|pair| pair[0].votes < pair[1].votes)
    {
        return Err(Rejection::CandidatesOutOfOrder(name()));
    }
    if result.electorate == 0 || result.electorate > MAX_ELECTORATE {
        return Err(implausible(format!(
            "an electorate of {}, not between 1 and {MAX_ELECTORATE}",
            result.electorate
        )));
    }
    let ballots = result.valid_votes.0.checked_add(result.invalid_votes);
    if ballots.is_none_or(|ballots| ballots > result.electorate) {
        return Err(implausible(format!(
            "{} valid and {} invalid votes, more than the electorate of {}",
            result.valid_votes.0, result.invalid_votes, result.electorate
        )));
    }
    // Every candidate's votes are at most the valid votes, so this sum of at most
    // MAX_CANDIDATES numbers up to MAX_ELECTORATE cannot overflow.
    if let Some(candidate) = result
        .candidates
        .iter()
        .find(|c| c.votes > result.valid_votes)
    {
        return Err(implausible(format!(
            "{} has {} votes, more than the {} valid votes",
            candidate.name, candidate.votes.0, result.valid_votes.0
        )));
    }
    let sum: u64 = result.candidates.iter().map(|c| c.votes.0).sum();
    if sum != result.valid_votes.0 {
        return Err(implausible(format!(
            "the candidates' votes add up to {sum}, not to the {} valid votes",
            result.valid_votes.0
        )));
    }
    Ok(())
}

/// Whether a submission whose id is stored already is the same event as the one stored (a
/// replay, harmless) rather than another event under a reused id. The same event is the same
/// type, stream and typed payload; unknown payload fields, times and sources may differ.
pub fn is_replay(stored: &Envelope, submitted: &Envelope) -> bool {
    stored.event_type == submitted.event_type
        && stored.stream_id == submitted.stream_id
        && match (stored.decode(), submitted.decode()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
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
    // The relay must be able to publish what is stored.
    check_event_size("claims.extracted event", &envelope)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use newsroom_tally::{CandidateResult, ConstituencyId, Nation, PartyCode, Votes, Year};

    fn result(electorate: u64, invalid: u64, votes: &[u64]) -> ConstituencyResult {
        let candidates: Vec<CandidateResult> = votes
            .iter()
            .enumerate()
            .map(|(i, v)| CandidateResult {
                name: format!("Candidate {i}"),
                first_name: "Candidate".into(),
                surname: i.to_string(),
                party: PartyCode::new("Ind"),
                party_name: "Independent".into(),
                votes: Votes(*v),
                sitting_mp: false,
                former_mp: false,
            })
            .collect();
        ConstituencyResult {
            election: Year(2015),
            id: ConstituencyId::parse("E14000001").unwrap(),
            name: "Somewhere".into(),
            county: "Shire".into(),
            region: "North".into(),
            nation: Nation::England,
            declared_at: None,
            electorate,
            valid_votes: Votes(votes.iter().sum()),
            invalid_votes: invalid,
            candidates,
        }
    }

    #[test]
    fn a_result_at_every_bound_is_plausible() {
        // Given the largest electorate, every ballot cast, the most candidates
        let mut votes = vec![1u64; MAX_CANDIDATES];
        votes[0] = MAX_ELECTORATE - (MAX_CANDIDATES as u64 - 1) - 10;
        let at_bounds = result(MAX_ELECTORATE, 10, &votes);
        assert!(validate_result(&at_bounds).is_ok());
    }

    #[test]
    fn a_result_one_past_a_bound_is_implausible() {
        let over_electorate = result(MAX_ELECTORATE + 1, 0, &[10]);
        let too_many_ballots = result(100, 1, &[60, 40]);
        let too_many_candidates = result(1000, 0, &vec![1; MAX_CANDIDATES + 1]);
        for bad in [over_electorate, too_many_ballots, too_many_candidates] {
            assert!(
                matches!(
                    validate_result(&bad),
                    Err(Rejection::ImplausibleResult { .. })
                ),
                "{bad:?}"
            );
        }
        let mut not_adding_up = result(1000, 0, &[60, 40]);
        not_adding_up.valid_votes = Votes(99);
        let rejection = validate_result(&not_adding_up).unwrap_err();
        assert_eq!(rejection.kind(), RejectionKind::ImplausibleResult);
        assert!(rejection
            .to_string()
            .contains("add up to 100, not to the 99"));
    }

    #[test]
    fn names_may_not_hold_control_characters_and_texts_may_not_hold_nul() {
        assert!(check_name("source", "cms").is_ok());
        for (bad, problem) in [
            ("", TextProblem::Empty),
            ("a\nb", TextProblem::Control),
            ("a\u{0}b", TextProblem::Nul),
        ] {
            assert!(matches!(
                check_name("source", bad),
                Err(Rejection::InvalidText { problem: p, .. }) if p == problem
            ));
        }
        assert!(check_text("body", "line one\nline two\t\u{1b}[0m", usize::MAX, true).is_ok());
        assert!(check_text("body", "nul\u{0}", usize::MAX, true).is_err());
        assert!(matches!(
            check_text("reason", "abc", 2, true),
            Err(Rejection::InvalidText {
                problem: TextProblem::TooLong { chars: 3, limit: 2 },
                ..
            })
        ));
    }

    #[test]
    fn nul_is_found_in_strings_and_keys_at_any_depth() {
        let clean = serde_json::json!({"a": [{"b": "c"}, 1, null, true]});
        assert!(!holds_nul(&clean));
        assert!(holds_nul(&serde_json::json!({"a": [{"b": "c\u{0}"}]})));
        assert!(holds_nul(&serde_json::json!({"a": {"k\u{0}": 1}})));
    }

    #[test]
    fn the_json_length_is_counted_without_building_the_json() {
        let value = serde_json::json!({"body": "é\"\n", "n": [1e15, -0.5]});
        assert_eq!(json_len(&value), serde_json::to_vec(&value).unwrap().len());
    }

    #[test]
    fn a_message_is_refused_unparsed_only_past_the_bound() {
        assert!(check_message_size(MAX_EVENT_BYTES).is_ok());
        let rejection = check_message_size(MAX_EVENT_BYTES + 1).unwrap_err();
        assert_eq!(rejection.kind(), RejectionKind::TooLarge);
        assert_eq!(
            rejection.to_string(),
            "the message is 1000001 bytes, more than the 1000000 accepted"
        );
    }

    #[test]
    fn every_rejection_kind_has_a_distinct_name() {
        let names: std::collections::BTreeSet<&str> =
            RejectionKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), RejectionKind::ALL.len());
    }
}
