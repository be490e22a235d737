//! Everything that happens in the newsroom backend is one of these events. This crate owns
//! the versioned envelope every event travels in (ids, stream and version, type, schema
//! version, times, correlation and causation), the typed payloads, the stream and NATS
//! subject naming, the deterministic (UUID v5) ids of derived events, the JSON Schemas
//! generated from the payload types and the mapping onto CloudEvents 1.0. Pure, no IO.

mod envelope;
mod payload;

pub use envelope::*;
pub use payload::*;
