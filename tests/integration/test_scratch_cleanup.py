"""Tests, the e2e platform and the benchmark make databases and topics for every run
and remove them with these; a removal that silently did nothing would let a developer's
broker and cluster fill up run after run."""

from __future__ import annotations

import asyncio

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from shared.database import drop_database, ensure_database
from shared.kafka import delete_topics, ensure_topics
from tests.integration.conftest import KAFKA, POSTGRES_URL
from tests.refs import random_ref


async def topics() -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=KAFKA)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def test_delete_topics_removes_every_topic_under_the_prefix_and_no_other() -> None:
    prefix, bystander = random_ref("test."), random_ref("test.")
    await ensure_topics(KAFKA, [f"{prefix}.a", f"{prefix}.b", bystander], partitions=1)
    try:
        deleted = await delete_topics(KAFKA, f"{prefix}.")
        assert deleted == [f"{prefix}.a", f"{prefix}.b"]
        for _ in range(50):  # Brokers learn of a deletion a moment after the controller.
            left = await topics()
            if not {t for t in left if t.startswith(prefix)}:
                break
            await asyncio.sleep(0.2)
        assert not {t for t in left if t.startswith(prefix)}
        assert bystander in left
    finally:
        await delete_topics(KAFKA, bystander)


async def test_drop_database_disconnects_its_users_and_drops_it() -> None:
    name = random_ref("test_")
    await ensure_database(POSTGRES_URL, name)
    user = await asyncpg.connect(f"{POSTGRES_URL}/{name}")
    await drop_database(POSTGRES_URL, name)
    assert user.is_closed() or await _closed_on_use(user)
    server = await asyncpg.connect(f"{POSTGRES_URL}/postgres")
    try:
        assert await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name) is None
    finally:
        await server.close()
    await drop_database(POSTGRES_URL, name)  # Dropping what is gone is not an error.


async def _closed_on_use(conn: asyncpg.Connection) -> bool:
    try:
        await conn.fetchval("SELECT 1")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, ConnectionError):
        return True
    return False
