//! Export: the pure [`Exporter`] that turns the store's events, in global order, into export
//! lines and a manifest, and the shell that pages through a store into a writer.

use std::collections::HashSet;
use std::io::{IsTerminal as _, Write};

use chrono::Utc;
use ed25519_dalek::SigningKey;
use newsroom_events::{article_stream, Envelope, GlobalPosition, StreamId};
use newsroom_store::EventStore;
use serde_json::Value;

use crate::canonical::{self, format_time, AuditedEvent, Hash, LinkFields};
use crate::manifest::{
    self, Checkpoint, CheckpointLog, Filter, Manifest, SignedManifest, FORMAT, MAX_CHECKPOINTS,
};
use crate::record::{Format, LineOut, Sink};
use crate::AuditError;

/// How many events one store read returns; memory use is bounded by one page.
pub const PAGE_SIZE: usize = 1_000;

/// Which events concern one article, learnt while following the global order: the article's
/// own stream (`article-<id>`: submitted, claims extracted), the claim checks and verdict
/// changes whose payload names the article, and the review events of the claims the
/// article's extraction or checks named (review payloads carry only the claim id).
#[derive(Debug, Clone)]
pub struct ArticleScope {
    article: String,
    stream: StreamId,
    claims: HashSet<String>,
}

impl ArticleScope {
    pub fn new(article: &str) -> ArticleScope {
        ArticleScope {
            article: article.to_owned(),
            stream: article_stream(article),
            claims: HashSet::new(),
        }
    }

    /// Whether `event` concerns the article; learns the article's claims on the way.
    pub fn includes(&mut self, event: &Envelope) -> bool {
        let payload = &event.payload;
        if event.stream_id == self.stream {
            if let Some(claims) = payload.get("claims").and_then(Value::as_array) {
                for claim in claims {
                    if let Some(id) = claim.get("claim_id").and_then(Value::as_str) {
                        self.claims.insert(id.to_owned());
                    }
                }
            }
            return true;
        }
        let named_article = payload
            .get("report")
            .and_then(|r| r.get("article"))
            .or_else(|| payload.get("article"))
            .and_then(Value::as_str);
        let claim_id = payload
            .get("report")
            .and_then(|r| r.get("claim_id"))
            .or_else(|| payload.get("claim_id"))
            .and_then(Value::as_str);
        match (named_article, claim_id) {
            (Some(article), Some(claim)) if article == self.article => {
                self.claims.insert(claim.to_owned());
                true
            }
            (Some(article), _) => article == self.article,
            (None, Some(claim)) => self.claims.contains(claim),
            (None, None) => false,
        }
    }
}

/// One line of an export, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub prev_position: u64,
    pub prev_hash: Hash,
    pub hash: Hash,
    pub export_hash: Hash,
    pub recorded_at: String,
    pub event: AuditedEvent,
    pub canonical: Vec<u8>,
}

impl Line {
    pub fn as_out(&self) -> LineOut<'_> {
        LineOut {
            prev_position: self.prev_position,
            prev_hash: &self.prev_hash,
            hash: &self.hash,
            export_hash: &self.export_hash,
            recorded_at: &self.recorded_at,
            event: &self.event,
            canonical: &self.canonical,
        }
    }
}

/// The signer and the moment, for the manifest.
#[derive(Debug, Clone)]
pub struct ManifestMeta {
    pub newsroom: String,
    pub created_at: chrono::DateTime<Utc>,
    pub public_key: String,
}

/// Follows the store's events from position 1 in order, hashing every one into the chain
/// and emitting a line for those the filter includes. Pure; memory is bounded (the
/// checkpoints are capped, the article scope holds one article's claim ids).
#[derive(Debug, Clone)]
pub struct Exporter {
    filter: Filter,
    scope: Option<ArticleScope>,
    /// The hash of the last event seen (every event, included or not).
    chain_head: Hash,
    /// The position of the last event seen.
    seen: u64,
    export_hash: Hash,
    /// The position of the last line emitted, 0 before the first.
    last_line: u64,
    count: u64,
    first_position: Option<u64>,
    head_hash: Hash,
    checkpoints: CheckpointLog,
}

impl Exporter {
    pub fn new(filter: Filter) -> Exporter {
        Exporter {
            scope: filter.article.as_deref().map(ArticleScope::new),
            filter,
            chain_head: Hash::GENESIS,
            seen: 0,
            export_hash: Hash::GENESIS,
            last_line: 0,
            count: 0,
            first_position: None,
            head_hash: Hash::GENESIS,
            checkpoints: CheckpointLog::new(MAX_CHECKPOINTS),
        }
    }

    /// The position of the last event hashed so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// Takes the next stored event (it must be at the position after the last one) and
    /// returns its line if the filter includes it.
    pub fn push(&mut self, envelope: &Envelope) -> Result<Option<Line>, AuditError> {
        let position = envelope.position.map_or(0, |p| p.0);
        if position != self.seen + 1 {
            return Err(AuditError::Gap {
                expected: self.seen + 1,
                found: position,
            });
        }
        let recorded_at = envelope
            .recorded_at
            .ok_or(AuditError::NotRecorded { position })?;
        let event = AuditedEvent::of(envelope)?;
        let canonical = event.canonical()?;
        let prev_hash = self.chain_head;
        let hash = canonical::chain(&prev_hash, &canonical);
        self.chain_head = hash;
        self.seen = position;

        // The scope learns from every event, also those outside the time range.
        let in_scope = self.scope.as_mut().is_none_or(|s| s.includes(envelope));
        if !(in_scope && self.filter.in_time_range(recorded_at)) {
            return Ok(None);
        }
        let recorded_at = format_time(recorded_at);
        let prev_position = self.last_line;
        let export_hash = canonical::export_link(
            &self.export_hash,
            LinkFields {
                prev_position,
                position,
                hash: &hash,
                recorded_at: &recorded_at,
            },
        );
        self.export_hash = export_hash;
        self.last_line = position;
        self.count += 1;
        self.first_position.get_or_insert(position);
        self.head_hash = hash;
        self.checkpoints.record(Checkpoint {
            line: self.count,
            position,
            export_hash,
        });
        Ok(Some(Line {
            prev_position,
            prev_hash,
            hash,
            export_hash,
            recorded_at,
            event,
            canonical,
        }))
    }

    /// The manifest of everything pushed.
    pub fn finish(self, meta: ManifestMeta) -> Manifest {
        Manifest {
            format: FORMAT.to_owned(),
            newsroom: meta.newsroom,
            created_at: format_time(meta.created_at),
            filters: self.filter.stated(),
            through_position: self.seen,
            store_head_hash: self.chain_head,
            count: self.count,
            first_position: self.first_position,
            last_position: (self.count > 0).then_some(self.last_line),
            head_hash: self.head_hash,
            export_hash: self.export_hash,
            checkpoints: self.checkpoints.into_vec(),
            public_key: meta.public_key,
        }
    }
}

/// What to export and how.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub filter: Filter,
    pub format: Format,
    /// The signer's name in the manifest.
    pub newsroom: String,
    /// Draw a progress bar on stderr (only if stderr is a terminal).
    pub progress: bool,
}

/// Exports the store's events up to its head when the export starts: pages through
/// [`EventStore::read_all_after`] ([`PAGE_SIZE`] events at a time), writes each included
/// event's line to `out`, then the manifest signed with `key`.
///
/// The future is `Send` when `W` is, so it can run in a spawned task.
pub async fn export<W: Write + ?Sized>(
    store: &dyn EventStore,
    key: &SigningKey,
    options: &ExportOptions,
    out: &mut W,
) -> Result<SignedManifest, AuditError> {
    let through = store.head().await?.0;
    let bar = progress_bar(options.progress, through);
    let mut exporter = Exporter::new(options.filter.clone());
    let mut sink = Sink::new(options.format, out);
    'pages: while exporter.seen() < through {
        let page = store
            .read_all_after(GlobalPosition(exporter.seen()), PAGE_SIZE)
            .await?;
        if page.is_empty() {
            return Err(AuditError::Gap {
                expected: exporter.seen() + 1,
                found: 0,
            });
        }
        for envelope in &page {
            if envelope.position.is_some_and(|p| p.0 > through) {
                break 'pages;
            }
            if let Some(line) = exporter.push(envelope)? {
                sink.event(&line.as_out())?;
            }
        }
        bar.set_position(exporter.seen());
    }
    let manifest = exporter.finish(ManifestMeta {
        newsroom: options.newsroom.clone(),
        created_at: Utc::now(),
        public_key: manifest::public_key_hex(&key.verifying_key()),
    });
    let signed = manifest::sign(manifest, key)?;
    sink.manifest(&signed)?;
    sink.flush()?;
    bar.finish_and_clear();
    tracing::info!(
        count = signed.manifest.count,
        through = signed.manifest.through_position,
        head = %signed.manifest.store_head_hash,
        "audit export written"
    );
    Ok(signed)
}

fn progress_bar(wanted: bool, len: u64) -> indicatif::ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let style = indicatif::ProgressStyle::with_template(
        "{prefix:>12} [{bar:32}] {pos}/{len} events {per_sec} eta {eta}",
    )
    .map(|s| s.progress_chars("=> "))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    indicatif::ProgressBar::new(len)
        .with_style(style)
        .with_prefix("exporting")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use newsroom_events::{EventId, StreamVersion};
    use serde_json::json;
    use uuid::Uuid;

    fn stored(position: u64, stream: &str, event_type: &str, payload: Value) -> Envelope {
        Envelope {
            event_id: EventId(Uuid::from_u128(position as u128)),
            stream_id: StreamId::new(stream),
            stream_version: StreamVersion(1),
            event_type: event_type.to_owned(),
            schema_version: 1,
            occurred_at: Utc.with_ymd_and_hms(2015, 5, 8, 0, 0, 0).unwrap(),
            recorded_at: Some(
                Utc.with_ymd_and_hms(2015, 5, 8, 0, 0, position as u32)
                    .unwrap(),
            ),
            position: Some(GlobalPosition(position)),
            correlation_id: Uuid::from_u128(1),
            causation_id: None,
            source: "test".to_owned(),
            payload,
        }
    }

    #[test]
    fn an_article_scope_follows_the_article_its_claims_checks_and_reviews() {
        // given an article whose extraction names claim c1, and events of another article
        let mut scope = ArticleScope::new("a1");
        let events = [
            stored(
                1,
                "article-a1",
                "article.submitted",
                json!({"article_id": "a1"}),
            ),
            stored(
                2,
                "article-a1",
                "claims.extracted",
                json!({"article_id": "a1", "claims": [{"claim_id": "c1"}]}),
            ),
            stored(
                3,
                "claim-c1",
                "claim.checked",
                json!({"report": {"article": "a1", "claim_id": "c1"}}),
            ),
            stored(
                4,
                "claim-c9",
                "claim.checked",
                json!({"report": {"article": "a2", "claim_id": "c9"}}),
            ),
            stored(5, "review-c1", "review.assigned", json!({"claim_id": "c1"})),
            stored(6, "review-c9", "review.assigned", json!({"claim_id": "c9"})),
            stored(
                7,
                "claim-c1",
                "verdict.changed",
                json!({"article": "a1", "claim_id": "c1"}),
            ),
            stored(8, "tally-2015-E1", "tally.declared", json!({"result": {}})),
        ];
        // when each is tested
        let included: Vec<u64> = events
            .iter()
            .filter(|e| scope.includes(e))
            .map(|e| e.position.unwrap().0)
            .collect();
        // then only the article's own events are in scope
        assert_eq!(included, [1, 2, 3, 5, 7]);
    }

    #[test]
    fn a_filtered_export_chains_every_event_but_emits_only_the_included_ones() {
        // given three events, the middle one of another article
        let events = [
            stored(
                1,
                "article-a1",
                "article.submitted",
                json!({"article_id": "a1"}),
            ),
            stored(
                2,
                "article-a2",
                "article.submitted",
                json!({"article_id": "a2"}),
            ),
            stored(
                3,
                "article-a1",
                "claims.extracted",
                json!({"article_id": "a1", "claims": []}),
            ),
        ];
        let mut full = Exporter::new(Filter::default());
        let full_lines: Vec<Line> = events
            .iter()
            .filter_map(|e| full.push(e).unwrap())
            .collect();
        let mut filtered = Exporter::new(Filter {
            article: Some("a1".to_owned()),
            ..Filter::default()
        });
        let lines: Vec<Line> = events
            .iter()
            .filter_map(|e| filtered.push(e).unwrap())
            .collect();
        // then the filtered lines have the full chain's hashes, and say which line preceded them
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].hash, full_lines[0].hash);
        assert_eq!(lines[1].hash, full_lines[2].hash);
        assert_eq!(lines[1].prev_hash, full_lines[1].hash);
        assert_eq!((lines[0].prev_position, lines[1].prev_position), (0, 1));
        // and both manifests state the same store head
        let meta = ManifestMeta {
            newsroom: "n".to_owned(),
            created_at: Utc::now(),
            public_key: String::new(),
        };
        let (m_full, m_filtered) = (full.finish(meta.clone()), filtered.finish(meta));
        assert_eq!(m_full.store_head_hash, m_filtered.store_head_hash);
        assert_eq!(m_filtered.count, 2);
        assert_eq!(m_filtered.head_hash, full_lines[2].hash);
        assert_eq!(m_filtered.filters.article.as_deref(), Some("a1"));
    }

    #[test]
    fn a_gap_in_the_store_order_stops_the_export() {
        let mut exporter = Exporter::new(Filter::default());
        exporter.push(&stored(1, "s", "t", json!({}))).unwrap();
        match exporter.push(&stored(3, "s", "t", json!({}))) {
            Err(AuditError::Gap {
                expected: 2,
                found: 3,
            }) => {}
            other => panic!("expected a gap, got {other:?}"),
        }
    }
}
