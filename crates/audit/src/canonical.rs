//! The canonical form of a stored event and the SHA-256 hash chain over it. Pure.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Timelike, Utc};
use newsroom_events::Envelope;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Largest integer magnitude an RFC 8785 canonical form represents exactly (2^53 - 1):
/// JCS writes every number as an IEEE 754 double.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A SHA-256 digest: an event hash, an export hash, written as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// What the first event of the store chains from: 32 zero bytes.
    pub const GENESIS: Hash = Hash([0; 32]);

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

/// A text that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a SHA-256 hash (64 hex digits): {0:?}")]
pub struct BadHash(pub String);

impl FromStr for Hash {
    type Err = BadHash;
    fn from_str(s: &str) -> Result<Hash, BadHash> {
        let mut bytes = [0u8; 32];
        // Lowercase only, so that one hash has one spelling.
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(BadHash(s.to_owned()));
        }
        hex::decode_to_slice(s, &mut bytes).map_err(|_| BadHash(s.to_owned()))?;
        Ok(Hash(bytes))
    }
}

impl Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Why an event has no canonical form.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CanonicalError {
    #[error("event {event_id} is not stored (it has no position)")]
    NoPosition { event_id: Uuid },
    #[error(
        "event at position {position} holds the integer {value} at {path}, beyond the \
         2^53 - 1 that RFC 8785 canonical JSON represents exactly"
    )]
    UnsafeInteger {
        position: u64,
        path: String,
        value: String,
    },
    #[error("event at position {position}: {what} {value} is beyond 2^53 - 1")]
    UnsafeField {
        position: u64,
        what: &'static str,
        value: u64,
    },
    #[error("event at position {position}: {what} has sub-microsecond precision ({time}); stores keep microseconds")]
    SubMicrosecond {
        position: u64,
        what: &'static str,
        time: String,
    },
    #[error("event at position {position}: cannot canonicalise: {reason}")]
    Json { position: u64, reason: String },
}

/// The part of a stored event that the hash chain covers: every envelope field except
/// `recorded_at`, with the position required. Field for field:
///
/// | field | JSON | notes |
/// | --- | --- | --- |
/// | `position` | number | the store's global position, from 1 |
/// | `event_id` | string | lowercase hyphenated UUID |
/// | `stream_id` | string | |
/// | `stream_version` | number | |
/// | `event_type` | string | |
/// | `schema_version` | number | |
/// | `occurred_at` | string | RFC 3339 UTC, exactly six fraction digits, `Z` |
/// | `correlation_id` | string | lowercase hyphenated UUID |
/// | `causation_id` | string or null | lowercase hyphenated UUID |
/// | `source` | string | |
/// | `payload` | any | as stored |
///
/// `recorded_at` is left out because it is the store's own clock: the same events appended to
/// PostgreSQL and to SQLite get different `recorded_at` values but the same positions,
/// versions and content, so their hashes agree. The export covers `recorded_at` separately
/// (see [`export_link`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditedEvent {
    pub position: u64,
    pub event_id: Uuid,
    pub stream_id: String,
    pub stream_version: u64,
    pub event_type: String,
    pub schema_version: u32,
    pub occurred_at: String,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub source: String,
    pub payload: Value,
}

/// A time as the audit writes it: RFC 3339 UTC with exactly six fraction digits
/// (`2015-05-08T01:02:03.000000Z`).
pub fn format_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn check_micros(
    position: u64,
    what: &'static str,
    time: DateTime<Utc>,
) -> Result<(), CanonicalError> {
    if !time.nanosecond().is_multiple_of(1_000) {
        return Err(CanonicalError::SubMicrosecond {
            position,
            what,
            time: time.to_rfc3339(),
        });
    }
    Ok(())
}

impl AuditedEvent {
    /// The audited form of a stored envelope.
    pub fn of(envelope: &Envelope) -> Result<AuditedEvent, CanonicalError> {
        let position = envelope
            .position
            .ok_or(CanonicalError::NoPosition {
                event_id: envelope.event_id.0,
            })?
            .0;
        for (what, value) in [
            ("position", position),
            ("stream version", envelope.stream_version.0),
        ] {
            if value > MAX_SAFE_INTEGER {
                return Err(CanonicalError::UnsafeField {
                    position,
                    what,
                    value,
                });
            }
        }
        check_micros(position, "occurred_at", envelope.occurred_at)?;
        Ok(AuditedEvent {
            position,
            event_id: envelope.event_id.0,
            stream_id: envelope.stream_id.0.clone(),
            stream_version: envelope.stream_version.0,
            event_type: envelope.event_type.clone(),
            schema_version: envelope.schema_version,
            occurred_at: format_time(envelope.occurred_at),
            correlation_id: envelope.correlation_id,
            causation_id: envelope.causation_id.map(|c| c.0),
            source: envelope.source.clone(),
            payload: envelope.payload.clone(),
        })
    }

    /// The RFC 8785 (JCS) canonical bytes of this event.
    pub fn canonical(&self) -> Result<Vec<u8>, CanonicalError> {
        check_safe_integers(self.position, &self.payload, &mut String::from("payload"))?;
        serde_json_canonicalizer::to_vec(self).map_err(|e| CanonicalError::Json {
            position: self.position,
            reason: e.to_string(),
        })
    }
}

/// The RFC 8785 canonical bytes of any JSON value (the export's events as read back, the
/// manifest), refusing integers that JCS would round.
pub fn canonical_value(position: u64, value: &Value) -> Result<Vec<u8>, CanonicalError> {
    check_safe_integers(position, value, &mut String::from("$"))?;
    serde_json_canonicalizer::to_vec(value).map_err(|e| CanonicalError::Json {
        position,
        reason: e.to_string(),
    })
}

/// Rejects integers beyond ±(2^53 - 1): RFC 8785 writes numbers as doubles, so two such
/// integers that differ in their low bits would canonicalise (and hash) alike.
fn check_safe_integers(
    position: u64,
    value: &Value,
    path: &mut String,
) -> Result<(), CanonicalError> {
    match value {
        Value::Number(n) => {
            let unsafe_int = match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => u > MAX_SAFE_INTEGER,
                (None, Some(i)) => i.unsigned_abs() > MAX_SAFE_INTEGER,
                (None, None) => false,
            };
            if unsafe_int {
                return Err(CanonicalError::UnsafeInteger {
                    position,
                    path: path.clone(),
                    value: n.to_string(),
                });
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_safe_integers(position, item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                path.push('.');
                path.push_str(key);
                check_safe_integers(position, item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::String(_) => Ok(()),
    }
}

/// One link of the event chain: `SHA-256(prev || canonical)`.
pub fn chain(prev: &Hash, canonical: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(prev.0);
    hasher.update(canonical);
    Hash(hasher.finalize().into())
}

/// What one export line adds to the export chain besides its event hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkFields<'a> {
    /// The position of the export's previous line, 0 for the first.
    pub prev_position: u64,
    pub position: u64,
    pub hash: &'a Hash,
    /// The store's `recorded_at`, as written in the export.
    pub recorded_at: &'a str,
}

/// One link of the export chain, which covers what the event chain leaves out:
/// `SHA-256(prev || be64(prev_position) || be64(position) || hash || be64(len) || recorded_at)`.
pub fn export_link(prev: &Hash, fields: LinkFields<'_>) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(prev.0);
    hasher.update(fields.prev_position.to_be_bytes());
    hasher.update(fields.position.to_be_bytes());
    hasher.update(fields.hash.0);
    hasher.update((fields.recorded_at.len() as u64).to_be_bytes());
    hasher.update(fields.recorded_at.as_bytes());
    Hash(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use newsroom_events::{EventId, GlobalPosition, StreamId, StreamVersion};
    use serde_json::json;

    fn envelope() -> Envelope {
        Envelope {
            event_id: EventId(Uuid::from_u128(1)),
            stream_id: StreamId::new("article-a1"),
            stream_version: StreamVersion(1),
            event_type: "article.submitted".to_owned(),
            schema_version: 1,
            occurred_at: Utc.with_ymd_and_hms(2015, 5, 8, 1, 2, 3).unwrap(),
            recorded_at: Some(Utc.with_ymd_and_hms(2015, 5, 8, 1, 2, 4).unwrap()),
            position: Some(GlobalPosition(7)),
            correlation_id: Uuid::from_u128(2),
            causation_id: None,
            source: "cms".to_owned(),
            payload: json!({"z": 1, "a": [1.0, "é"], "m": {"b": null, "a": true}}),
        }
    }

    #[test]
    fn rfc_8785_sorts_keys_and_normalises_numbers_and_strings() {
        // given the RFC 8785 section 3.2.2 example (numbers, literals, string escapes)
        let input: Value = serde_json::from_str(
            r#"{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
                "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
                "literals": [null, true, false]}"#,
        )
        .unwrap();
        // when canonicalised
        let out = String::from_utf8(canonical_value(0, &input).unwrap()).unwrap();
        // then the bytes are those the RFC gives
        assert_eq!(
            out,
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    #[test]
    fn rfc_8785_orders_keys_by_utf16_code_units() {
        // given the RFC 8785 section 3.2.3 sorting example
        let input: Value = serde_json::from_str(
            r#"{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
                "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
                "\u00f6": "Latin Small Letter O With Diaeresis"}"#,
        )
        .unwrap();
        let out = String::from_utf8(canonical_value(0, &input).unwrap()).unwrap();
        // then the keys come in UTF-16 order: \r, 1, \u0080, ö, €, 😀, דּ
        let values: Vec<&str> = out
            .match_indices("\":\"")
            .map(|(i, _)| &out[i + 3..])
            .collect();
        let order: Vec<&str> = values.iter().map(|v| &v[..v.find('"').unwrap()]).collect();
        assert_eq!(
            order,
            [
                "Carriage Return",
                "One",
                "Control",
                "Latin Small Letter O With Diaeresis",
                "Euro Sign",
                "Emoji: Grinning Face",
                "Hebrew Letter Dalet With Dagesh"
            ]
        );
    }

    #[test]
    fn the_canonical_event_leaves_out_recorded_at_and_spells_times_with_microseconds() {
        // given a stored envelope
        let event = AuditedEvent::of(&envelope()).unwrap();
        // when canonicalised
        let out = String::from_utf8(event.canonical().unwrap()).unwrap();
        // then it is the sorted, compact JSON of every field but recorded_at
        assert_eq!(
            out,
            concat!(
                r#"{"causation_id":null,"correlation_id":"00000000-0000-0000-0000-000000000002","#,
                r#""event_id":"00000000-0000-0000-0000-000000000001","event_type":"article.submitted","#,
                r#""occurred_at":"2015-05-08T01:02:03.000000Z","#,
                r#""payload":{"a":[1,"é"],"m":{"a":true,"b":null},"z":1},"position":7,"#,
                r#""schema_version":1,"source":"cms","stream_id":"article-a1","stream_version":1}"#
            )
        );
    }

    #[test]
    fn the_recorded_time_does_not_change_the_hash_but_every_other_field_does() {
        // given an envelope and its hash
        let base = envelope();
        let hash = |e: &Envelope| {
            chain(
                &Hash::GENESIS,
                &AuditedEvent::of(e).unwrap().canonical().unwrap(),
            )
        };
        let original = hash(&base);
        // when only recorded_at differs, then the hash is the same
        let mut other_store = base.clone();
        other_store.recorded_at = Some(Utc::now());
        assert_eq!(hash(&other_store), original);
        // when the position, the payload or the source differ, then it is not
        let mut moved = base.clone();
        moved.position = Some(GlobalPosition(8));
        let mut edited = base.clone();
        edited.payload["z"] = json!(2);
        let mut resourced = base.clone();
        resourced.source = "wire".to_owned();
        for changed in [moved, edited, resourced] {
            assert_ne!(hash(&changed), original);
        }
    }

    #[test]
    fn key_order_and_number_spelling_in_the_stored_payload_do_not_change_the_hash() {
        // given the same payload as PostgreSQL's JSONB and SQLite's text may give it back
        let mut a = envelope();
        a.payload = serde_json::from_str(r#"{"votes": 8949, "share": 1.50, "big": 1e3}"#).unwrap();
        let mut b = envelope();
        b.payload =
            serde_json::from_str(r#"{"big": 1000.0, "share": 1.5, "votes": 8949}"#).unwrap();
        // then both canonicalise alike
        assert_eq!(
            AuditedEvent::of(&a).unwrap().canonical().unwrap(),
            AuditedEvent::of(&b).unwrap().canonical().unwrap()
        );
    }

    #[test]
    fn integers_that_canonical_json_would_round_are_refused() {
        // given a payload with 2^53 + 1, which a double cannot hold
        let mut e = envelope();
        e.payload = json!({"rows": [{"votes": 9_007_199_254_740_993u64}]});
        // then canonicalisation fails naming where
        match AuditedEvent::of(&e).unwrap().canonical() {
            Err(CanonicalError::UnsafeInteger { position, path, .. }) => {
                assert_eq!(position, 7);
                assert_eq!(path, "payload.rows[0].votes");
            }
            other => panic!("expected UnsafeInteger, got {other:?}"),
        }
    }

    #[test]
    fn an_event_without_a_position_or_with_nanoseconds_has_no_canonical_form() {
        let mut unstored = envelope();
        unstored.position = None;
        assert!(matches!(
            AuditedEvent::of(&unstored),
            Err(CanonicalError::NoPosition { .. })
        ));
        let mut nanos = envelope();
        nanos.occurred_at += chrono::Duration::nanoseconds(1);
        assert!(matches!(
            AuditedEvent::of(&nanos),
            Err(CanonicalError::SubMicrosecond { .. })
        ));
    }

    #[test]
    fn the_chain_is_sha256_of_the_previous_hash_and_the_canonical_bytes() {
        // given the genesis and the bytes "abc"
        let h = chain(&Hash::GENESIS, b"abc");
        // then it equals SHA-256 over 32 zero bytes followed by "abc"
        let mut input = vec![0u8; 32];
        input.extend_from_slice(b"abc");
        assert_eq!(h.0, <[u8; 32]>::from(Sha256::digest(&input)));
    }

    #[test]
    fn hashes_round_trip_through_lowercase_hex_only() {
        let h = chain(&Hash::GENESIS, b"x");
        assert_eq!(h.to_hex().parse::<Hash>().unwrap(), h);
        assert!(h.to_hex().to_uppercase().parse::<Hash>().is_err());
        assert!("abc".parse::<Hash>().is_err());
    }
}
