"""A rebuild finds reporting's read models itself; these tests fail when a table is
added that it would not classify on purpose: every table of the migrated schema is a
read model (``rm_*``, rebuilt and verified) or another part's bookkeeping (kept as it
is), and every table the projections write is a read model."""

from __future__ import annotations

import inspect
import re

import asyncpg

from reporting.adapters import (
    commitment_projections,
    commitment_state,
    facts,
    funding_projections,
    projections,
)
from reporting.adapters.migrations import CHAIN
from reporting.adapters.read_models import PREFIX, read_models
from shared import access, consumer
from shared.http import idempotency
from shared.migrations import migrate

#: Tables that shared code creates in reporting's database, as their SQL says.
SHARED_TABLES = {
    name
    for sql in (
        access.SCHEMA_SQL,
        access.SOURCES_SQL,
        access.PEOPLE_SQL,
        idempotency.SCHEMA_SQL,
        consumer.SCHEMA_SQL,
    )
    for name in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", sql)
}
#: Alembic's own.
MIGRATION_TABLES = {"alembic_version"}
#: Reporting's own tables that are not rebuilt from the topics: a rebuild keeps them
#: as they are.
KEPT: set[str] = {"sessions", "feed", "subscriptions", "deliveries"}
WRITES = re.compile(r"(?:INSERT INTO|(?<!DO )UPDATE|DELETE FROM)\s+(\w+)")


async def tables(conn: asyncpg.Connection, schema: str) -> set[str]:
    rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
    return {r["tablename"] for r in rows}


async def test_every_table_is_a_read_model_or_bookkeeping_and_the_rebuild_finds_them(
    database_url: str,
) -> None:
    await migrate(database_url, CHAIN)
    conn = await asyncpg.connect(database_url)
    try:
        found = await read_models(conn, "public")
        everything = await tables(conn, "public")
    finally:
        await conn.close()
    assert set(found) == {t for t in everything if t.startswith(PREFIX)}
    unclassified = everything - set(found) - SHARED_TABLES - MIGRATION_TABLES - KEPT
    assert unclassified == set(), (
        f"{sorted(unclassified)}: name a read model {PREFIX}* (a rebuild replaces it) or "
        "add it to KEPT here (a rebuild keeps it)"
    )
    assert found[:2] == ["rm_plans", "rm_commitments"]  # In the order they were created.


def test_every_table_the_projections_write_is_a_read_model() -> None:
    written = {
        table
        for module in (
            projections,
            commitment_projections,
            commitment_state,
            facts,
            funding_projections,
        )
        for table in WRITES.findall(inspect.getsource(module))
    }
    assert written, "the projections' SQL was not found"
    assert {t for t in written if not t.startswith(PREFIX)} == set()
