"""PostgreSQL connection pools and databases. Schemas are migrations' business
(:mod:`shared.migrations`)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, TypeAlias
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import asyncpg

from shared import jsontext

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    #: A connection, whether held directly or borrowed from a pool.
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
else:
    Connection = asyncpg.Connection

#: Errors that mean the database is unreachable or going away, not that a statement
#: was wrong: requests answer 503 and workers restart on them.
CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    ConnectionError,
    OSError,
    TimeoutError,
)
#: Errors that say the transaction collided with another, not that a statement or an
#: event was wrong: the whole unit of work is run again (a consumer's poll is read
#: again), never an event dead-lettered for it.
CONFLICT_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.exceptions.DeadlockDetectedError,
    asyncpg.exceptions.SerializationError,
)


#: Every pooled session's settings. JIT compilation off: the read models' queries are
#: many short index lookups whose planner cost passes ``jit_above_cost`` on a large
#: plan, and compiling them took 280 ms of a 400 ms progress query (EXPLAIN ANALYZE,
#: 10,000 commitments) to save nothing; no query here is a long scan JIT would speed.
SESSION_SETTINGS = {"jit": "off"}


async def _init_connection(conn: asyncpg.Connection) -> None:
    """json/jsonb parameters take Python values (``jsontext.Raw`` text as it is) and
    results come back decoded. ``jsonb`` travels in its binary form, which binary COPY
    needs (``copy_records_to_table``) and costs no more: its JSON text after a byte."""
    await conn.set_type_codec(
        "json", encoder=jsontext.dumps, decoder=jsontext.loads, schema="pg_catalog"
    )
    await conn.set_type_codec(
        "jsonb",
        encoder=jsontext.dumps_jsonb,
        decoder=jsontext.loads_jsonb,
        schema="pg_catalog",
        format="binary",
    )


async def _end_abandoned_transaction(conn: asyncpg.Connection) -> None:
    """What a pooled connection needs before reuse here. Sessions hold no other state:
    advisory locks are transaction-scoped or released explicitly, and LISTEN and
    ``search_path`` changes live on dedicated connections or in ``SET LOCAL``. asyncpg's
    default reset (unlock all, close cursors, unlisten, reset settings) would cost a
    round trip on every release."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_end_abandoned_transaction,
        command_timeout=30,
        server_settings=SESSION_SETTINGS,
    )
    assert pool is not None
    return pool


def with_database(
    url: str,
    database: str | None,
    *,
    password: str | None = None,
    sslmode: str | None = None,
    sslrootcert: str | None = None,
) -> str:
    """``url`` (a server's URL, with a database or without) naming ``database`` (none
    when ``None``), with the password and libpq TLS parameters given, if any; the
    URL's other parameters are kept."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if password is not None:
        userinfo, at, host = netloc.rpartition("@")
        user = userinfo.partition(":")[0] if at else ""
        netloc = f"{user}:{quote(password, safe='')}@{host}"
    query = dict(parse_qsl(parts.query))
    if sslmode is not None:
        query["sslmode"] = sslmode
    if sslrootcert is not None:
        query["sslrootcert"] = sslrootcert
    path = "" if database is None else "/" + quote(database, safe="")
    return urlunsplit((parts.scheme, netloc, path, urlencode(query, quote_via=quote), ""))


async def database_exists(server_url: str, name: str) -> bool:
    """Whether database ``name`` exists, asked of the database itself: a role of a
    managed server may be allowed into its own database only."""
    try:
        conn = await asyncpg.connect(with_database(server_url, name))
    except asyncpg.InvalidCatalogNameError:
        return False
    await conn.close()
    return True


async def ensure_database(server_url: str, name: str) -> None:
    """Create database ``name`` on the server if it does not exist (through the
    ``postgres`` database, only then)."""
    if await database_exists(server_url, name):
        return
    conn = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(server_url: str, name: str) -> None:
    """Drop database ``name`` if it exists, disconnecting whoever still uses it."""
    conn = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
