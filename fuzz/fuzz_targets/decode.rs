//! Fuzzes event decoding as the ingest service does it: arbitrary bytes as an envelope
//! (`Envelope::from_slice`), its payload as a typed event (`Envelope::decode`), and the
//! ingest decision (`decide::on_submission`).
//!
//! Besides not panicking: what ingest accepts is appended as it came, fits the bus
//! (`MAX_EVENT_BYTES` as JSON), is a replay of itself, and reads back the same from JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsroom_events::Envelope;
use newsroom_services::decide::{self, MAX_EVENT_BYTES};

fuzz_target!(|data: &[u8]| {
    if decide::check_message_size(data.len()).is_err() {
        return;
    }
    let Ok(envelope) = Envelope::from_slice(data) else {
        return;
    };
    let _ = envelope.decode();
    let _ = decide::check_inbox_subject(
        "fuzz",
        &format!("fuzz.inbox.{}", envelope.event_type),
        &envelope,
    );
    let Ok(append) = decide::on_submission(&envelope) else {
        return;
    };
    assert_eq!(append.events.len(), 1);
    let accepted = &append.events[0];
    assert_eq!(accepted, &envelope);
    assert_eq!(append.stream, envelope.stream_id);
    assert!(decide::json_len(accepted) <= MAX_EVENT_BYTES);
    assert!(decide::is_replay(accepted, &envelope));
    let json = serde_json::to_vec(accepted).expect("an accepted envelope serialises");
    let again = Envelope::from_slice(&json).expect("an accepted envelope reads back");
    assert!(
        decide::is_replay(&again, accepted),
        "differs when read back"
    );
});
