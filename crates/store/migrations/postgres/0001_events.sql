-- The event log, the source of truth. Append-only by design: the store only ever INSERTs
-- and SELECTs rows here (no UPDATE, no DELETE, no upsert), and everything mutable lives in
-- other tables (checkpoints). An audit migration can therefore
--   REVOKE UPDATE, DELETE, TRUNCATE ON events FROM <services role>
-- (or add a trigger that raises on UPDATE/DELETE) without breaking any code path.
CREATE TABLE events (
    -- Global order, 1, 2, 3, ... with no gaps. Assigned explicitly (no sequence) while the
    -- appending transaction holds a transaction-scoped advisory lock, so positions become
    -- visible in the order they were assigned (see crates/store/src/pg.rs).
    position       BIGINT      PRIMARY KEY CHECK (position > 0),
    event_id       UUID        NOT NULL,
    stream_id      TEXT        NOT NULL,
    stream_version BIGINT      NOT NULL CHECK (stream_version > 0),
    event_type     TEXT        NOT NULL,
    schema_version BIGINT      NOT NULL CHECK (schema_version >= 0),
    occurred_at    TIMESTAMPTZ NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    correlation_id UUID        NOT NULL,
    causation_id   UUID,
    source         TEXT        NOT NULL,
    payload        JSONB       NOT NULL,
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version)
);

CREATE INDEX events_event_type_idx ON events (event_type);
