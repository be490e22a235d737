//! The export's manifest, what it commits to, and its Ed25519 signature. Pure.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical::{self, format_time, Hash};

/// The version of the export format and of its hashing rules.
pub const FORMAT: &str = "newsroom-audit/1";

/// How many checkpoints a manifest holds at most; the exporter doubles the stride between
/// them whenever more would be needed, so the manifest stays small at any export size.
pub const MAX_CHECKPOINTS: usize = 1024;

/// Which events an export holds. The chain is always computed over every event of the
/// store; filters only choose which lines are written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Events recorded at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Events recorded before this time.
    pub until: Option<DateTime<Utc>>,
    /// Events about this article: its own stream, its claims' checks and verdict changes,
    /// and the reviews of its claims.
    pub article: Option<String>,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        self.since.is_none() && self.until.is_none() && self.article.is_none()
    }

    /// Whether an event recorded at `recorded_at` falls in the time range.
    pub fn in_time_range(&self, recorded_at: DateTime<Utc>) -> bool {
        self.since.is_none_or(|since| recorded_at >= since)
            && self.until.is_none_or(|until| recorded_at < until)
    }

    pub fn stated(&self) -> Filters {
        Filters {
            since: self.since.map(format_time),
            until: self.until.map(format_time),
            article: self.article.clone(),
        }
    }
}

/// The filters as the manifest states them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    pub since: Option<String>,
    pub until: Option<String>,
    pub article: Option<String>,
}

impl Filters {
    /// Whether the export may leave events out (any filter set).
    pub fn is_filtered(&self) -> bool {
        self.since.is_some() || self.until.is_some() || self.article.is_some()
    }
}

/// The export chain's value after one line, signed in the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The line's index among the export's event lines, from 1.
    pub line: u64,
    pub position: u64,
    pub export_hash: Hash,
}

/// Checkpoints every `stride` lines, at most [`MAX_CHECKPOINTS`] of them: when full, every
/// other one is dropped and the stride doubles. Memory stays bounded whatever the export's
/// size.
#[derive(Debug, Clone)]
pub struct CheckpointLog {
    stride: u64,
    max: usize,
    list: Vec<Checkpoint>,
}

impl CheckpointLog {
    pub fn new(max: usize) -> CheckpointLog {
        CheckpointLog {
            stride: 1,
            max: max.max(1),
            list: Vec::new(),
        }
    }

    pub fn record(&mut self, checkpoint: Checkpoint) {
        if !checkpoint.line.is_multiple_of(self.stride) {
            return;
        }
        self.list.push(checkpoint);
        if self.list.len() > self.max {
            self.stride *= 2;
            let stride = self.stride;
            self.list.retain(|c| c.line.is_multiple_of(stride));
        }
    }

    pub fn into_vec(self) -> Vec<Checkpoint> {
        self.list
    }
}

/// What an export commits to. Signed as its RFC 8785 canonical bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// Who signs: the newsroom's name.
    pub newsroom: String,
    pub created_at: String,
    pub filters: Filters,
    /// The store's last position when the export began; the chain was computed up to it.
    pub through_position: u64,
    /// The chain's hash at `through_position`: the head of the whole store's chain, the same
    /// in every export taken at that point, filtered or not.
    pub store_head_hash: Hash,
    /// How many event lines the export holds.
    pub count: u64,
    pub first_position: Option<u64>,
    pub last_position: Option<u64>,
    /// The hash of the last exported event (the genesis hash if none).
    pub head_hash: Hash,
    /// The export chain's value after the last line (the genesis hash if none).
    pub export_hash: Hash,
    pub checkpoints: Vec<Checkpoint>,
    /// The Ed25519 public key that signs, 64 hex digits.
    pub public_key: String,
}

/// A manifest with its signature: the export's last record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedManifest {
    pub manifest: Manifest,
    /// Ed25519 over the manifest's RFC 8785 bytes, 128 hex digits.
    pub signature: String,
}

/// Why a manifest cannot be signed or its signature does not hold.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SignatureError {
    #[error("the manifest record is not a manifest: {0}")]
    Malformed(String),
    #[error("the manifest's public key is not an Ed25519 key: {0}")]
    BadKey(String),
    #[error("the signature is not 64 bytes of hex")]
    BadSignatureEncoding,
    #[error("the signature does not match the manifest: the manifest was altered or signed by another key")]
    Mismatch,
    #[error(transparent)]
    Canonical(#[from] canonical::CanonicalError),
}

/// Signs `manifest` (whose `public_key` must be `key`'s).
pub fn sign(manifest: Manifest, key: &SigningKey) -> Result<SignedManifest, SignatureError> {
    let value =
        serde_json::to_value(&manifest).map_err(|e| SignatureError::Malformed(e.to_string()))?;
    let bytes = canonical::canonical_value(0, &value)?;
    let signature = key.sign(&bytes);
    Ok(SignedManifest {
        manifest,
        signature: hex::encode(signature.to_bytes()),
    })
}

/// The public key as the manifest spells it.
pub fn public_key_hex(key: &VerifyingKey) -> String {
    hex::encode(key.to_bytes())
}

/// Parses a public key from 64 hex digits.
pub fn parse_public_key(hex_key: &str) -> Result<VerifyingKey, SignatureError> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(hex_key.trim(), &mut bytes)
        .map_err(|e| SignatureError::BadKey(e.to_string()))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| SignatureError::BadKey(e.to_string()))
}

/// Checks the signature of a manifest record as read from an export (the signature covers
/// the manifest exactly as written, re-canonicalised) and returns the typed manifest.
pub fn verify_signed(record: &Value) -> Result<Manifest, SignatureError> {
    let object = record.as_object().filter(|o| o.len() == 2).ok_or_else(|| {
        SignatureError::Malformed("expected {\"manifest\", \"signature\"}".to_owned())
    })?;
    let manifest_value = object
        .get("manifest")
        .ok_or_else(|| SignatureError::Malformed("no manifest".to_owned()))?;
    let signature_hex = object
        .get("signature")
        .and_then(Value::as_str)
        .ok_or_else(|| SignatureError::Malformed("no signature".to_owned()))?;
    let manifest = Manifest::deserialize(manifest_value)
        .map_err(|e| SignatureError::Malformed(e.to_string()))?;
    let key = parse_public_key(&manifest.public_key)?;
    let mut signature = [0u8; 64];
    hex::decode_to_slice(signature_hex, &mut signature)
        .map_err(|_| SignatureError::BadSignatureEncoding)?;
    let bytes = canonical::canonical_value(0, manifest_value)?;
    key.verify(&bytes, &Signature::from_bytes(&signature))
        .map_err(|_| SignatureError::Mismatch)?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(key: &SigningKey) -> Manifest {
        Manifest {
            format: FORMAT.to_owned(),
            newsroom: "The Daily Check".to_owned(),
            created_at: "2024-07-05T01:02:03.000000Z".to_owned(),
            filters: Filters::default(),
            through_position: 3,
            store_head_hash: Hash([3; 32]),
            count: 3,
            first_position: Some(1),
            last_position: Some(3),
            head_hash: Hash([3; 32]),
            export_hash: Hash([9; 32]),
            checkpoints: vec![],
            public_key: public_key_hex(&key.verifying_key()),
        }
    }

    #[test]
    fn a_signed_manifest_verifies_and_any_change_to_it_does_not() {
        // given a manifest signed with a key
        let key = SigningKey::from_bytes(&[7; 32]);
        let signed = sign(manifest(&key), &key).unwrap();
        let value = serde_json::to_value(&signed).unwrap();
        // then it verifies
        assert_eq!(verify_signed(&value).unwrap(), signed.manifest);
        // when the count is changed, then it does not
        let mut altered = value.clone();
        altered["manifest"]["count"] = 2.into();
        assert_eq!(verify_signed(&altered), Err(SignatureError::Mismatch));
        // when another key re-signs it but the manifest keeps the first key, then it does not
        let other = SigningKey::from_bytes(&[8; 32]);
        let forged = sign(manifest(&key), &other).unwrap();
        let forged = serde_json::to_value(&forged).unwrap();
        assert_eq!(verify_signed(&forged), Err(SignatureError::Mismatch));
    }

    #[test]
    fn the_checkpoint_log_keeps_at_most_its_maximum_evenly_spaced() {
        // given a log of at most 4 checkpoints
        let mut log = CheckpointLog::new(4);
        // when 20 lines are recorded
        for line in 1..=20 {
            log.record(Checkpoint {
                line,
                position: line * 10,
                export_hash: Hash::GENESIS,
            });
        }
        // then every 8th line is kept (stride 1 -> 2 -> 4 -> 8)
        let lines: Vec<u64> = log.into_vec().iter().map(|c| c.line).collect();
        assert_eq!(lines, [8, 16]);
    }

    #[test]
    fn the_time_filter_includes_since_and_excludes_until() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let filter = Filter {
            since: Some(t("2024-01-01T00:00:00Z")),
            until: Some(t("2024-02-01T00:00:00Z")),
            article: None,
        };
        assert!(filter.in_time_range(t("2024-01-01T00:00:00Z")));
        assert!(filter.in_time_range(t("2024-01-31T23:59:59Z")));
        assert!(!filter.in_time_range(t("2024-02-01T00:00:00Z")));
        assert!(!filter.in_time_range(t("2023-12-31T23:59:59Z")));
    }
}
