//! The audit exports for auditors (and admins), over HTTP: the signed export of the event log
//! and the ClaimReview JSON-LD, exactly as `newsroom audit export` and `newsroom audit
//! claimreview` write them (the same functions of `newsroom-audit`, the same signing key).
//!
//! The export streams: it runs on a blocking thread, writing through a bounded channel of
//! chunks into the response body, so memory stays bounded however long the log is and a
//! slow client slows the export down rather than filling memory. A failure before the first
//! byte is an error answer; after it, the connection is cut, and the export, lacking its
//! signed manifest, does not verify.

use std::io::{self, Write};

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
use futures::StreamExt as _;
use newsroom_audit::claimreview::ClaimReviewOptions;
use newsroom_audit::{AuditError, ExportOptions, Filter};
use serde::Deserialize;
use tokio::sync::mpsc;

use super::openapi::{schema, Content, OperationDoc, Param};
use super::respond::{escape_json, ApiError};
use super::{AppState, Authorized, CanAudit, Route};
use crate::access::Permission;
use crate::input::{ArticleKey, Invalid};
use crate::views::ExportFormat;

/// The export is sent in chunks of about this many bytes.
const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks written but not yet sent to the client; the export waits beyond that.
const CHUNKS_AHEAD: usize = 4;

const EXPORT_TYPES: &[&str] = &["application/x-ndjson", "text/csv"];

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route {
            method: Method::GET,
            path: "/api/audit/export",
            doc: OperationDoc {
                id: "auditExport",
                summary: "The signed audit export of the event log",
                description: "The stored events in global order, each with its position, \
                    hash and previous hash, then a manifest (count, first and last position, \
                    head hash) signed with the newsroom's Ed25519 key: what `newsroom audit \
                    export` writes, checked by `newsroom audit verify`. Streamed; an export \
                    cut short has no manifest and does not verify. `format=jsonl` (the \
                    default) answers `application/x-ndjson`, `format=csv` `text/csv`.",
                tag: "audit",
                permission: Some(Permission::Audit),
                params: vec![
                    Param::query(
                        "since",
                        "Only events recorded at or after this time (RFC 3339, or a date: \
                         midnight UTC).",
                        schema::<String>,
                    ),
                    Param::query(
                        "until",
                        "Only events recorded before this time (RFC 3339, or a date: \
                         midnight UTC).",
                        schema::<String>,
                    ),
                    Param::query(
                        "article",
                        "Only the events about this article: its own, its claims' checks \
                         and reviews.",
                        schema::<String>,
                    ),
                    Param::query(
                        "format",
                        "`jsonl` (default) or `csv`.",
                        schema::<ExportFormat>,
                    ),
                ],
                request: None,
                ok: (
                    200,
                    "The export, ending with its signed manifest.",
                    Content::Documents(EXPORT_TYPES),
                ),
                errors: &[400, 401, 403, 422, 500, 503],
            },
            handler: get(export),
        },
        Route {
            method: Method::GET,
            path: "/api/audit/claimreview",
            doc: OperationDoc {
                id: "auditClaimReview",
                summary: "The checked and reviewed claims as schema.org ClaimReview JSON-LD",
                description: "A JSON array of ClaimReview objects (claimReviewed, \
                    reviewRating with ratingExplanation, itemReviewed with appearance, \
                    author, datePublished, dateModified after a re-check): what `newsroom \
                    audit claimreview` writes.",
                tag: "audit",
                permission: Some(Permission::Audit),
                params: vec![Param::query(
                    "article",
                    "Only the claims of this article.",
                    schema::<String>,
                )],
                request: None,
                ok: (
                    200,
                    "The ClaimReviews.",
                    Content::JsonAs("application/ld+json", schema::<Vec<serde_json::Value>>),
                ),
                errors: &[400, 401, 403, 422, 503],
            },
            handler: get(claimreview),
        },
    ]
}

/// The export's query string as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    since: Option<String>,
    until: Option<String>,
    article: Option<String>,
    format: Option<ExportFormat>,
}

impl ExportQuery {
    fn filter(&self) -> Result<Filter, ApiError> {
        let since = self
            .since
            .as_deref()
            .map(|t| parse_time("since", t))
            .transpose()?;
        let until = self
            .until
            .as_deref()
            .map(|t| parse_time("until", t))
            .transpose()?;
        if let (Some(since), Some(until)) = (since, until) {
            if until <= since {
                return Err(ApiError::invalid_field(
                    "until",
                    Invalid("until must be later than since".to_owned()),
                ));
            }
        }
        Ok(Filter {
            since,
            until,
            article: article(self.article.as_deref())?,
        })
    }
}

/// A time as the command line takes it: RFC 3339, or a date meaning midnight UTC.
fn parse_time(field: &str, text: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            ApiError::invalid_field(
                field,
                Invalid(format!(
                    "{field} is an RFC 3339 time (2015-05-08T06:00:00Z) or a date (2015-05-08)"
                )),
            )
        })
}

fn article(article: Option<&str>) -> Result<Option<String>, ApiError> {
    article
        .map(|a| {
            ArticleKey::parse(a)
                .map(|key| key.as_str().to_owned())
                .map_err(|e| ApiError::invalid_field("article", e))
        })
        .transpose()
}

async fn export(
    _auth: Authorized<CanAudit>,
    State(state): State<AppState>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let format = query.format.unwrap_or(ExportFormat::Jsonl);
    let options = ExportOptions {
        filter: query.filter()?,
        format: match format {
            ExportFormat::Jsonl => newsroom_audit::Format::Jsonl,
            ExportFormat::Csv => newsroom_audit::Format::Csv,
        },
        newsroom: state.exports.newsroom.clone(),
        progress: false,
    };
    let (sender, mut receiver) = mpsc::channel(CHUNKS_AHEAD);
    let store = state.store.clone();
    let key_path = state.exports.signing_key.clone();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut out = ChunkWriter::new(sender);
        let outcome = runtime.block_on(async {
            // Read (or created) as the command line does, so a new key is picked up.
            let key = newsroom_audit::keys::load_or_create(&key_path)?;
            newsroom_audit::export(store.as_ref(), &key, &options, &mut out).await
        });
        match outcome {
            Ok(signed) => tracing::info!(
                count = signed.manifest.count,
                through = signed.manifest.through_position,
                "audit export served"
            ),
            Err(error) => out.fail(error),
        }
    });

    // The status waits for the first chunk: a failure before it is an error answer.
    let first = match receiver.recv().await {
        Some(Piece::Bytes(bytes)) => bytes,
        Some(Piece::Failed(error)) => return Err(export_error(error)),
        None => return Err(ApiError::internal()),
    };
    let rest = futures::stream::unfold(receiver, |mut receiver| async move {
        match receiver.recv().await? {
            Piece::Bytes(bytes) => Some((Ok(bytes), receiver)),
            Piece::Failed(error) => {
                tracing::error!(%error, "the audit export failed while it was being sent");
                let cut = io::Error::other(format!("the export failed: {error}"));
                Some((Err(cut), receiver))
            }
        }
    });
    let body = futures::stream::once(async move { Ok::<_, io::Error>(first) }).chain(rest);
    let (content_type, file) = match format {
        ExportFormat::Jsonl => ("application/x-ndjson", "newsroom-audit.jsonl"),
        ExportFormat::Csv => ("text/csv; charset=utf-8", "newsroom-audit.csv"),
    };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// What an export that failed before its first byte answers.
fn export_error(error: AuditError) -> ApiError {
    match error {
        AuditError::Store(_) | AuditError::Gap { .. } => {
            tracing::error!(%error, "the audit export cannot read the event store");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                "the event store cannot be read or written now; try again",
            )
        }
        error => {
            tracing::error!(%error, "the audit export failed");
            ApiError::internal()
        }
    }
}

/// What the export thread hands the response body.
enum Piece {
    Bytes(Bytes),
    Failed(AuditError),
}

/// A `Write` into the channel of the response body, in chunks of [`CHUNK_BYTES`]; it
/// blocks (its thread is a blocking one) while [`CHUNKS_AHEAD`] chunks wait to be sent.
struct ChunkWriter {
    sender: mpsc::Sender<Piece>,
    buffer: Vec<u8>,
}

impl ChunkWriter {
    fn new(sender: mpsc::Sender<Piece>) -> ChunkWriter {
        ChunkWriter {
            sender,
            buffer: Vec::with_capacity(CHUNK_BYTES),
        }
    }

    fn send(&self, piece: Piece) -> io::Result<()> {
        // Off the runtime's budget: this thread waits for room, whatever the export used.
        futures::executor::block_on(tokio::task::unconstrained(self.sender.send(piece)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }

    fn send_buffer(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK_BYTES));
        self.send(Piece::Bytes(Bytes::from(chunk)))
    }

    /// Ends the body with `error` (what was written before it is sent first).
    fn fail(mut self, error: AuditError) {
        let cause = self
            .send_buffer()
            .and_then(|()| self.send(Piece::Failed(error)));
        if cause.is_err() {
            tracing::info!("the client left before the audit export was done");
        }
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK_BYTES {
            self.send_buffer()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send_buffer()
    }
}

/// The ClaimReview query string as sent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimReviewQuery {
    article: Option<String>,
}

async fn claimreview(
    _auth: Authorized<CanAudit>,
    State(state): State<AppState>,
    query: Result<Query<ClaimReviewQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    let options = ClaimReviewOptions {
        newsroom: state.exports.newsroom.clone(),
        newsroom_url: state.exports.newsroom_url.clone(),
        article: article(query.article.as_deref())?,
        article_base_url: None,
        claim_author: None,
    };
    let mut json = Vec::new();
    newsroom_audit::claimreview::claimreview(state.store.as_ref(), options, &mut json)
        .await
        .map_err(export_error)?;
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/ld+json"),
        )],
        escape_json(&json),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_dates_and_rfc3339_times_when_parsed_then_both_are_utc_instants() {
        assert_eq!(
            parse_time("since", "2015-05-08").unwrap().to_rfc3339(),
            "2015-05-08T00:00:00+00:00"
        );
        assert_eq!(
            parse_time("since", "2015-05-08T06:00:00+01:00")
                .unwrap()
                .to_rfc3339(),
            "2015-05-08T05:00:00+00:00"
        );
        let refused = parse_time("until", "yesterday").unwrap_err();
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.body.field.as_deref(), Some("until"));
    }

    #[test]
    fn given_until_not_after_since_when_filtered_then_it_is_refused() {
        let query = ExportQuery {
            since: Some("2015-05-08".to_owned()),
            until: Some("2015-05-07".to_owned()),
            article: None,
            format: None,
        };
        let refused = query.filter().unwrap_err();
        assert_eq!(refused.body.field.as_deref(), Some("until"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn given_more_chunks_than_the_channel_holds_when_written_then_the_writer_waits_and_all_arrive_in_order(
    ) {
        // Given a writer whose channel holds CHUNKS_AHEAD chunks, on a blocking thread
        let (sender, mut receiver) = mpsc::channel(CHUNKS_AHEAD);
        let chunks = CHUNKS_AHEAD * 3;
        let writer = tokio::task::spawn_blocking(move || {
            let mut out = ChunkWriter::new(sender);
            for i in 0..chunks {
                out.write_all(&vec![i as u8; CHUNK_BYTES]).unwrap();
            }
            out.flush().unwrap();
        });

        // When the reader takes them one by one
        let mut received = Vec::new();
        while let Some(piece) = receiver.recv().await {
            let Piece::Bytes(bytes) = piece else {
                panic!("no failure was sent")
            };
            received.extend_from_slice(&bytes);
        }
        writer.await.unwrap();

        // Then every byte arrived, in order
        assert_eq!(received.len(), chunks * CHUNK_BYTES);
        for (i, chunk) in received.chunks(CHUNK_BYTES).enumerate() {
            assert!(chunk.iter().all(|&b| b == i as u8), "chunk {i}");
        }
    }

    #[test]
    fn given_the_reader_gone_when_written_then_the_writer_reports_a_broken_pipe() {
        let (sender, receiver) = mpsc::channel(CHUNKS_AHEAD);
        drop(receiver);
        let mut out = ChunkWriter::new(sender);
        let error = out.write_all(&vec![0; CHUNK_BYTES]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
    }
}
