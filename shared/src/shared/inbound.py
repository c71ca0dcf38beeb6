"""Partner events identified by (``source``, ``id``) take effect once, for good, per
partner: a claim is the partner's own (sources belong to partners, and even a
partner registered before that cannot make another's event a duplicate).

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


#: Run by the ``*_0002`` revisions, never to be edited once released. Claims are a
#: partner's own: one partner's event can never
#: make another's a duplicate. Claims made before keep their partner.
PER_PARTNER_SQL = """
UPDATE inbound_events SET partner = '' WHERE partner IS NULL;
ALTER TABLE inbound_events ALTER COLUMN partner SET DEFAULT '';
ALTER TABLE inbound_events ALTER COLUMN partner SET NOT NULL;
ALTER TABLE inbound_events DROP CONSTRAINT inbound_events_pkey;
ALTER TABLE inbound_events ADD PRIMARY KEY (partner, source, id);
"""


async def install_schema(conn: Connection) -> None:
    """The baseline SQL and what later revisions add, on one connection, for scratch
    databases in tests and the bench; a service's database gets its schema from its
    migration chain."""
    await conn.execute(SCHEMA_SQL)
    await conn.execute(PER_PARTNER_SQL)


async def claim_all(conn: Connection, claims: Sequence[Claim]) -> set[tuple[str, str]]:
    """Claim many events in one statement inside the effect's transaction: the
    (source, id) pairs that were new for their partner. One claimed by a transaction
    still running waits for it, and is new only if that transaction rolls back."""
    rows = await conn.fetch(
        """
        INSERT INTO inbound_events (source, id, type, subject, partner)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
        ON CONFLICT (partner, source, id) DO NOTHING
        RETURNING source, id
        """,
        [c.source for c in claims],
        [c.id for c in claims],
        [c.type for c in claims],
        [c.subject for c in claims],
        [c.partner or "" for c in claims],
    )
    return {(r["source"], r["id"]) for r in rows}


async def release(conn: Connection, claims: Sequence[Claim]) -> None:
    """Withdraw claims made in this transaction for events that were refused, so a
    corrected event with the same id may come again."""
    if claims:
        await conn.execute(
            "DELETE FROM inbound_events c "
            "USING unnest($1::text[], $2::text[], $3::text[]) AS p(partner, source, id) "
            "WHERE c.partner = p.partner AND c.source = p.source AND c.id = p.id",
            [c.partner or "" for c in claims],
            [c.source for c in claims],
            [c.id for c in claims],
        )
