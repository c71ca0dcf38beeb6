"""Versioned, forward-only schema migrations: Alembic over asyncpg, in plain SQL.

Each service's database evolves through a linear chain of revisions kept in its own
package (``<service>/adapters/migrations/versions/``); this module is the one
environment they all run in, configured in code rather than by an ``alembic.ini`` or
an ``env.py``. Contracts:

- A chain is linear and forward-only: one head, every revision has at most one
  parent, and a revision that has been applied anywhere is never edited (the next
  change is a new revision). Revisions carry no ``downgrade``.
- :func:`migrate` applies every pending revision in **one transaction** whose first
  statement takes :data:`MIGRATION_LOCK_KEY` as a transaction-scoped advisory lock.
  Replicas that start together queue on it; whichever comes next reads the version
  table only once it holds the lock, finds the revisions applied and applies nothing.
  PostgreSQL's DDL is transactional, so a failed upgrade leaves nothing half done.
  A revision that must run outside a transaction (``CREATE INDEX CONCURRENTLY``) uses
  Alembic's ``autocommit_block()``, which commits what came before it and so ends the
  lock's hold for the rest of that run (see the README, "Schema migrations").
- The database URL goes to asyncpg as it is, with ``connect_args`` as keywords of
  ``asyncpg.connect``: SQLAlchemy's asyncpg dialect would pass a URL's query
  parameters (``sslmode``, ``sslrootcert``) as keywords that asyncpg refuses, so the
  engine is handed a connection made by asyncpg itself and never parses the URL.
- ``schema`` runs a chain inside another schema (``search_path`` and Alembic's
  ``version_table_schema``), as reporting's rebuild does for its shadow.

Alembic's ``op`` is a module-level proxy, so within one process migrations run one at
a time; across processes, the advisory lock orders them.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Final

import asyncpg
from alembic import op
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext, MigrationInfo
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.util import await_only

log = logging.getLogger(__name__)

#: "schema": the key the start-up schema installation of the releases before
#: migrations held (as a session lock), so an old replica still starting during a
#: rolling upgrade and a new one migrating never run at the same time.
MIGRATION_LOCK_KEY: Final = 0x736368656D61


class MigrationError(Exception):
    """A chain or a database is not in a state migrations can work from."""


@dataclass(frozen=True, slots=True)
class Revision:
    id: str
    #: The first paragraph of the revision's docstring, on one line.
    message: str


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    #: From the first revision on, in the order they were applied.
    applied: list[Revision]
    #: What :func:`migrate` would apply, in order.
    pending: list[Revision]


@dataclass(frozen=True, slots=True)
class MigrationChain:
    """A service's revisions: the package whose ``versions/`` folder holds them,
    resolved from wherever the package is installed."""

    package: str

    def script(self) -> ScriptDirectory:
        """The chain's Alembic script directory; refuses a chain that is not linear."""
        config = Config()
        config.set_main_option("script_location", str(files(self.package)))
        script = ScriptDirectory.from_config(config)
        heads = script.get_heads()
        if len(heads) != 1:
            raise MigrationError(f"{self.package}: a chain has one head, not {heads}")
        return script

    def revisions(self) -> list[Revision]:
        """Every revision, first to last."""
        return _in_order(self.script())


async def migrate(
    database_url: str,
    chain: MigrationChain,
    *,
    schema: str | None = None,
    connect_args: Mapping[str, Any] | None = None,
) -> list[str]:
    """Apply the chain's pending revisions to the database (or to ``schema`` in it,
    created if missing) under the migration lock; returns the ids applied, in order
    (none when the database was already at the chain's head)."""
    script = chain.script()
    async with _one_at_a_time():
        engine = _engine(database_url, schema, connect_args)
        try:
            async with engine.connect() as conn:
                applied: list[str] = await conn.run_sync(_upgrade, script, schema)
        finally:
            await engine.dispose()
    if applied:
        log.info("%s: applied %s", chain.package, ", ".join(applied))
    return applied


async def status(
    database_url: str,
    chain: MigrationChain,
    *,
    schema: str | None = None,
    connect_args: Mapping[str, Any] | None = None,
) -> MigrationStatus:
    """Which of the chain's revisions the database has and which it lacks. A database
    made before migrations (no version table) lacks them all; one at a revision this
    chain does not know (a newer release migrated it) raises :class:`MigrationError`."""
    script = chain.script()
    engine = _engine(database_url, schema, connect_args)
    try:
        async with engine.connect() as conn:
            heads: tuple[str, ...] = await conn.run_sync(_current_heads, schema)
    finally:
        await engine.dispose()
    revisions = _in_order(script)
    if not heads:
        return MigrationStatus(applied=[], pending=revisions)
    ids = [r.id for r in revisions]
    if len(heads) != 1 or heads[0] not in ids:
        raise MigrationError(
            f"the database is at revision {', '.join(heads)}, which {chain.package} does "
            "not know: a newer release migrated it"
        )
    reached = ids.index(heads[0]) + 1
    return MigrationStatus(applied=revisions[:reached], pending=revisions[reached:])


def execute_script(sql: str) -> None:
    """Run ``sql``, any number of statements, on the running migration's connection.

    For a revision's ``upgrade()``: ``op.execute`` prepares its statement, and a
    prepared statement holds one command only, so a schema text of several goes to
    asyncpg's simple query protocol instead. It runs in the migration's transaction:
    the dialect opens that on its first statement, and the lock always comes first."""
    driver = op.get_bind().connection.driver_connection
    assert driver is not None
    await_only(driver.execute(sql))


def _engine(
    database_url: str, schema: str | None, connect_args: Mapping[str, Any] | None
) -> AsyncEngine:
    """One connection, made by asyncpg from the URL as given (see the module's
    contracts), with ``search_path`` set to ``schema`` for its whole life."""
    arguments = dict(connect_args or {})
    if schema is not None:
        arguments["server_settings"] = {
            **arguments.get("server_settings", {}),
            "search_path": _quoted(schema),
        }

    async def connect() -> asyncpg.Connection:
        return await asyncpg.connect(database_url, **arguments)

    return create_async_engine("postgresql+asyncpg://", async_creator=connect, poolclass=NullPool)


def _upgrade(connection: Connection, script: ScriptDirectory, schema: str | None) -> list[str]:
    """Alembic's upgrade to the head, in one transaction that takes the lock first."""
    applied: list[str] = []

    def steps(heads: Sequence[str], context: MigrationContext) -> Iterable[Any]:
        # What ``alembic upgrade heads`` runs; called once the lock is held.
        return script._upgrade_revs("heads", heads)  # type: ignore[arg-type]

    def record(*, step: MigrationInfo, **_: Any) -> None:
        if step.up_revision_id is not None:
            applied.append(step.up_revision_id)

    context = MigrationContext.configure(
        connection,
        opts={
            "script": script,
            "fn": steps,
            "version_table_schema": schema,
            "transaction_per_migration": False,
            "on_version_apply": [record],
        },
    )
    with context.begin_transaction():
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        if schema is not None:
            connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {_quoted(schema)}"))
        with Operations.context(context):
            context.run_migrations()
    return applied


def _current_heads(connection: Connection, schema: str | None) -> tuple[str, ...]:
    context = MigrationContext.configure(connection, opts={"version_table_schema": schema})
    return context.get_current_heads()


def _in_order(script: ScriptDirectory) -> list[Revision]:
    return [
        Revision(s.revision, " ".join(s.doc.split()))
        for s in reversed(list(script.walk_revisions()))
    ]


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


_RUNNING: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _one_at_a_time() -> asyncio.Lock:
    """This event loop's migration lock (Alembic's ``op`` proxy is process-global)."""
    loop = asyncio.get_running_loop()
    lock = _RUNNING.get(loop)
    if lock is None:
        lock = _RUNNING[loop] = asyncio.Lock()
    return lock
