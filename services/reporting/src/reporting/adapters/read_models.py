"""Which tables are reporting's read models, and how a rebuilt one is compared with
the live one.

The read models are found, not listed: every table of reporting's schema (as its
migration chain makes it) whose name starts with :data:`PREFIX` is one, whichever
revision added it. The projections own those tables and nothing else writes them, so
a rebuild may replace them wholesale. Every other table of the schema is bookkeeping
that a replay must not replace (credentials, idempotency keys, dead letters, the
migration version): ``tests/integration/test_read_models.py`` fails when a table is
neither, so a new table is classified on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import asyncpg

from shared.database import Connection

#: Read models are named ``rm_*``.
PREFIX = "rm_"
#: The consumer's tracking, swapped in with the read models it produced.
TRACKING = ("consumer_offsets", "consumer_inbox")
#: Read models a comparison takes in part: the columns that say how a row is kept, not
#: what it says, left out, and the rows views read: the commitments' kept state's
#: stale rows are read by none (views look those commitments up).
_IN_PART: dict[str, tuple[frozenset[str], str]] = {
    "rm_commitment_state": (frozenset({"generation", "fresh"}), "fresh"),
}


async def read_models(conn: Connection, schema: str) -> list[str]:
    """The read-model tables of ``schema``, in the order they were created."""
    rows = await conn.fetch(
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND starts_with(c.relname, $2)
        ORDER BY c.oid
        """,
        schema,
        PREFIX,
    )
    return [r["relname"] for r in rows]


@dataclass
class Difference:
    table: str
    only_live: int
    only_rebuilt: int
    samples: list[str] = field(default_factory=list)


async def compare(conn: Connection, table: str, live: str, rebuilt: str) -> Difference | None:
    """The rows of ``table`` in schema ``live`` and not in ``rebuilt`` and the other way
    round (as multisets, a few of each as samples), or ``None`` when they are equal.
    Columns are those of the rebuilt table (in part for those of :data:`_IN_PART`)."""
    columns = await conn.fetch(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
        rebuilt,
        table,
    )
    bookkeeping, read = _IN_PART.get(table, (frozenset(), "true"))
    cols = ", ".join(
        f'"{c["column_name"]}"' for c in columns if c["column_name"] not in bookkeeping
    )
    live_rows = f'SELECT {cols} FROM "{live}"."{table}" WHERE {read}'
    rebuilt_rows = f'SELECT {cols} FROM "{rebuilt}"."{table}" WHERE {read}'
    only_live = await conn.fetch(f"{live_rows} EXCEPT ALL {rebuilt_rows} LIMIT 5")
    only_rebuilt = await conn.fetch(f"{rebuilt_rows} EXCEPT ALL {live_rows} LIMIT 5")
    if not only_live and not only_rebuilt:
        return None
    n_live = await conn.fetchval(f"SELECT count(*) FROM ({live_rows} EXCEPT ALL {rebuilt_rows}) d")
    n_rebuilt = await conn.fetchval(
        f"SELECT count(*) FROM ({rebuilt_rows} EXCEPT ALL {live_rows}) d"
    )
    samples = [_sample("live only", r) for r in only_live] + [
        _sample("rebuilt only", r) for r in only_rebuilt
    ]
    return Difference(table, n_live, n_rebuilt, samples)


def _sample(label: str, row: asyncpg.Record) -> str:
    text = f"{label}: {dict(row)}"
    return text if len(text) <= 300 else text[:297] + "..."
