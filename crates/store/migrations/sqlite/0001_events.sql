-- The event log, the source of truth. Append-only by design: the store only ever INSERTs
-- and SELECTs rows here (no UPDATE, no DELETE, no upsert), and everything mutable lives in
-- other tables (checkpoints). An audit migration can therefore add triggers that
-- RAISE(ABORT) on UPDATE or DELETE of events without breaking any code path.
-- Ids are lowercase hyphenated UUID text; times are RFC 3339 UTC text with microseconds
-- (`2024-07-05T01:02:03.123456Z`), which sorts chronologically; payload is JSON text.
CREATE TABLE events (
    -- Global order, 1, 2, 3, ... with no gaps, assigned as MAX(position) + n inside a
    -- BEGIN IMMEDIATE transaction (one writer at a time).
    position       INTEGER PRIMARY KEY CHECK (position > 0),
    event_id       TEXT    NOT NULL UNIQUE,
    stream_id      TEXT    NOT NULL,
    stream_version INTEGER NOT NULL CHECK (stream_version > 0),
    event_type     TEXT    NOT NULL,
    schema_version INTEGER NOT NULL CHECK (schema_version >= 0),
    occurred_at    TEXT    NOT NULL,
    recorded_at    TEXT    NOT NULL,
    correlation_id TEXT    NOT NULL,
    causation_id   TEXT,
    source         TEXT    NOT NULL,
    payload        TEXT    NOT NULL CHECK (json_valid(payload)),
    UNIQUE (stream_id, stream_version)
) STRICT;

CREATE INDEX events_event_type_idx ON events (event_type);
