"""The tables of consumer tracking (offsets and inbox) and of dead letters."""

from __future__ import annotations

from shared.database import Connection

#: Run by the migration chains' baseline revisions (``r0001_baseline``): never edit it; a
#: change to these tables is a new revision.
SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS consumer_offsets (
    consumer    text    NOT NULL,
    topic       text    NOT NULL,
    partition   integer NOT NULL,
    next_offset bigint  NOT NULL,
    last_event_at timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, topic, partition)
);
CREATE TABLE IF NOT EXISTS consumer_inbox (
    consumer  text NOT NULL,
    event_id  uuid NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
CREATE TABLE IF NOT EXISTS dead_letters (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer    text    NOT NULL,
    topic       text    NOT NULL,
    partition   integer NOT NULL,
    "offset"    bigint  NOT NULL,
    event_id    text,
    error       text    NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    replayed_at timestamptz
);
"""


async def install_schema(conn: Connection) -> None:
    """The baseline SQL on one connection, for scratch databases in tests and the bench;
    a service's database gets its schema from its migration chain."""
    await conn.execute(SCHEMA_SQL)
