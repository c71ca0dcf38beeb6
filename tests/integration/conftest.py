"""Real PostgreSQL and Kafka, as ``./pactstream test`` provides them. Each test gets its
own database and its own topics, so tests never see each other's data."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from shared.database import create_pool, drop_database, ensure_database
from shared.kafka import KafkaProducer, delete_topics, ensure_topics
from tests.refs import random_ref

POSTGRES_URL = os.environ.get("PACTSTREAM_POSTGRES_URL", "postgresql://pactstream@127.0.0.1:55432")
KAFKA = os.environ.get("PACTSTREAM_KAFKA_BOOTSTRAP", "127.0.0.1:59092")


@pytest.fixture
def kafka_bootstrap() -> str:
    return KAFKA


@pytest.fixture
async def producer(kafka_bootstrap: str) -> AsyncIterator[KafkaProducer]:
    """A started producer, as a relay under test publishes through."""
    p = KafkaProducer(kafka_bootstrap, "test-relay")
    await p.start()
    yield p
    await p.stop()


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A new, empty database, dropped afterwards."""
    name = random_ref("test_")
    await ensure_database(POSTGRES_URL, name)
    try:
        yield f"{POSTGRES_URL}/{name}"
    finally:
        await drop_database(POSTGRES_URL, name)


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
async def topic_prefix() -> AsyncIterator[str]:
    """A fresh topic name; it and every topic named after it are deleted afterwards."""
    prefix = random_ref("test.")
    yield prefix
    await delete_topics(KAFKA, prefix)


@pytest.fixture
async def topic(topic_prefix: str) -> str:
    await ensure_topics(KAFKA, [topic_prefix], partitions=3)
    return topic_prefix
