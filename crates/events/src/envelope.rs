use std::fmt;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::payload::Event;

/// Unique id of one event. Appends are idempotent by it; it is the `Nats-Msg-Id` on the bus.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct EventId(pub Uuid);

impl EventId {
    /// Namespace for deterministic event ids.
    pub const NAMESPACE: Uuid = Uuid::from_u128(0x6e65_7773_726f_6f6d_6576_656e_7473_0001);

    pub fn random() -> EventId {
        EventId(Uuid::new_v4())
    }
    /// The id of an event derived from `cause`: the same cause and name give the same id,
    /// so a handler that runs twice appends nothing new.
    pub fn derived(cause: EventId, name: &str) -> EventId {
        let mut bytes = cause.0.as_bytes().to_vec();
        bytes.extend_from_slice(name.as_bytes());
        EventId(Uuid::new_v5(&Self::NAMESPACE, &bytes))
    }
    /// The id of an event a producer derives from content it publishes (an article's text,
    /// an official result), so that publishing the same thing twice is one event.
    pub fn from_content(kind: &str, content: &[u8]) -> EventId {
        let mut bytes = kind.as_bytes().to_vec();
        bytes.push(0);
        bytes.extend_from_slice(content);
        EventId(Uuid::new_v5(&Self::NAMESPACE, &bytes))
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The stream (aggregate) an event belongs to: `article-<id>`, `claim-<id>`, `tally-2015-E14000826`.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct StreamId(pub String);

impl StreamId {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Position of an event within its stream, from 1.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct StreamVersion(pub u64);

/// Position of an event in the store's global order, from 1. 0 means "before everything".
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(transparent)]
pub struct GlobalPosition(pub u64);

/// The envelope every event travels in, on the bus and in the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Envelope {
    pub event_id: EventId,
    pub stream_id: StreamId,
    pub stream_version: StreamVersion,
    /// `article.submitted`, `claims.extracted`, `claim.checked`, `tally.declared`.
    pub event_type: String,
    pub schema_version: u32,
    /// When the thing happened, as its producer says.
    pub occurred_at: DateTime<Utc>,
    /// When the store recorded it; set by the store.
    pub recorded_at: Option<DateTime<Utc>>,
    /// Position in the store's global order; set by the store.
    pub position: Option<GlobalPosition>,
    /// The id shared by everything that follows from one original event.
    pub correlation_id: Uuid,
    /// The event this one was derived from.
    pub causation_id: Option<EventId>,
    /// Who produced it (`newsroom/extractor`, `cms`), the CloudEvents `source`.
    pub source: String,
    pub payload: serde_json::Value,
}

/// An envelope whose payload does not decode as its declared type.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("not a JSON event envelope: {0}")]
    Envelope(serde_json::Error),
    #[error("unknown event type {0:?}")]
    UnknownType(String),
    #[error("unsupported schema version {version} for {event_type} (this build reads up to {supported})")]
    SchemaVersion {
        event_type: String,
        version: u32,
        supported: u32,
    },
    #[error("payload of {event_type} does not match its schema: {source}")]
    Payload {
        event_type: String,
        source: serde_json::Error,
    },
}

impl Envelope {
    /// A new envelope for `event`, the first link of a causal chain (its own correlation).
    pub fn new(
        event: &Event,
        stream_version: StreamVersion,
        source: &str,
        event_id: EventId,
    ) -> Envelope {
        Envelope {
            event_id,
            stream_id: event.stream_id(),
            stream_version,
            event_type: event.event_type().to_owned(),
            schema_version: event.schema_version(),
            occurred_at: Utc::now(),
            recorded_at: None,
            position: None,
            correlation_id: event_id.0,
            causation_id: None,
            source: source.to_owned(),
            payload: event.to_payload(),
        }
    }

    /// A new envelope for an event derived from `cause`: deterministic id, same correlation.
    pub fn derived(
        event: &Event,
        stream_version: StreamVersion,
        source: &str,
        cause: &Envelope,
        name: &str,
    ) -> Envelope {
        let id = EventId::derived(cause.event_id, name);
        Envelope {
            causation_id: Some(cause.event_id),
            correlation_id: cause.correlation_id,
            occurred_at: cause.occurred_at,
            ..Envelope::new(event, stream_version, source, id)
        }
    }

    /// Parses an envelope from bytes received from outside (bus, file).
    pub fn from_slice(bytes: &[u8]) -> Result<Envelope, DecodeError> {
        serde_json::from_slice(bytes).map_err(DecodeError::Envelope)
    }

    /// The typed event inside.
    pub fn decode(&self) -> Result<Event, DecodeError> {
        Event::decode(&self.event_type, self.schema_version, &self.payload)
    }

    /// The NATS subject this event is published on, under namespace `ns` (`newsroom`).
    pub fn subject(&self, ns: &str) -> String {
        crate::subjects::event(ns, &self.event_type)
    }

    /// The CloudEvents 1.0 structured-mode JSON form of this envelope.
    pub fn to_cloudevent(&self) -> serde_json::Value {
        serde_json::json!({
            "specversion": "1.0",
            "id": self.event_id.to_string(),
            "source": self.source,
            "type": format!("{}{}", crate::CLOUDEVENTS_TYPE_PREFIX, self.event_type),
            "subject": self.stream_id.as_str(),
            "time": self.occurred_at.to_rfc3339(),
            "datacontenttype": "application/json",
            "dataschema": format!("urn:newsroom:schema:{}:v{}", self.event_type, self.schema_version),
            "newsroomstreamversion": self.stream_version.0,
            "newsroomcorrelationid": self.correlation_id.to_string(),
            "newsroomcausationid": self.causation_id.map(|c| c.to_string()),
            "data": self.payload,
        })
    }
}

/// Prefix of CloudEvents `type` values (`org.newsroom.article.submitted`).
pub const CLOUDEVENTS_TYPE_PREFIX: &str = "org.newsroom.";

/// NATS subjects. Every subject starts with a namespace (`newsroom` by default; tests use
/// their own so they can share one server):
/// - `<ns>.inbox.<event type>`: producers publish here (articles, official results); the
///   ingest service validates and stores them.
/// - `<ns>.events.<event type>`: the outbox relay publishes every stored event here.
/// - `<ns>.deadletter.<service>`: a message a service cannot decode, with the reason.
pub mod subjects {
    pub const DEFAULT_NAMESPACE: &str = "newsroom";

    pub fn inbox(ns: &str, event_type: &str) -> String {
        format!("{ns}.inbox.{event_type}")
    }
    pub fn event(ns: &str, event_type: &str) -> String {
        format!("{ns}.events.{event_type}")
    }
    pub fn dead_letter(ns: &str, service: &str) -> String {
        format!("{ns}.deadletter.{service}")
    }
}
