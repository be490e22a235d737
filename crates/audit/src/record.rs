//! The export's file formats: one record per event, then the signed manifest, as JSON Lines
//! or CSV; writers for the exporter and a streaming reader for the verifier.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::canonical::{AuditedEvent, Hash};
use crate::manifest::SignedManifest;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line: `{"event":{..},"export_hash":..,"hash":..,"prev_hash":..,
    /// "prev_position":..,"recorded_at":..}`, then `{"manifest":{..},"signature":..}`.
    Jsonl,
    /// A header, one row per event (the event's fields flattened, `payload` as canonical
    /// JSON), then a row with `record` = `manifest` whose `payload` is the signed manifest.
    Csv,
}

/// The CSV header.
pub const CSV_COLUMNS: [&str; 17] = [
    "record",
    "prev_position",
    "prev_hash",
    "hash",
    "export_hash",
    "recorded_at",
    "position",
    "event_id",
    "stream_id",
    "stream_version",
    "event_type",
    "schema_version",
    "occurred_at",
    "correlation_id",
    "causation_id",
    "source",
    "payload",
];

/// One event line as the exporter writes it.
#[derive(Debug, Clone, Copy)]
pub struct LineOut<'a> {
    pub prev_position: u64,
    pub prev_hash: &'a Hash,
    pub hash: &'a Hash,
    pub export_hash: &'a Hash,
    pub recorded_at: &'a str,
    pub event: &'a AuditedEvent,
    /// The RFC 8785 bytes of `event`, as hashed.
    pub canonical: &'a [u8],
}

/// Where the exporter writes records: a writer in one of the formats. `Send` whenever the
/// writer is, so an export can run in a spawned task (an HTTP handler).
pub enum Sink<O: Write> {
    Jsonl(io::BufWriter<O>),
    Csv {
        out: Box<csv::Writer<O>>,
        header_written: bool,
    },
}

fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl<O: Write> Sink<O> {
    /// The sink of a format, writing to `out`.
    pub fn new(format: Format, out: O) -> Sink<O> {
        match format {
            Format::Jsonl => Sink::Jsonl(io::BufWriter::with_capacity(1 << 16, out)),
            Format::Csv => Sink::Csv {
                out: Box::new(csv::Writer::from_writer(out)),
                header_written: false,
            },
        }
    }

    fn csv_header(out: &mut csv::Writer<O>, header_written: &mut bool) -> io::Result<()> {
        if !*header_written {
            out.write_record(CSV_COLUMNS).map_err(csv_io)?;
            *header_written = true;
        }
        Ok(())
    }

    pub fn event(&mut self, line: &LineOut<'_>) -> io::Result<()> {
        match self {
            Sink::Jsonl(out) => {
                // Keys in sorted order and nothing to escape in the fixed fields, so every
                // line is itself RFC 8785 canonical JSON.
                out.write_all(b"{\"event\":")?;
                out.write_all(line.canonical)?;
                write!(
                    out,
                    ",\"export_hash\":\"{}\",\"hash\":\"{}\",\"prev_hash\":\"{}\",\"prev_position\":{},\"recorded_at\":",
                    line.export_hash, line.hash, line.prev_hash, line.prev_position
                )?;
                serde_json::to_writer(&mut *out, line.recorded_at)?;
                out.write_all(b"}\n")
            }
            Sink::Csv {
                out,
                header_written,
            } => {
                Self::csv_header(out, header_written)?;
                let e = line.event;
                let payload = serde_json_canonicalizer::to_string(&e.payload)?;
                let causation = e.causation_id.map(|c| c.to_string()).unwrap_or_default();
                out.write_record([
                    "event",
                    &line.prev_position.to_string(),
                    &line.prev_hash.to_hex(),
                    &line.hash.to_hex(),
                    &line.export_hash.to_hex(),
                    line.recorded_at,
                    &e.position.to_string(),
                    &e.event_id.to_string(),
                    &e.stream_id,
                    &e.stream_version.to_string(),
                    &e.event_type,
                    &e.schema_version.to_string(),
                    &e.occurred_at,
                    &e.correlation_id.to_string(),
                    &causation,
                    &e.source,
                    &payload,
                ])
                .map_err(csv_io)
            }
        }
    }

    pub fn manifest(&mut self, signed: &SignedManifest) -> io::Result<()> {
        let json = serde_json_canonicalizer::to_string(signed)?;
        match self {
            Sink::Jsonl(out) => {
                out.write_all(json.as_bytes())?;
                out.write_all(b"\n")
            }
            Sink::Csv {
                out,
                header_written,
            } => {
                Self::csv_header(out, header_written)?;
                let mut row: Vec<&str> = vec![""; CSV_COLUMNS.len()];
                row[0] = "manifest";
                row[CSV_COLUMNS.len() - 1] = &json;
                out.write_record(&row).map_err(csv_io)
            }
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Jsonl(out) => out.flush(),
            Sink::Csv { out, .. } => out.flush(),
        }
    }
}

/// One event record as read back from an export.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordIn {
    /// Where it starts in the file (1-based line number).
    pub line: u64,
    pub prev_position: u64,
    pub prev_hash: Hash,
    pub hash: Hash,
    pub export_hash: Hash,
    pub recorded_at: String,
    /// The event as written, to be canonicalised again.
    pub event: Value,
    /// The event's `position` field.
    pub position: u64,
}

/// One record of an export file.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Event(RecordIn),
    /// The manifest record, as JSON (`{"manifest":{..},"signature":..}`).
    Manifest {
        line: u64,
        value: Value,
    },
}

/// Why an export file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("line {line}: {reason}")]
    Malformed { line: u64, reason: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonlEvent {
    event: Value,
    export_hash: Hash,
    hash: Hash,
    prev_hash: Hash,
    prev_position: u64,
    recorded_at: String,
}

/// Reads the records of an export file one at a time (the format is recognised from the
/// first byte: `{` for JSON Lines, anything else for CSV).
pub struct Records {
    inner: Inner,
    path: PathBuf,
}

enum Inner {
    Jsonl {
        lines: io::Lines<BufReader<File>>,
        line: u64,
    },
    Csv {
        reader: csv::Reader<BufReader<File>>,
        record: csv::StringRecord,
    },
}

impl Records {
    pub fn open(path: &Path) -> Result<Records, ReadError> {
        let io_err = |source| ReadError::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = File::open(path).map_err(io_err)?;
        let mut first = [0u8; 1];
        let n = file.read(&mut first).map_err(io_err)?;
        file.rewind().map_err(io_err)?;
        let reader = BufReader::with_capacity(1 << 16, file);
        let inner = if n == 1 && first[0] == b'{' {
            Inner::Jsonl {
                lines: reader.lines(),
                line: 0,
            }
        } else {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(true)
                .flexible(true)
                .from_reader(reader);
            let header = reader.headers().map_err(|e| ReadError::Malformed {
                line: 1,
                reason: format!("not an audit export (JSON Lines or CSV): {e}"),
            })?;
            if header.iter().ne(CSV_COLUMNS) {
                return Err(ReadError::Malformed {
                    line: 1,
                    reason: format!(
                        "not an audit export: the CSV header is not {}",
                        CSV_COLUMNS.join(",")
                    ),
                });
            }
            Inner::Csv {
                reader,
                record: csv::StringRecord::new(),
            }
        };
        Ok(Records {
            inner,
            path: path.to_owned(),
        })
    }

    /// The next record, or `None` at the end of the file.
    pub fn next_item(&mut self) -> Result<Option<Item>, ReadError> {
        match &mut self.inner {
            Inner::Jsonl { lines, line } => loop {
                let Some(text) = lines.next() else {
                    return Ok(None);
                };
                *line += 1;
                let text = text.map_err(|source| ReadError::Io {
                    path: self.path.clone(),
                    source,
                })?;
                if text.trim().is_empty() {
                    continue;
                }
                return parse_jsonl(*line, &text).map(Some);
            },
            Inner::Csv { reader, record } => {
                let more = reader
                    .read_record(record)
                    .map_err(|e| ReadError::Malformed {
                        line: e.position().map_or(0, |p| p.line()),
                        reason: e.to_string(),
                    })?;
                if !more {
                    return Ok(None);
                }
                let line = record.position().map_or(0, |p| p.line());
                parse_csv(line, record).map(Some)
            }
        }
    }
}

impl Iterator for Records {
    type Item = Result<Item, ReadError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_item().transpose()
    }
}

fn malformed(line: u64, reason: impl Into<String>) -> ReadError {
    ReadError::Malformed {
        line,
        reason: reason.into(),
    }
}

fn position_of(line: u64, event: &Value) -> Result<u64, ReadError> {
    event
        .get("position")
        .and_then(Value::as_u64)
        .ok_or_else(|| malformed(line, "the event has no numeric position"))
}

fn parse_jsonl(line: u64, text: &str) -> Result<Item, ReadError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| malformed(line, format!("not JSON: {e}")))?;
    if value.get("manifest").is_some() {
        return Ok(Item::Manifest { line, value });
    }
    let record = JsonlEvent::deserialize(&value)
        .map_err(|e| malformed(line, format!("not an event record: {e}")))?;
    let position = position_of(line, &record.event)?;
    Ok(Item::Event(RecordIn {
        line,
        prev_position: record.prev_position,
        prev_hash: record.prev_hash,
        hash: record.hash,
        export_hash: record.export_hash,
        recorded_at: record.recorded_at,
        event: record.event,
        position,
    }))
}

fn parse_csv(line: u64, record: &csv::StringRecord) -> Result<Item, ReadError> {
    if record.len() != CSV_COLUMNS.len() {
        return Err(malformed(
            line,
            format!("{} fields, expected {}", record.len(), CSV_COLUMNS.len()),
        ));
    }
    let field = |i: usize| record.get(i).unwrap_or_default();
    let number = |i: usize| -> Result<u64, ReadError> {
        field(i).parse::<u64>().map_err(|_| {
            malformed(
                line,
                format!("{} is not a number: {:?}", CSV_COLUMNS[i], field(i)),
            )
        })
    };
    let hash = |i: usize| -> Result<Hash, ReadError> {
        field(i)
            .parse::<Hash>()
            .map_err(|e| malformed(line, format!("{}: {e}", CSV_COLUMNS[i])))
    };
    let payload: Value = serde_json::from_str(field(16))
        .map_err(|e| malformed(line, format!("payload is not JSON: {e}")))?;
    match field(0) {
        "manifest" => Ok(Item::Manifest {
            line,
            value: payload,
        }),
        "event" => {
            let causation = match field(14) {
                "" => Value::Null,
                id => Value::String(id.to_owned()),
            };
            let position = number(6)?;
            let event = serde_json::json!({
                "position": position,
                "event_id": field(7),
                "stream_id": field(8),
                "stream_version": number(9)?,
                "event_type": field(10),
                "schema_version": number(11)?,
                "occurred_at": field(12),
                "correlation_id": field(13),
                "causation_id": causation,
                "source": field(15),
                "payload": payload,
            });
            Ok(Item::Event(RecordIn {
                line,
                prev_position: number(1)?,
                prev_hash: hash(2)?,
                hash: hash(3)?,
                export_hash: hash(4)?,
                recorded_at: field(5).to_owned(),
                event,
                position,
            }))
        }
        other => Err(malformed(line, format!("unknown record kind {other:?}"))),
    }
}
