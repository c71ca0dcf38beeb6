"""The PostgreSQL event store's statements and row shapes, apart from the code that
runs them (:mod:`shared.eventstore.postgres`)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import asyncpg

from shared import jsontext
from shared.events import EventMetadata, StoredEvent

#: The events table's columns, in the order reads return them.
COLUMN_NAMES = (
    "position",
    "stream_id",
    "stream_version",
    "event_id",
    "type",
    "schema_version",
    "data",
    "metadata",
    "occurred_at",
    "recorded_at",
)


def event_columns(alias: str = "") -> str:
    """The select list that :func:`row_to_event` reads, optionally qualified."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + name for name in COLUMN_NAMES)


COLUMNS = event_columns()


def row_to_event(row: asyncpg.Record) -> StoredEvent:
    """A stored event from a row of :func:`event_columns`."""
    data, metadata = row["data"], row["metadata"]
    return StoredEvent(
        position=row["position"],
        stream_id=row["stream_id"],
        stream_version=row["stream_version"],
        event_id=row["event_id"],
        type=row["type"],
        schema_version=row["schema_version"],
        data=jsontext.loads(data) if isinstance(data, str) else data,
        metadata=EventMetadata.from_json(
            jsontext.loads(metadata) if isinstance(metadata, str) else metadata
        ),
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
    )


#: Reserves unique key ($11, $12) for stream $1, or finds who holds it; the writers'
#: lock ($10) is taken before the row (which gives the transaction its id).
CLAIM = """claim AS (
    INSERT INTO unique_keys (scope, key, stream_id)
    SELECT $11, $12, $1 WHERE pg_try_advisory_xact_lock_shared($10)
    ON CONFLICT (scope, key) DO UPDATE SET stream_id = unique_keys.stream_id
    RETURNING stream_id AS owner
),"""


#: Wakes the relay once rows are inserted, unless it said it is busy reading (0, see
#: :data:`~shared.eventstore.postgres.LISTENING_SQL`). A notification makes PostgreSQL
#: serialise the commits that send one, flush and all. The flag is read after the
#: writers' lock is taken (the volatile call is evaluated on the inserted row): a writer
#: that finds the relay busy still holds the lock when the relay starts to listen, and
#: the relay looks for such writers before it waits.
WAKE = """
        SELECT pg_notify({channel}, '') FROM (SELECT FROM inserted LIMIT 1) AS one
        WHERE pg_sequence_last_value('relay_listening') IS DISTINCT FROM 0
    """


@cache
def insert_statement(claiming: bool) -> str:
    """Insert after a stream's version and wake the relay, in one statement; with
    ``claiming``, reserve a unique key first (see ``PostgresEventStore._insert``)."""
    return f"""
    WITH {CLAIM if claiming else ""} inserted AS (
        INSERT INTO events (stream_id, stream_version, event_id, type,
                            schema_version, data, metadata, occurred_at)
        SELECT $1, $2 + e.ord, e.event_id, e.type, e.schema_version,
               e.data::jsonb, e.metadata::jsonb, e.occurred_at
        FROM unnest($3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[],
                    $8::timestamptz[]) WITH ORDINALITY
             AS e(event_id, type, schema_version, data, metadata, occurred_at, ord)
        WHERE ($2 = 0 OR EXISTS (
            SELECT 1 FROM events WHERE stream_id = $1 AND stream_version = $2))
          AND (SELECT pg_try_advisory_xact_lock_shared($10))
          {"AND (SELECT owner FROM claim) = $1" if claiming else ""}
        ORDER BY e.ord
        RETURNING position, stream_version, recorded_at
    ), woken AS ({WAKE.format(channel="$9")})
    SELECT {"c.owner," if claiming else ""} i.position, i.stream_version,
           i.recorded_at, (SELECT count(*) FROM woken) AS woken
    FROM {"claim c LEFT JOIN inserted i ON true" if claiming else "inserted i"}
    ORDER BY i.stream_version
    """


#: Every stream's version checked, every event inserted, the relay woken unless busy.
APPEND_STREAMS = f"""
WITH behind AS (
    SELECT s.stream_id FROM unnest($1::text[], $2::int[]) AS s(stream_id, v)
    WHERE s.v > 0 AND NOT EXISTS (
        SELECT 1 FROM events
        WHERE stream_id = s.stream_id AND stream_version = s.v)
), inserted AS (
    INSERT INTO events (stream_id, stream_version, event_id, type,
                        schema_version, data, metadata, occurred_at)
    SELECT e.stream_id, e.stream_version, e.event_id, e.type,
           e.schema_version, e.data::jsonb, e.metadata::jsonb, e.occurred_at
    FROM unnest($3::text[], $4::int[], $5::uuid[], $6::text[], $7::int[],
                $8::text[], $9::text[], $10::timestamptz[]) WITH ORDINALITY
         AS e(stream_id, stream_version, event_id, type, schema_version,
              data, metadata, occurred_at, ord)
    WHERE NOT EXISTS (SELECT 1 FROM behind)
      AND (SELECT pg_try_advisory_xact_lock_shared($12))
    ORDER BY e.ord
    RETURNING 1
), woken AS ({WAKE.format(channel="$11")})
SELECT (SELECT count(*) FROM inserted) + 0 * (SELECT count(*) FROM woken)
"""


def metadata_json(metadata: Iterable[EventMetadata]) -> list[str]:
    """Each event's metadata as JSON, encoded once per distinct value: the events of
    one write usually share theirs."""
    encoded: dict[EventMetadata, str] = {}
    out = []
    for meta in metadata:
        text = encoded.get(meta)
        if text is None:
            text = encoded[meta] = jsontext.dumps(meta.to_json())
        out.append(text)
    return out


def key_value(exc: asyncpg.UniqueViolationError) -> str:
    """The conflicting key from ``Key (columns)=(values) already exists.``"""
    detail = getattr(exc, "detail", None) or ""
    _, _, rest = detail.partition(")=(")
    return rest.rpartition(")")[0] or detail
