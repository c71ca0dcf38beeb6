-- The event store and outbox: part of the migration chains' baseline revisions (r0001_baseline).
-- Every statement is idempotent. Never edit it: a change to these tables is a new revision.
CREATE TABLE IF NOT EXISTS events (
    position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Writing transaction: the relay reads only below the oldest running one.
    tx_id           xid8        NOT NULL DEFAULT pg_current_xact_id(),
    stream_id       text        NOT NULL,
    stream_version  integer     NOT NULL CHECK (stream_version > 0),
    event_id        uuid        NOT NULL,
    type            text        NOT NULL,
    schema_version  integer     NOT NULL DEFAULT 1,
    data            jsonb       NOT NULL,
    metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
    CONSTRAINT events_event_id_key UNIQUE (event_id)
);
CREATE INDEX IF NOT EXISTS events_tx_position_idx ON events (tx_id, position);

CREATE TABLE IF NOT EXISTS unique_keys (
    scope      text NOT NULL,
    key        text NOT NULL,
    stream_id  text NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE TABLE IF NOT EXISTS relay_checkpoints (
    name      text PRIMARY KEY,
    tx_id     xid8   NOT NULL,
    position  bigint NOT NULL
);
