"""Versioned migrations upgrade the databases of the release before them with every row
and every reporting view intact, build the schema that release's start-up SQL built,
apply each revision once however many replicas run them, and reach asyncpg with the
URL's parameters and the connect arguments as given.

The databases of the release before migrations are ``tests/fixtures/pre_migrations``
(dumps made by that release's own services: see ``generate.py`` there).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from commitments.adapters.migrations import CHAIN as COMMITMENTS
from funding.adapters.migrations import CHAIN as FUNDING
from pactstream_cli import replicas
from pactstream_cli.replicas import free_port
from reporting.adapters.migrations import CHAIN as REPORTING
from shared.kafka import delete_topics
from shared.migrations import MIGRATION_LOCK_KEY, MigrationChain, MigrationError, migrate, status
from tests.fixtures.pre_migrations.generate import KEY, pg_tool
from tests.integration.conftest import KAFKA, fresh_database
from tests.refs import random_ref

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "pre_migrations"
ROOT = Path(__file__).resolve().parents[2]
CHAINS = {"commitments": COMMITMENTS, "funding": FUNDING, "reporting": REPORTING}


def restore(url: str, service: str) -> None:
    """Load the old release's dump of ``service`` into the empty database at ``url``."""
    dump = gzip.decompress((FIXTURE / f"{service}.sql.gz").read_bytes())
    subprocess.run(
        [pg_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url],
        input=dump,
        check=True,
        capture_output=True,
    )


def schema(url: str, *, with_version_table: bool = True) -> list[str]:
    """``pg_dump --schema-only``, without its comments and its random ``\\restrict`` keys."""
    exclude = [] if with_version_table else ["--exclude-table=public.alembic_version"]
    dumped = subprocess.run(
        [pg_tool("pg_dump"), "--schema-only", "--no-owner", "--no-privileges", *exclude, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [
        line
        for line in dumped.splitlines()
        if line and not line.startswith(("--", "\\restrict", "\\unrestrict"))
    ]


async def columns(conn: asyncpg.Connection) -> dict[str, list[str]]:
    """The columns of every table but the version table, by table."""
    found: dict[str, list[str]] = {}
    for r in await conn.fetch(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name <> 'alembic_version' "
        "ORDER BY table_name, ordinal_position"
    ):
        found.setdefault(r["table_name"], []).append(r["column_name"])
    return found


async def rows(url: str, kept: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """Every row of every table but the version table, as text, in order; with ``kept``
    (columns by table), only those columns of those tables: a revision may add
    columns, never change what was there."""
    conn = await asyncpg.connect(url)
    try:
        found = kept or await columns(conn)
        out: dict[str, list[str]] = {}
        for table, cols in found.items():
            listed = ", ".join('"' + c + '"' for c in cols)
            query = f'SELECT ROW({listed})::text FROM public."{table}" ORDER BY 1'
            out[table] = [r[0] for r in await conn.fetch(query)]
        return out
    finally:
        await conn.close()


@asynccontextmanager
async def restored(service: str) -> AsyncIterator[str]:
    async with fresh_database() as url:
        await asyncio.to_thread(restore, url, service)
        yield url


@pytest.mark.parametrize("service", sorted(CHAINS))
async def test_a_database_of_the_release_before_migrations_upgrades_with_every_row_intact(
    service: str,
) -> None:
    chain = CHAINS[service]
    revisions = [r.id for r in chain.revisions()]
    assert revisions[0] == f"{service}_0001"
    async with restored(service) as old, fresh_database() as new:
        assert await migrate(new, chain) == revisions
        conn = await asyncpg.connect(old)
        try:
            kept = await columns(conn)
        finally:
            await conn.close()
        before = await rows(old, kept)
        # Every table holds rows but reporting's idempotency keys (it takes no POSTs).
        assert [t for t, r in before.items() if not r] == (
            ["idempotency_keys"] if service == "reporting" else []
        )
        assert [r.id for r in (await status(old, chain)).pending] == revisions

        assert await migrate(old, chain) == revisions

        assert await rows(old, kept) == before
        after = await rows(old)
        assert all(not after[table] for table in set(after) - set(before)), "new tables start empty"
        # An upgraded database and a new one are alike, version table included: the
        # baseline's IF NOT EXISTS statements leave the old release's tables as they
        # were, so an edit of its SQL (or an old table it does not make) shows here.
        assert schema(old) == schema(new)
        assert await migrate(old, chain) == []
        assert (await status(old, chain)).pending == []


@contextmanager
def reporting_service(database_url: str, topic_prefix: str) -> Iterator[str]:
    """Reporting's API (no consumer) over the database, as ``./pactstream serve`` runs it."""
    port = free_port()
    env = {
        **os.environ,
        "PACTSTREAM_DATABASE": database_url.rsplit("/", 1)[1],
        "PACTSTREAM_TOPIC_PREFIX": topic_prefix,
        "PACTSTREAM_OPERATOR_KEY": KEY,
        "PACTSTREAM_ENVIRONMENT": "test",
        "PACTSTREAM_RUN_WORKERS": "false",
    }
    process = replicas.spawn("reporting", port, env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        replicas.wait_ready(url, process, 60, name="reporting")
        yield url
    finally:
        replicas.stop([process], timeout=30)


async def _whole(client: httpx.AsyncClient, path: str) -> Any:
    """The answer, with every page of a list (lists are paged since the release
    that captured these answers)."""
    answer = await client.get(path)
    body = answer.json()
    while isinstance(body, list) and "next" in answer.links:
        answer = await client.get(answer.links["next"]["url"])
        body += answer.json()
    return body


def _kept(old: Any, new: Any) -> Any:
    """``new`` without what later releases added: the fields ``old`` did not have
    (additions are compatible; a changed or lost field is not)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return {k: _kept(old[k], new[k]) for k in old if k in new}
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [_kept(o, n) for o, n in zip(old, new, strict=True)]
    return new


async def test_reporting_answers_over_a_migrated_database_what_the_old_release_answered() -> None:
    captured: dict[str, Any] = json.loads((FIXTURE / "views.json").read_text())["views"]
    prefix = random_ref("test.")
    async with restored("reporting") as url:
        assert await migrate(url, REPORTING) == [r.id for r in REPORTING.revisions()]
        try:
            with reporting_service(url, prefix) as base:
                async with httpx.AsyncClient(
                    base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=30
                ) as client:
                    answered = {path: await _whole(client, path) for path in captured}
        finally:
            await delete_topics(KAFKA, prefix)
    for path, view in captured.items():
        assert _kept(view, answered[path]) == view, path


@pytest.mark.parametrize("service", sorted(CHAINS))
async def test_migrating_twice_applies_nothing_the_second_time(service: str) -> None:
    chain = CHAINS[service]
    async with fresh_database() as url:
        first = await migrate(url, chain)
        assert first == [r.id for r in chain.revisions()]
        assert await migrate(url, chain) == []
        assert [r.id for r in (await status(url, chain)).applied] == first


NO_OP = """
import asyncio, json, sys
from reporting.adapters.migrations import CHAIN
from shared.migrations import migrate
print(json.dumps([asyncio.run(migrate(sys.argv[1], CHAIN)), "alembic" in sys.modules]))
"""


async def test_a_database_at_the_head_is_checked_without_importing_alembic() -> None:
    async with fresh_database() as url:
        await migrate(url, REPORTING)
        replica = await asyncio.create_subprocess_exec(
            sys.executable, "-c", NO_OP, url, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await replica.communicate()
        assert json.loads(out) == [[], False]


MIGRATE_ONCE = """
import asyncio, json, sys
from reporting.adapters.migrations import CHAIN
from shared.migrations import migrate
print(json.dumps(asyncio.run(migrate(sys.argv[1], CHAIN))))
"""


#: Replica processes started together against one fresh database. Each imports
#: Alembic (2-3 s of CPU) before it asks for the lock; four on two cores show the
#: queue as well as eight did, in half the time.
REPLICAS = 4


async def test_replicas_migrating_a_fresh_database_together_apply_each_revision_once() -> None:
    async with fresh_database() as url:
        holder = await asyncpg.connect(url)
        replicas: list[asyncio.subprocess.Process] = []
        try:
            # Held while the replicas start, so that all of them queue on the lock.
            await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
            for _ in range(REPLICAS):
                replicas.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-c",
                        MIGRATE_ONCE,
                        url,
                        stdout=asyncio.subprocess.PIPE,
                        stderr=asyncio.subprocess.PIPE,
                    )
                )
            # On two busy cores, eight took over a minute once to all be waiting.
            deadline = time.monotonic() + 240
            while await holder.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ) < len(replicas):
                exited = [r for r in replicas if r.returncode is not None]
                assert not exited, (await exited[0].communicate())[1].decode()
                assert time.monotonic() < deadline, "the replicas never all waited on the lock"
                await asyncio.sleep(0.2)
            await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
            outputs = [await replica.communicate() for replica in replicas]
        finally:
            await holder.close()
            for replica in replicas:
                if replica.returncode is None:
                    replica.kill()
                    await replica.wait()
        assert [r.returncode for r in replicas] == [0] * REPLICAS, [err for _, err in outputs]
        applied = [revision for out, _ in outputs for revision in json.loads(out)]
        assert applied == [r.id for r in REPORTING.revisions()]
    # Within one process too (Alembic's ``op`` is one proxy per process).
    async with fresh_database() as url:
        results = await asyncio.gather(*(migrate(url, REPORTING) for _ in range(8)))
        assert sorted(r for result in results for r in result) == sorted(
            r.id for r in REPORTING.revisions()
        )


async def test_the_url_parameters_and_connect_arguments_reach_asyncpg() -> None:
    async with fresh_database() as url:
        conn = await asyncpg.connect(url)
        try:
            if await conn.fetchval("SHOW ssl") == "on":
                pytest.skip("this server speaks TLS: a refusal cannot show the settings")
        finally:
            await conn.close()
        chain: MigrationChain = COMMITMENTS
        # A server without TLS refuses sslmode=require, from the URL or as an argument.
        with pytest.raises(Exception, match=r"(?i)ssl"):
            await migrate(f"{url}?sslmode=require", chain)
        with pytest.raises(Exception, match=r"(?i)ssl"):
            await migrate(url, chain, connect_args={"ssl": "require"})
        revisions = [r.id for r in chain.revisions()]
        assert await migrate(f"{url}?sslmode=disable&application_name=migrations", chain) == (
            revisions
        )


async def test_a_chain_refuses_a_database_another_service_migrated() -> None:
    async with fresh_database() as url:
        await migrate(url, COMMITMENTS)
        with pytest.raises(MigrationError, match="commitments_000"):
            await status(url, FUNDING)
        with pytest.raises(Exception, match="commitments_000"):
            await migrate(url, FUNDING)


async def test_a_revision_outside_a_transaction_builds_its_index_concurrently() -> None:
    chain = MigrationChain("tests.fixtures.concurrent_index_chain")
    async with fresh_database() as url:
        assert await migrate(url, chain) == ["example_0001", "example_0002", "example_0003"]
        assert await migrate(url, chain) == []
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = 'readings_sensor_idx'::regclass"
            )
            assert await conn.fetchval("SELECT version_num FROM alembic_version") == "example_0003"
        finally:
            await conn.close()


async def test_a_release_serves_a_database_a_newer_release_migrated() -> None:
    """A rolling upgrade or a rollback runs the older release on the newer schema,
    which expands before it contracts: it starts rather than waiting forever."""
    async with fresh_database() as url:
        await migrate(url, REPORTING)
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("UPDATE alembic_version SET version_num = 'reporting_9999'")
        finally:
            await conn.close()
        assert await migrate(url, REPORTING) == []
