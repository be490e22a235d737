-- How far each named follower (outbox relay, projections) got in the global order.
-- Mutable, and kept apart from the append-only events table on purpose.
CREATE TABLE checkpoints (
    name       TEXT        PRIMARY KEY,
    position   BIGINT      NOT NULL CHECK (position >= 0),
    updated_at TIMESTAMPTZ NOT NULL
);
