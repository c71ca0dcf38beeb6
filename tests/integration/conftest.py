"""Real PostgreSQL and Kafka, as ``./pactstream test`` provides them. Each test gets its
own database and its own topics, so tests never see each other's data."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from shared.database import create_pool, ensure_database
from shared.kafka import ensure_topics
from tests.refs import random_ref

POSTGRES_URL = os.environ.get("PACTSTREAM_POSTGRES_URL", "postgresql://pactstream@127.0.0.1:55432")
KAFKA = os.environ.get("PACTSTREAM_KAFKA_BOOTSTRAP", "127.0.0.1:59092")


@pytest.fixture
def kafka_bootstrap() -> str:
    return KAFKA


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A new, empty database, dropped afterwards."""
    name = random_ref("test_")
    await ensure_database(POSTGRES_URL, name)
    try:
        yield f"{POSTGRES_URL}/{name}"
    finally:
        conn = await asyncpg.connect(f"{POSTGRES_URL}/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@asynccontextmanager
async def fresh_pool(url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(url, min_size=2, max_size=40)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    async with fresh_database() as url:
        yield url


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with fresh_pool(database_url) as pool:
        yield pool


@pytest.fixture
async def topic() -> str:
    name = random_ref("test.")
    await ensure_topics(KAFKA, [name], partitions=3)
    return name
