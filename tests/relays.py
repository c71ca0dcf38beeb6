"""Relays for the relay's tests: built with what a test changes only, run for a block."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from shared.kafka import KafkaProducer
from shared.publication import Publication
from shared.relay import Relay


def relay_of(
    database_url: str, producer: KafkaProducer, topic: str, source: str = "/test", **options: Any
) -> Relay:
    """A relay of the test's database publishing every event to ``topic``."""
    return Relay(
        database_url=database_url,
        producer=producer,
        publication=Publication.everything(topic),
        source=source,
        **options,
    )


@contextlib.asynccontextmanager
async def running(relay: Relay) -> AsyncIterator[Relay]:
    """The relay running until the block ends, then stopped cleanly."""
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        relay.request_stop()
        await asyncio.wait_for(task, 10)
