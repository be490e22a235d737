//! Audit exports that a compliance officer can verify independently. This crate owns the
//! canonical form of a stored event (RFC 8785 JSON canonicalisation), the SHA-256 hash chain
//! over the store's global order, the export formats (JSON Lines and CSV) with their
//! Ed25519-signed manifest, the verifier that names the first tampered event, the signing
//! key on disk, schema.org ClaimReview JSON-LD for checked and reviewed claims, and the
//! `audit` commands ([`AuditCommand`], [`run`]) that the `newsroom` binary mounts. The
//! hashing, chaining, manifest, verification and ClaimReview logic is pure; the shells page
//! through an [`newsroom_store::EventStore`] with bounded memory.
//!
//! # The event chain
//!
//! Each stored event is reduced to its [`AuditedEvent`]: every envelope field except
//! `recorded_at`, with the global `position` (see the field table there), and serialised
//! with RFC 8785 (sorted keys, shortest round-trip numbers, minimal string escapes; times
//! as RFC 3339 UTC with six fraction digits). Then
//!
//! ```text
//! hash(1) = SHA-256(0^32 || canonical(1))          (genesis: 32 zero bytes)
//! hash(n) = SHA-256(hash(n-1) || canonical(n))
//! ```
//!
//! over **every** event of the store, in global order, whatever the export's filters. An
//! event's hash therefore depends only on it and on every event before it. `recorded_at` is
//! left out because it is the one field a store sets from its own clock: the same events
//! appended in the same order to PostgreSQL and to SQLite get the same positions, stream
//! versions and contents but different `recorded_at`, and so the same hashes (tested
//! against both databases). Integers beyond 2^53 - 1, which RFC 8785 would round, make the
//! export fail rather than hash two different values alike.
//!
//! # An export
//!
//! One line per included event: the event, its `hash`, its `prev_hash` (the hash of the
//! event before it in the store, included in the export or not), `prev_position` (the
//! position of the export's previous line, 0 for the first), `recorded_at` and
//! `export_hash`, a second chain over the export's own lines:
//!
//! ```text
//! export(i) = SHA-256(export(i-1) || be64(prev_position) || be64(position) || hash || be64(len) || recorded_at)
//! ```
//!
//! It covers what the event chain leaves out: `recorded_at`, and which lines the export
//! holds in which order. The last record is the signed manifest: format version, newsroom,
//! creation time, the filters, the store head the export was taken at
//! (`through_position`, `store_head_hash`), `count`, first and last position, `head_hash`
//! (the last line's hash), the final `export_hash`, up to 1024 evenly spaced checkpoints of
//! the export chain, and the public key; signed with Ed25519 over its RFC 8785 bytes.
//!
//! # What verification proves
//!
//! The verifier ([`verify::verify`]) checks the signature first (against a pinned public
//! key if given), then streams the lines. Every line must hash to its `hash`; every line
//! must follow the previous one (`prev_position`, and in an unfiltered export position + 1);
//! neighbours in the store's order must chain (`prev_hash` = the previous line's `hash`);
//! the export chain must match each line and every signed checkpoint; count, last position,
//! head hash and export hash must match the manifest.
//!
//! - **An unfiltered export** proves the whole store up to `through_position`: positions
//!   1..=through, every link checked, the head equal to the signed store head. An edit of
//!   a line (content or recorded time), a removed, inserted or reordered line is named by
//!   position and line ([`verify::Tampering`]).
//! - **A filtered export** (`--article`, `--since`, `--until`) proves that each line is
//!   exactly the event the newsroom's chain has at that position (its hash is the same as
//!   in the unfiltered export and in the store: compare with any other export taken at the
//!   same head, whose signed `store_head_hash` must agree), that the lines are those the
//!   newsroom signed, in that order, with those recorded times. Links between events that
//!   are neighbours in the store are checked; across a gap left by the filter they cannot
//!   be, so a filtered export does **not** prove that the filter was applied faithfully
//!   (that no matching event was left out by the signer): only an unfiltered export proves
//!   completeness. A removed line is named by the position its successor says it followed
//!   (the last one removed, if several in a row).
//! - **Hashes recomputed after a change** (an editor who rewrites the chain and every hash
//!   after it) cannot be told from an honest export line by line, since the per-line hashes
//!   are not secret; the signed checkpoints and final export hash catch it and bound where:
//!   [`verify::Tampering::Rewritten`] between two checkpoints (every line for exports of up
//!   to 1024 events, every 2^k lines beyond).
//! - **The signature** proves that the holder of the private key signed this manifest; it
//!   proves *which newsroom* only if the verifier pins the key the newsroom publishes
//!   (`audit pubkey`, `audit verify --public-key`).
//!
//! # Keys
//!
//! The signing key is a file: PKCS#8 (PEM or DER) or a 32-byte seed in hex; `--key FILE` or
//! `NEWSROOM_SIGNING_KEY`, by default `<data dir>/signing.key`, created on first use with
//! mode 0600 as PKCS#8 PEM (readable by `openssl pkey`).

pub mod canonical;
pub mod claimreview;
mod cli;
pub mod export;
pub mod keys;
pub mod manifest;
pub mod record;
pub mod verify;

use std::path::PathBuf;

pub use canonical::{AuditedEvent, Hash};
pub use cli::{
    run, AuditCommand, AuditEnv, ClaimReviewArgs, ExportArgs, KeyArgs, NewsroomArgs, VerifyArgs,
};
pub use export::{export, ExportOptions, Exporter};
pub use manifest::{Filter, Manifest, SignedManifest};
pub use record::Format;
pub use verify::{verify, Finding, Tampering};

/// Everything that can go wrong in an audit command.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Store(#[from] newsroom_store::StoreError),
    #[error(transparent)]
    Canonical(#[from] canonical::CanonicalError),
    #[error("the store skipped a position: expected {expected}, read {found} (0: nothing)")]
    Gap { expected: u64, found: u64 },
    #[error("the event at position {position} has no recorded time")]
    NotRecorded { position: u64 },
    #[error(transparent)]
    Key(#[from] keys::KeyError),
    #[error("cannot sign the manifest: {0}")]
    Sign(#[from] manifest::SignatureError),
    #[error(transparent)]
    Verify(#[from] verify::VerifyError),
    #[error("the export is not intact: {0}")]
    NotIntact(Box<verify::Tampering>),
    #[error("cannot write {path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the output: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
}
