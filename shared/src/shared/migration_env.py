"""The one Alembic environment every chain runs in (see :mod:`shared.migrations` for
the contracts), configured in code: no ``alembic.ini``, no ``env.py``. Imported only
when a migration runs or a chain is read, with Alembic and SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from importlib.resources import files
from typing import Any

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

from shared.migrations import MIGRATION_LOCK_KEY, MigrationError, Revision, quote_identifier


def script_directory(package: str) -> ScriptDirectory:
    """The revisions in ``package``'s ``versions/``; refuses a chain that is not linear."""
    config = Config()
    config.set_main_option("script_location", str(files(package)))
    script = ScriptDirectory.from_config(config)
    heads = script.get_heads()
    if len(heads) != 1:
        raise MigrationError(f"{package}: a chain has one head, not {heads}")
    return script


def in_order(script: ScriptDirectory) -> list[Revision]:
    return [
        Revision(s.revision, " ".join(s.doc.split()))
        for s in reversed(list(script.walk_revisions()))
    ]


async def upgrade(
    database_url: str,
    script: ScriptDirectory,
    schema: str | None,
    connect_args: Mapping[str, Any] | None,
) -> list[str]:
    engine = _engine(database_url, schema, connect_args)
    try:
        async with engine.connect() as conn:
            applied: list[str] = await conn.run_sync(_upgrade, script, schema)
    finally:
        await engine.dispose()
    return applied


async def current_heads(
    database_url: str, schema: str | None, connect_args: Mapping[str, Any] | None
) -> tuple[str, ...]:
    engine = _engine(database_url, schema, connect_args)
    try:
        async with engine.connect() as conn:
            heads: tuple[str, ...] = await conn.run_sync(_current_heads, schema)
    finally:
        await engine.dispose()
    return heads


def execute_script(sql: str) -> None:
    driver = op.get_bind().connection.driver_connection
    assert driver is not None
    await_only(driver.execute(sql))


def _engine(
    database_url: str, schema: str | None, connect_args: Mapping[str, Any] | None
) -> AsyncEngine:
    """One connection, made by asyncpg from the URL as given (SQLAlchemy never parses
    it), with ``search_path`` set to ``schema`` for its whole life."""
    arguments = dict(connect_args or {})
    if schema is not None:
        arguments["server_settings"] = {
            **arguments.get("server_settings", {}),
            "search_path": quote_identifier(schema),
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
            connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {quote_identifier(schema)}"))
        with Operations.context(context):
            context.run_migrations()
    return applied


def _current_heads(connection: Connection, schema: str | None) -> tuple[str, ...]:
    context = MigrationContext.configure(connection, opts={"version_table_schema": schema})
    return context.get_current_heads()
