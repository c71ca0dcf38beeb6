"""Partner events identified by (``source``, ``id``) take effect once, for good.

A claim is a row written in the same transaction as the events it causes: if that
transaction rolls back (the event was rejected), the claim goes with it and a corrected
event with the same id may be posted again. A concurrent second claim of the same pair
waits for the first transaction and then finds it taken.

Use cases claim through a unit of work (:mod:`shared.unitofwork`); these are the
statements its PostgreSQL implementation runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.database import Connection
from shared.unitofwork.ports import Claim

#: Run by the migration chains' baseline revisions (``r0001_baseline``): never edit it; a
#: change to these tables is a new revision.
SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS inbound_events (
    source      text NOT NULL,
    id          text NOT NULL,
    type        text NOT NULL,
    subject     text,
    partner     text,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, id)
);
"""


async def install_schema(conn: Connection) -> None:
    """The baseline SQL on one connection, for scratch databases in tests and the bench;
    a service's database gets its schema from its migration chain."""
    await conn.execute(SCHEMA_SQL)


async def claim(
    conn: Connection,
    source: str,
    event_id: str,
    type_: str,
    subject: str | None,
    partner: str | None,
) -> bool:
    """True when this (source, id) is new; must run inside the effect's transaction."""
    claimed = await conn.fetchval(
        "INSERT INTO inbound_events (source, id, type, subject, partner) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source, id) DO NOTHING RETURNING true",
        source,
        event_id,
        type_,
        subject,
        partner,
    )
    return bool(claimed)


async def claim_all(conn: Connection, claims: Sequence[Claim]) -> set[tuple[str, str]]:
    """Claim many pairs in one statement inside the effect's transaction: the
    (source, id) pairs that were new. Like :func:`claim`, a pair claimed by a
    transaction still running waits for it."""
    rows = await conn.fetch(
        """
        INSERT INTO inbound_events (source, id, type, subject, partner)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
        ON CONFLICT (source, id) DO NOTHING
        RETURNING source, id
        """,
        [c.source for c in claims],
        [c.id for c in claims],
        [c.type for c in claims],
        [c.subject for c in claims],
        [c.partner for c in claims],
    )
    return {(r["source"], r["id"]) for r in rows}


async def release(conn: Connection, pairs: Sequence[tuple[str, str]]) -> None:
    """Withdraw claims made in this transaction for events that were refused, so a
    corrected event with the same id may come again."""
    if pairs:
        await conn.execute(
            "DELETE FROM inbound_events c USING unnest($1::text[], $2::text[]) AS p(source, id) "
            "WHERE c.source = p.source AND c.id = p.id",
            [source for source, _ in pairs],
            [event_id for _, event_id in pairs],
        )
