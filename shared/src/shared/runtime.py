"""What every service's composition root assembles: a pool, a producer, supervised
workers, and the readiness check over all three."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI

from shared.access import CredentialStore
from shared.database import create_pool, ensure_database
from shared.eventstore.postgres import PostgresEventStore
from shared.http.app import build_base_app
from shared.http.auth import KeyAuthenticator
from shared.kafka import KafkaProducer, ensure_topics
from shared.migrations import MigrationChain, migrate
from shared.observability import Metrics
from shared.relay import Relay
from shared.settings import ServiceSettings
from shared.supervisor import Supervisor

log = logging.getLogger(__name__)

TOPIC_PARTITIONS = 6
VERSION = "0.1.0"


class Runtime:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.metrics = Metrics(settings.service)
        self.supervisor = Supervisor(metrics=self.metrics)
        self.authenticator = KeyAuthenticator(settings.operator_key.get_secret_value())
        self._pool: asyncpg.Pool | None = None
        self.relay: Relay | None = None
        self._store: PostgresEventStore | None = None
        self._producer: KafkaProducer | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("runtime not started")
        return self._pool

    @property
    def store(self) -> PostgresEventStore:
        """The service's event store, counting what is appended."""
        if self._store is None:
            self._store = PostgresEventStore(self.pool, on_append=self.metrics.appended.inc)
        return self._store

    @property
    def producer(self) -> KafkaProducer:
        if self._producer is None:
            raise RuntimeError("runtime not started")
        return self._producer

    async def start(self, migrations: MigrationChain, topics: Sequence[str]) -> None:
        s = self.settings
        await _retry("PostgreSQL", lambda: ensure_database(s.postgres_url, s.database_name))
        self._pool = await create_pool(
            s.database_url, min_size=s.db_pool_min, max_size=s.db_pool_max
        )
        await migrate(s.database_url, migrations)
        self.authenticator.attach(CredentialStore(self._pool))
        await _retry(
            "Kafka",
            lambda: ensure_topics(
                s.kafka_bootstrap, [*topics, s.dead_letter_topic], TOPIC_PARTITIONS
            ),
        )
        self._producer = KafkaProducer(s.kafka_bootstrap, client_id=f"pactstream-{s.service}")
        await _retry("Kafka producer", self._producer.start)

    def run_worker(
        self,
        name: str,
        factory: Callable[[], Awaitable[None]],
        stop: Callable[[], None] | None = None,
    ) -> None:
        self.supervisor.start(name, factory, stop)

    def run_relay(self, context: str) -> Relay:
        """Publish this service's event store to its context's topic, supervised."""
        relay = Relay(
            database_url=self.settings.database_url,
            producer=self.producer,
            topic=self.settings.topic(context),
            source=f"/pactstream/{context}",
            metrics=self.metrics,
        )
        self.run_worker("relay", relay.run, relay.request_stop)
        self.relay = relay
        return relay

    def build_app(self, *, title: str, lifespan: Any, routers: Sequence[APIRouter] = ()) -> FastAPI:
        """The service's FastAPI app with the common skeleton, auth and its routers."""
        app = build_base_app(
            title=title,
            version=VERSION,
            metrics=self.metrics,
            readiness=self.readiness,
            max_body_bytes=self.settings.max_body_bytes,
            lifespan=lifespan,
            rate_per_second=self.settings.rate_limit_per_second,
            rate_burst=self.settings.rate_limit_burst,
            deadline_seconds=self.settings.request_timeout_seconds,
            topic_prefix=self.settings.topic_prefix,
        )
        app.state.settings = self.settings
        app.state.runtime = self
        app.state.authenticator = self.authenticator
        for router in routers:
            app.include_router(router)
        return app

    async def readiness(self) -> dict[str, Any]:
        checks: dict[str, Any] = {}
        try:
            await asyncio.wait_for(self.pool.fetchval("SELECT 1"), 2)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"down: {type(exc).__name__}"
        try:
            parts = await asyncio.wait_for(
                self.producer.partitions(self.settings.dead_letter_topic), 2
            )
            checks["kafka"] = "ok" if parts else "down: no partitions"
        except Exception as exc:
            checks["kafka"] = f"down: {type(exc).__name__}"
        checks["workers"] = self.supervisor.describe()
        if self.relay is not None:
            # Exactly one replica per database leads; the others stand by.
            checks["relay"] = "leader" if self.relay.status.leader else "standby"
        checks["ready"] = (
            checks["database"] == "ok" and checks["kafka"] == "ok" and self.supervisor.healthy
        )
        return checks

    async def stop(self) -> None:
        await self.supervisor.stop()
        if self._producer is not None:
            with contextlib.suppress(Exception):
                await self._producer.stop()
        if self._pool is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._pool.close(), 10)


async def _retry(what: str, step: Callable[[], Awaitable[object]], attempts: int = 30) -> None:
    """Dependencies may come up a moment after the service: wait for them a while."""
    for attempt in range(1, attempts + 1):
        try:
            await step()
            return
        except Exception as exc:
            if attempt == attempts:
                raise
            log.warning("%s not reachable yet (%s); retrying", what, exc)
            await asyncio.sleep(min(0.5 * attempt, 3))
