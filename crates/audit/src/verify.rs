//! Verification of an export file: the manifest's signature, every line's event hash, the
//! links between lines, the export chain and the signed checkpoints. Streams the file (and
//! re-reads it once to tell a reordering from a removal or insertion), so memory stays small.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::canonical::{self, AuditedEvent, Hash, LinkFields};
use crate::manifest::{self, Filters, Manifest, SignatureError};
use crate::record::{Item, ReadError, RecordIn, Records};

/// What verification found.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    Intact(Summary),
    Tampered(Tampering),
}

/// An intact export, as its signed manifest describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub newsroom: String,
    pub created_at: String,
    pub public_key: String,
    pub filters: Filters,
    pub count: u64,
    pub first_position: Option<u64>,
    pub last_position: Option<u64>,
    pub through_position: u64,
    pub head_hash: Hash,
    pub store_head_hash: Hash,
}

/// The first thing wrong with an export. Positions are the store's global positions;
/// `line` is where in the file it was noticed.
#[derive(Debug, Clone, PartialEq)]
pub enum Tampering {
    /// The event at `position` (or its recorded time) is not what was exported: its content
    /// does not hash to its hash, its successor does not chain from it, or its export link
    /// does not match.
    Changed { position: u64, line: u64 },
    /// The event at `position` is missing. In an unfiltered export this is the first missing
    /// position; in a filtered one the line after the gap names the position it followed,
    /// which is the last event removed there.
    Removed { position: u64, line: u64 },
    /// A line for `position` that the export did not have: a second copy of an event, or an
    /// event standing where the export chain has none.
    Inserted { position: u64, line: u64 },
    /// The event at `position` stands out of the global order (moved elsewhere in the file;
    /// of two swapped neighbours, the one that now comes first).
    Reordered { position: u64, line: u64 },
    /// Every line is consistent with its neighbours but the export chain disagrees with the
    /// signed manifest: lines were altered and all hashes after them recomputed. The change
    /// lies after position `after` (0: from the start) and at or before `through`.
    Rewritten { after: u64, through: u64 },
    /// The manifest record is missing.
    NoManifest,
    /// The manifest's signature does not hold.
    Signature(SignatureError),
    /// The signature holds, but with another key than the one the verifier trusts.
    UntrustedKey { expected: String, found: String },
    /// A record cannot be read as an export record.
    Malformed { line: u64, reason: String },
}

impl fmt::Display for Tampering {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tampering::Changed { position, line } => {
                write!(f, "the event at position {position} was changed (line {line})")
            }
            Tampering::Removed { position, line } => {
                write!(f, "the event at position {position} was removed (noticed at line {line})")
            }
            Tampering::Inserted { position, line } => {
                write!(f, "an event at position {position} was inserted (line {line})")
            }
            Tampering::Reordered { position, line } => {
                write!(f, "the event at position {position} was moved out of order (line {line})")
            }
            Tampering::Rewritten { after, through } => write!(
                f,
                "the export was rewritten with recomputed hashes between positions {} and {through}: \
                 the signed checkpoint does not match",
                after + 1
            ),
            Tampering::NoManifest => f.write_str("the export has no manifest (truncated?)"),
            Tampering::Signature(e) => write!(f, "the manifest's signature does not hold: {e}"),
            Tampering::UntrustedKey { expected, found } => write!(
                f,
                "the manifest is signed by key {found}, not by the trusted key {expected}"
            ),
            Tampering::Malformed { line, reason } => write!(f, "line {line} is malformed: {reason}"),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Tampered(t) => write!(f, "NOT INTACT: {t}"),
            Finding::Intact(s) => {
                let range = match (s.first_position, s.last_position) {
                    (Some(a), Some(b)) => format!("positions {a}..={b}"),
                    _ => "no events".to_owned(),
                };
                write!(
                    f,
                    "intact: {} events, {range}, head hash {}, store head {} at position {}; \
                     signed by {} (key {}) at {}",
                    s.count,
                    s.head_hash,
                    s.store_head_hash,
                    s.through_position,
                    s.newsroom,
                    s.public_key,
                    s.created_at
                )?;
                if s.filters.is_filtered() {
                    write!(
                        f,
                        "; filtered ({}): complete only as to the lines it holds",
                        describe_filters(&s.filters)
                    )?;
                }
                Ok(())
            }
        }
    }
}

fn describe_filters(filters: &Filters) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &filters.article {
        parts.push(format!("article {a}"));
    }
    if let Some(s) = &filters.since {
        parts.push(format!("since {s}"));
    }
    if let Some(u) = &filters.until {
        parts.push(format!("until {u}"));
    }
    parts.join(", ")
}

/// Why an export could not be verified at all (as opposed to being found tampered with).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not an audit export: {reason}")]
    NotAnExport { path: PathBuf, reason: String },
}

impl VerifyError {
    fn from_read(path: &Path, e: ReadError) -> VerifyError {
        match e {
            ReadError::Io { path, source } => VerifyError::Io { path, source },
            ReadError::Malformed { reason, .. } => VerifyError::NotAnExport {
                path: path.to_owned(),
                reason,
            },
        }
    }
}

/// Verifies the export at `path`. With `trusted_key` (64 hex digits), the manifest must be
/// signed by that key; without it, by the key the manifest names (which proves integrity,
/// not who signed: pin the newsroom's published key to prove that).
pub fn verify(path: &Path, trusted_key: Option<&str>) -> Result<Finding, VerifyError> {
    let (manifest_line, manifest_value) = match find_manifest(path)? {
        Some(found) => found,
        None => return Ok(Finding::Tampered(Tampering::NoManifest)),
    };
    let manifest = match manifest::verify_signed(&manifest_value) {
        Ok(m) => m,
        Err(e) => return Ok(Finding::Tampered(Tampering::Signature(e))),
    };
    if let Some(trusted) = trusted_key {
        let trusted = trusted.trim().to_ascii_lowercase();
        if trusted != manifest.public_key {
            return Ok(Finding::Tampered(Tampering::UntrustedKey {
                expected: trusted,
                found: manifest.public_key,
            }));
        }
    }
    let mut walk = Walk::new(path, &manifest, manifest_line)?;
    match walk.run() {
        Ok(Ok(())) => Ok(Finding::Intact(Summary {
            newsroom: manifest.newsroom.clone(),
            created_at: manifest.created_at.clone(),
            public_key: manifest.public_key.clone(),
            filters: manifest.filters.clone(),
            count: manifest.count,
            first_position: manifest.first_position,
            last_position: manifest.last_position,
            through_position: manifest.through_position,
            head_hash: manifest.head_hash,
            store_head_hash: manifest.store_head_hash,
        })),
        Ok(Err(tampering)) => Ok(Finding::Tampered(tampering)),
        Err(e) => Err(VerifyError::from_read(path, e)),
    }
}

/// The last manifest record of the file, if any.
fn find_manifest(path: &Path) -> Result<Option<(u64, serde_json::Value)>, VerifyError> {
    let mut records = Records::open(path).map_err(|e| VerifyError::from_read(path, e))?;
    let mut found = None;
    loop {
        match records.next_item() {
            Ok(None) => return Ok(found),
            Ok(Some(Item::Manifest { line, value })) => found = Some((line, value)),
            Ok(Some(Item::Event(_))) | Err(ReadError::Malformed { .. }) => {}
            Err(e) => return Err(VerifyError::from_read(path, e)),
        }
    }
}

/// The second pass: every event line in file order.
struct Walk<'a> {
    path: &'a Path,
    manifest: &'a Manifest,
    manifest_line: u64,
    full: bool,
    records: Records,
    lookahead: Option<Item>,
    /// The last accepted line's position and hash (0 and the genesis before the first).
    prev_position: u64,
    prev_hash: Hash,
    prev_line: u64,
    export_hash: Hash,
    count: u64,
    next_checkpoint: usize,
    last_good_checkpoint: u64,
    /// The first line beyond the manifest's count.
    extra: Option<(u64, u64)>,
}

type Step = Result<Result<(), Tampering>, ReadError>;

impl<'a> Walk<'a> {
    fn new(
        path: &'a Path,
        manifest: &'a Manifest,
        manifest_line: u64,
    ) -> Result<Walk<'a>, VerifyError> {
        Ok(Walk {
            path,
            manifest,
            manifest_line,
            full: !manifest.filters.is_filtered(),
            records: Records::open(path).map_err(|e| VerifyError::from_read(path, e))?,
            lookahead: None,
            prev_position: 0,
            prev_hash: Hash::GENESIS,
            prev_line: 0,
            export_hash: Hash::GENESIS,
            count: 0,
            next_checkpoint: 0,
            last_good_checkpoint: 0,
            extra: None,
        })
    }

    fn next(&mut self) -> Result<Option<Item>, ReadError> {
        match self.lookahead.take() {
            Some(item) => Ok(Some(item)),
            None => self.records.next_item(),
        }
    }

    /// The next event record, without consuming it.
    fn peek_event(&mut self) -> Result<Option<RecordIn>, ReadError> {
        if self.lookahead.is_none() {
            self.lookahead = match self.records.next_item() {
                Ok(item) => item,
                Err(ReadError::Malformed { .. }) => None,
                Err(e) => return Err(e),
            };
        }
        Ok(match &self.lookahead {
            Some(Item::Event(r)) => Some(r.clone()),
            _ => None,
        })
    }

    /// The first event record after line `after_line` that satisfies `wanted`.
    fn search(
        &self,
        after_line: u64,
        wanted: impl Fn(&RecordIn) -> bool,
    ) -> Result<Option<RecordIn>, ReadError> {
        let mut records = Records::open(self.path)?;
        loop {
            match records.next_item() {
                Ok(None) => return Ok(None),
                Ok(Some(Item::Event(r))) if r.line > after_line && wanted(&r) => {
                    return Ok(Some(r))
                }
                Ok(Some(_)) | Err(ReadError::Malformed { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn run(&mut self) -> Step {
        let mut after_manifest = false;
        loop {
            match self.next() {
                Ok(None) => break,
                Ok(Some(Item::Manifest { line, .. })) => {
                    if line != self.manifest_line {
                        return Ok(Err(Tampering::Malformed {
                            line,
                            reason: "a second manifest".to_owned(),
                        }));
                    }
                    after_manifest = true;
                }
                Ok(Some(Item::Event(record))) => {
                    if after_manifest {
                        return Ok(Err(Tampering::Inserted {
                            position: record.position,
                            line: record.line,
                        }));
                    }
                    if let Err(t) = self.line(record)? {
                        return Ok(Err(t));
                    }
                }
                Err(ReadError::Malformed { line, reason }) => {
                    return Ok(Err(Tampering::Malformed { line, reason }))
                }
                Err(e) => return Err(e),
            }
        }
        Ok(self.end())
    }

    fn line(&mut self, c: RecordIn) -> Step {
        let changed = Tampering::Changed {
            position: c.position,
            line: c.line,
        };
        // The line's own content against its hash.
        if let Err(e) = AuditedEvent::deserialize(&c.event) {
            return Ok(Err(Tampering::Malformed {
                line: c.line,
                reason: format!("not an audited event: {e}"),
            }));
        }
        let bytes = match canonical::canonical_value(c.position, &c.event) {
            Ok(bytes) => bytes,
            Err(e) => {
                return Ok(Err(Tampering::Malformed {
                    line: c.line,
                    reason: e.to_string(),
                }))
            }
        };
        if canonical::chain(&c.prev_hash, &bytes) != c.hash || c.prev_position >= c.position {
            return Ok(Err(changed));
        }

        // Its place in the order.
        let links = |r: &RecordIn, prev: u64, full: bool| {
            r.prev_position == prev && (!full || r.position == prev + 1)
        };
        if !links(&c, self.prev_position, self.full) {
            return self.misplaced(c).map(Err);
        }

        // The event chain between neighbours in the store's order.
        if c.position == self.prev_position + 1 && c.prev_hash != self.prev_hash {
            return Ok(Err(Tampering::Changed {
                position: self.prev_position,
                line: self.prev_line,
            }));
        }

        // The export chain (covers the recorded time and the line's predecessor).
        let export_hash = canonical::export_link(
            &self.export_hash,
            LinkFields {
                prev_position: c.prev_position,
                position: c.position,
                hash: &c.hash,
                recorded_at: &c.recorded_at,
            },
        );
        if export_hash != c.export_hash {
            return Ok(Err(changed));
        }
        self.count += 1;
        if self.count == self.manifest.count + 1 {
            self.extra = Some((c.position, c.line));
        }
        if let Some(checkpoint) = self.manifest.checkpoints.get(self.next_checkpoint) {
            if checkpoint.line == self.count {
                if checkpoint.position != c.position || checkpoint.export_hash != export_hash {
                    return Ok(Err(Tampering::Rewritten {
                        after: self.last_good_checkpoint,
                        through: checkpoint.position.max(c.position),
                    }));
                }
                self.last_good_checkpoint = c.position;
                self.next_checkpoint += 1;
            }
        }
        self.prev_position = c.position;
        self.prev_hash = c.hash;
        self.prev_line = c.line;
        self.export_hash = export_hash;
        Ok(Ok(()))
    }

    /// Classifies a line that does not follow the last accepted one.
    fn misplaced(&mut self, c: RecordIn) -> Result<Tampering, ReadError> {
        let (prev, full) = (self.prev_position, self.full);
        if c.position <= prev {
            // A position already passed: a second copy.
            return Ok(Tampering::Inserted {
                position: c.position,
                line: c.line,
            });
        }
        if c.prev_position < prev {
            // This line followed an earlier one: the line before it was not in the export.
            return Ok(Tampering::Inserted {
                position: prev,
                line: self.prev_line,
            });
        }
        let next_links_back = self
            .peek_event()?
            .is_some_and(|n| n.prev_position == prev && (!full || n.position == prev + 1));
        if next_links_back {
            // The next line continues the order without this one: it is an intruder here,
            // a copy if its position appears again, else moved here from its place.
            let again = self.search(c.line, |r| r.position == c.position)?;
            return Ok(if again.is_some() {
                Tampering::Inserted {
                    position: c.position,
                    line: c.line,
                }
            } else {
                Tampering::Reordered {
                    position: c.position,
                    line: c.line,
                }
            });
        }
        // Something is missing before this line: moved further down, or removed.
        let later = if full {
            self.search(c.line, |r| r.position == prev + 1)?
        } else {
            self.search(c.line, |r| r.position > prev && r.position < c.position)?
        };
        Ok(match later {
            Some(r) => Tampering::Reordered {
                position: r.position,
                line: r.line,
            },
            None => Tampering::Removed {
                position: if full { prev + 1 } else { c.prev_position },
                line: c.line,
            },
        })
    }

    fn end(&self) -> Result<(), Tampering> {
        let m = self.manifest;
        if self.count > m.count {
            let (position, line) = self.extra.unwrap_or((self.prev_position, self.prev_line));
            return Err(Tampering::Inserted { position, line });
        }
        if self.count < m.count {
            let position = if self.full {
                self.prev_position + 1
            } else {
                m.last_position.unwrap_or(self.prev_position + 1)
            };
            return Err(Tampering::Removed {
                position,
                line: self.manifest_line,
            });
        }
        let last = (self.count > 0).then_some(self.prev_position);
        let head = if self.count > 0 {
            self.prev_hash
        } else {
            Hash::GENESIS
        };
        if last != m.last_position
            || head != m.head_hash
            || self.export_hash != m.export_hash
            || self.next_checkpoint != m.checkpoints.len()
        {
            return Err(Tampering::Rewritten {
                after: self.last_good_checkpoint,
                through: m
                    .last_position
                    .unwrap_or(self.prev_position)
                    .max(self.prev_position),
            });
        }
        if self.full && (self.prev_position != m.through_position || head != m.store_head_hash) {
            // A signed unfiltered export that stops short of the store head it names.
            return Err(Tampering::Removed {
                position: self.prev_position + 1,
                line: self.manifest_line,
            });
        }
        Ok(())
    }
}
