"""Versioned, forward-only schema migrations: Alembic over asyncpg, in plain SQL.

Each service's database evolves through a linear chain of revisions kept in its own
package (``<service>/adapters/migrations/versions/``); this module is their API, and
:mod:`shared.migration_env` the one environment they all run in, configured in code
rather than by an ``alembic.ini`` or an ``env.py``. Contracts:

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

Alembic and SQLAlchemy take longer to import than the rest of a service (see the
README), so they are imported only when there is something to migrate
(:mod:`shared.migration_env`): :func:`migrate` first reads the version table with
asyncpg, and a database already at the chain's head (every start but the first after
an upgrade) is left at that. The head is read from the revision files' source, the
same files Alembic loads.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import logging
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Final

import asyncpg

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

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
        from shared import migration_env

        return migration_env.script_directory(self.package)

    def revisions(self) -> list[Revision]:
        """Every revision, first to last."""
        from shared import migration_env

        return migration_env.in_order(self.script())

    def parents(self) -> dict[str, str | None]:
        """Each revision's id and its parent's, from what the revision files assign,
        read as source rather than imported with Alembic."""
        parents: dict[str, str | None] = {}
        for path in (files(self.package) / "versions").iterdir():
            if path.name.endswith(".py") and path.name != "__init__.py":
                revision, down = _identifiers(path.read_text(encoding="utf-8"))
                parents[revision] = down
        return parents

    def head(self) -> str:
        """The last revision's id."""
        parents = self.parents()
        heads = sorted(set(parents) - set(parents.values()))
        if len(heads) != 1:
            raise MigrationError(f"{self.package}: a chain has one head, not {heads}")
        return heads[0]


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
    found = await _versions(database_url, schema, connect_args)
    if found == [chain.head()]:
        return []
    known = chain.parents()
    unknown = [v for v in found if v not in known]
    ours = {r.rpartition("_")[0] for r in known}
    if any(v.rpartition("_")[0] not in ours for v in unknown):
        raise MigrationError(
            f"the database is at revision {', '.join(unknown)}, of another service's "
            f"chain than {chain.package}"
        )
    if unknown:
        # A newer release migrated it (a rolling upgrade, or a rollback): its
        # revisions expand before they contract, so this release works on it.
        log.warning(
            "%s: the database is at %s, which this release does not know (a newer "
            "release migrated it); using it as it is",
            chain.package,
            ", ".join(unknown),
        )
        return []
    # Importing Alembic takes seconds: not on the event loop, which serves meanwhile.
    await asyncio.to_thread(importlib.import_module, "shared.migration_env")
    from shared import migration_env

    script = await asyncio.to_thread(chain.script)
    async with _one_at_a_time():
        applied = await migration_env.upgrade(database_url, script, schema, connect_args)
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
    chain does not know (a newer release's, or another service's) raises
    :class:`MigrationError`."""
    from shared import migration_env

    revisions = chain.revisions()
    heads = await migration_env.current_heads(database_url, schema, connect_args)
    if not heads:
        return MigrationStatus(applied=[], pending=revisions)
    ids = [r.id for r in revisions]
    if len(heads) != 1 or heads[0] not in ids:
        raise MigrationError(
            f"the database is at revision {', '.join(heads)}, which {chain.package} does "
            "not know: a newer release (or another service's chain) migrated it"
        )
    reached = ids.index(heads[0]) + 1
    return MigrationStatus(applied=revisions[:reached], pending=revisions[reached:])


def execute_script(sql: str) -> None:
    """Run ``sql``, any number of statements, on the running migration's connection.

    For a revision's ``upgrade()``: ``op.execute`` prepares its statement, and a
    prepared statement holds one command only, so a schema text of several goes to
    asyncpg's simple query protocol instead. It runs in the migration's transaction:
    the dialect opens that on its first statement, and the lock always comes first."""
    from shared import migration_env

    migration_env.execute_script(sql)


async def _versions(
    database_url: str, schema: str | None, connect_args: Mapping[str, Any] | None
) -> list[str]:
    """What the version table (where Alembic keeps it) holds, read without the lock:
    a head committed is final, and anything else goes on to the locked path."""
    table = "alembic_version" if schema is None else f"{quote_identifier(schema)}.alembic_version"
    conn = await asyncpg.connect(database_url, **(connect_args or {}))
    try:
        if await conn.fetchval("SELECT to_regclass($1)", table) is None:
            return []
        return [r[0] for r in await conn.fetch(f"SELECT version_num FROM {table}")]
    finally:
        await conn.close()


def _identifiers(source: str) -> tuple[str, str | None]:
    """``revision`` and ``down_revision`` as a revision module assigns them."""
    values: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and isinstance(value, ast.Constant):
            values[target.id] = value.value
    revision, down = values.get("revision"), values.get("down_revision")
    if not isinstance(revision, str) or not (down is None or isinstance(down, str)):
        raise MigrationError("a revision assigns revision and down_revision as plain strings")
    return revision, down


def quote_identifier(identifier: str) -> str:
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
