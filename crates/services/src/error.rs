use std::fmt;
use std::str::FromStr;

use newsroom_bus::BusError;
use newsroom_store::StoreError;

/// The services the backend runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceKind {
    /// The outbox: publishes every stored event on `<ns>.events.<type>`.
    Relay,
    /// Stores what producers submit on `<ns>.inbox.>`.
    Ingest,
    /// Reads claims out of submitted articles.
    Extractor,
    /// Checks extracted claims against the official tallies.
    Checker,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 4] = [
        ServiceKind::Relay,
        ServiceKind::Ingest,
        ServiceKind::Extractor,
        ServiceKind::Checker,
    ];

    /// Its name: also its durable consumer name, its checkpoint name and its dead-letter
    /// subject token.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Relay => "relay",
            ServiceKind::Ingest => "ingest",
            ServiceKind::Extractor => "extractor",
            ServiceKind::Checker => "checker",
        }
    }

    /// Whether it moves messages between the store and NATS, and so cannot run without NATS.
    pub fn needs_nats(self) -> bool {
        matches!(self, ServiceKind::Relay | ServiceKind::Ingest)
    }
}

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ServiceKind {
    type Err = ServiceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServiceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ServiceError::UnknownService(s.to_owned()))
    }
}

/// What stops a service, or fails one step of it.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("event store: {0}")]
    Store(#[from] StoreError),
    #[error("NATS: {0}")]
    Bus(#[from] BusError),
    #[error(
        "the {0} service needs NATS (--nats): it moves messages between the store and JetStream"
    )]
    NeedsNats(ServiceKind),
    #[error("unknown service {0:?}: expected relay, ingest, extractor or checker")]
    UnknownService(String),
    #[error("the store returned an event without a global position ({0})")]
    Unpositioned(newsroom_events::EventId),
    #[error("the {service} service stopped unexpectedly: {reason}")]
    Crashed {
        service: ServiceKind,
        reason: String,
    },
}
