"""What every service's composition root assembles: a pool, a producer, supervised
workers, and the readiness check over them.

A service opens its port at once, whatever state its dependencies are in. Connecting
to PostgreSQL (then bringing its schema up to date) and to Kafka (then making the
topics) run in the background, retried with backoff until they succeed or the service
stops: a SIGTERM is never kept waiting on an unreachable server. Until its database is
ready a service answers 503 (`/healthz` excepted, which says only that the process
lives); Kafka is never a condition for serving: writes land in the event store, which
is the outbox, and the relay publishes them once the cluster answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI

from shared import access
from shared.access import CredentialStore
from shared.consumer import (
    Consumer,
    ConsumerConfig,
    ConsumerRunner,
    PostgresTrackingStore,
    Projection,
)
from shared.contracts.publications import PUBLICATIONS, access_topic
from shared.database import create_pool, ensure_database
from shared.events import EventRegistry
from shared.eventstore.postgres import PostgresEventStore
from shared.http.app import build_base_app
from shared.http.auth import FailureLimit, KeyAuthenticator
from shared.http.idempotency import KeyExpiry
from shared.kafka import KafkaProducer, ensure_topics
from shared.migrations import MigrationChain, migrate
from shared.observability import Metrics
from shared.publication import Publication
from shared.relay import Relay
from shared.settings import ServiceSettings
from shared.supervisor import Supervisor

log = logging.getLogger(__name__)

VERSION = "0.1.0"
#: Seconds between the background checks of the database and Kafka (metrics).
WATCH_SECONDS = 5.0
#: The worker deleting expired idempotency keys: housekeeping, not a consumer; its
#: state is in ``pactstream_worker_up``.
EXPIRY_WORKER = "idempotency-expiry"
#: Longest pause between two attempts to reach a dependency.
MAX_BACKOFF = 5.0
#: A section of ``/readyz``'s body: a name and what it says now.
Report = Callable[[], Awaitable[dict[str, Any]]]
#: Runs once the database is ready (migrated), before the service takes requests.
OnDatabase = Callable[[asyncpg.Pool], Awaitable[None]]


class Runtime:
    def __init__(self, settings: ServiceSettings, registry: EventRegistry) -> None:
        """``registry``: the event types this process reads, built by its composition
        root; the credentials consumer and ``/asyncapi.json`` read with it."""
        self.settings = settings
        self.registry = registry
        self.metrics = Metrics(settings.service)
        self.sealer = settings.sealer
        self.supervisor = Supervisor(metrics=self.metrics)
        self.authenticator = KeyAuthenticator(
            settings.operator_key.get_secret_value(),
            failures=FailureLimit(settings.auth_failures_burst, settings.auth_failures_per_second),
        )
        self.producer = KafkaProducer(settings.kafka, client_id=f"pactstream-{settings.service}")
        self.database_ready = asyncio.Event()
        self.kafka_ready = asyncio.Event()
        self.relay: Relay | None = None
        self._pool: asyncpg.Pool | None = None
        self._store: PostgresEventStore | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._reports: dict[str, Report] = {}
        #: Why the database or Kafka is not ready yet, as last seen.
        self._errors: dict[str, str] = {}
        self._stopping = asyncio.Event()

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the database is not ready yet")
        return self._pool

    @property
    def store(self) -> PostgresEventStore:
        """The service's event store, counting what is appended."""
        if self._store is None:
            self._store = PostgresEventStore(self.pool, on_append=self.metrics.appended.inc)
        return self._store

    def start(
        self, migrations: MigrationChain, topics: Sequence[str], on_database: OnDatabase
    ) -> None:
        """Connect in the background: the database (brought up to ``migrations``' head,
        then ``on_database``, which builds what needs the pool and starts the workers)
        and Kafka (topics, the producer)."""
        self._tasks = [
            asyncio.create_task(self._connect_database(migrations, on_database), name="database"),
            asyncio.create_task(self._connect_kafka(topics), name="kafka"),
            asyncio.create_task(self._watch(), name="watch"),
        ]
        for task in self._tasks:
            task.add_done_callback(self._failed)

    def _failed(self, task: asyncio.Task[None]) -> None:
        """A start-up step that failed for good (not a server down: that is retried)
        shows in /readyz and the log rather than vanishing with its task."""
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        log.error("start-up step %s failed", task.get_name(), exc_info=error)
        self._errors[task.get_name()] = f"start-up failed: {type(error).__name__}: {error}"

    async def _connect_database(self, migrations: MigrationChain, on_database: OnDatabase) -> None:
        s = self.settings

        async def connect() -> None:
            await ensure_database(s.postgres_server_url, s.database_name)
            await migrate(s.database_url, migrations)
            self._pool = await create_pool(
                s.database_url, min_size=s.db_pool_min, max_size=s.db_pool_max
            )

        await _until_done("database", connect, self._errors)
        if sealed := await access.seal_at_rest(self.pool, self.sealer):
            log.info("sealed %d webhook secrets at rest", sealed)
        lookups = self.metrics.key_lookups.inc
        self.authenticator.attach(CredentialStore(self.pool, lookups, self.sealer))
        await on_database(self.pool)
        if s.run_workers:
            expiry = KeyExpiry(self.pool)
            self.run_worker(EXPIRY_WORKER, expiry.run, expiry.request_stop, needs_kafka=False)
        self.database_ready.set()
        self.metrics.dependency_up(self.settings.service, "database").set(1)
        log.info("database %s ready", s.database_name)

    async def _connect_kafka(self, topics: Sequence[str]) -> None:
        s = self.settings

        async def connect() -> None:
            await ensure_topics(
                s.kafka, [*topics, s.dead_letter_topic], timeout=15, layout=s.topic_layout
            )
            await self.producer.start()

        await _until_done("kafka", connect, self._errors)
        self.kafka_ready.set()
        self.metrics.dependency_up(self.settings.service, "kafka").set(1)
        log.info("Kafka at %s ready", s.kafka_bootstrap)

    async def _watch(self) -> None:
        """Keep the dependency gauges current between calls of ``/readyz``."""
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            with contextlib.suppress(Exception):
                await self.readiness()

    def run_worker(
        self,
        name: str,
        factory: Callable[[], Awaitable[None]],
        stop: Callable[[], None] | None = None,
        *,
        needs_kafka: bool = True,
    ) -> None:
        """Supervise ``factory``; with ``needs_kafka`` it starts once Kafka was reached."""
        if needs_kafka:
            inner = factory

            async def factory() -> None:
                ready, stopping = self.kafka_ready.wait(), self._stopping.wait()
                waits = [asyncio.ensure_future(ready), asyncio.ensure_future(stopping)]
                try:
                    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for waiting in waits:
                        waiting.cancel()
                if not self._stopping.is_set():
                    await inner()

        self.supervisor.start(name, factory, stop)

    def publication(self, context: str) -> Publication:
        """What this service, the writer of ``context``, publishes, and where."""
        return PUBLICATIONS[context](self.settings.topic_prefix, self.sealer.seal)

    def run_relay(self, context: str) -> Relay:
        """Publish this service's event store as its publication says, supervised."""
        relay = Relay(
            database_url=self.settings.database_url,
            producer=self.producer,
            publication=self.publication(context),
            source=f"/pactstream/{context}",
            metrics=self.metrics,
        )
        self.run_worker("relay", relay.run, relay.request_stop)
        self.relay = relay
        return relay

    def run_credentials(self, pool: asyncpg.Pool) -> Consumer:
        """Honour the credentials commitments issues: consume the internal access topic
        into this service's credential tables, supervised."""
        prefix = self.settings.topic_prefix
        config = ConsumerConfig(
            name=f"{prefix}.{self.settings.service}.access",
            kafka=self.settings.kafka,
            topics=[access_topic(prefix)],
            dead_letter_topic=self.settings.dead_letter_topic,
        )
        consumer = ConsumerRunner(
            config,
            Projection(partial(access.honour, self.registry)),
            tracking=PostgresTrackingStore(pool),
            producer=self.producer,
            metrics=self.metrics,
        )
        self.run_worker("access", consumer.run, consumer.request_stop)
        return consumer

    def report(self, name: str, section: Report) -> None:
        """Add a section to ``/readyz``'s body (a consumer's lag, say)."""
        self._reports[name] = section

    def build_app(self, *, title: str, lifespan: Any, routers: Sequence[APIRouter] = ()) -> FastAPI:
        """The service's FastAPI app with the common skeleton, auth and its routers."""
        app = build_base_app(
            title=title,
            version=VERSION,
            metrics=self.metrics,
            readiness=self.readiness,
            registry=self.registry,
            serving=self.database_ready.is_set,
            max_body_bytes=self.settings.max_body_bytes,
            lifespan=lifespan,
            rate_per_second=self.settings.rate_limit_per_second,
            rate_burst=self.settings.rate_limit_burst,
            deadline_seconds=self.settings.request_timeout_seconds,
            topic_prefix=self.settings.topic_prefix,
            access_log=self.settings.access_log,
        )
        app.state.settings = self.settings
        app.state.runtime = self
        app.state.authenticator = self.authenticator
        for router in routers:
            app.include_router(router)
        return app

    async def readiness(self) -> dict[str, Any]:
        """Whether this service can serve its callers (its database answers and its
        schema is up to date), and the state of everything else it uses: Kafka, the
        relay, the consumers. Only the first decides readiness."""
        database, kafka = await asyncio.gather(self._check_database(), self._check_kafka())
        service = self.settings.service
        self.metrics.dependency_up(service, "database").set(1 if database["ok"] else 0)
        self.metrics.dependency_up(service, "kafka").set(1 if kafka["ok"] else 0)
        checks: dict[str, Any] = {
            "ready": database["ok"],
            "service": service,
            "database": database,
            "kafka": kafka,
        }
        workers = self.supervisor.describe()
        if self.relay is not None:
            relay = workers.get("relay", {})
            role = "leader" if self.relay.status.leader else "standby"
            checks["relay"] = {
                "ok": bool(relay.get("running")) and kafka["ok"],
                "role": role if self.kafka_ready.is_set() else "waiting for Kafka",
                "published": self.relay.status.published,
                "restarts": relay.get("restarts", 0),
                "last_error": relay.get("last_error"),
            }
        consumers = {name: w for name, w in workers.items() if name not in ("relay", EXPIRY_WORKER)}
        if consumers:
            checks["consumers"] = {
                "ok": all(w["running"] for w in consumers.values()) and kafka["ok"],
                **consumers,
            }
        for name, section in self._reports.items():
            try:
                checks[name] = await section()
            except Exception as exc:
                checks[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        return checks

    async def _check_database(self) -> dict[str, Any]:
        if not self.database_ready.is_set():
            why = self._errors.get("database", "connecting, or bringing the schema up to date")
            return {"ok": False, "error": why}
        try:
            await asyncio.wait_for(self.pool.fetchval("SELECT 1"), 2)
        except Exception as exc:
            return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        return {"ok": True}

    async def _check_kafka(self) -> dict[str, Any]:
        if not self.kafka_ready.is_set():
            return {"ok": False, "error": self._errors.get("kafka", "connecting")}
        if await self.producer.reachable(timeout=2):
            return {"ok": True}
        return {"ok": False, "error": f"no broker of {self.settings.kafka_bootstrap} answers"}

    async def stop(self) -> None:
        self._stopping.set()
        for task in self._tasks:
            task.cancel()
        # A cancelled connection attempt may take a moment to unwind; never forever.
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2)
        await self.supervisor.stop()
        await self.producer.stop(timeout=4)
        if self._pool is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._pool.close(), 4)


async def _until_done(
    what: str, step: Callable[[], Awaitable[None]], errors: dict[str, str]
) -> None:
    """Run ``step`` until it succeeds, with backoff; one line of log per failure, and
    the last one in ``errors[what]`` (for /readyz) until it succeeds."""
    backoff = 0.2
    while True:
        try:
            await step()
            errors.pop(what, None)
            return
        except Exception as exc:
            errors[what] = f"{type(exc).__name__}: {exc}"
            log.warning("%s not ready (%s); retrying in %.1f s", what, errors[what], backoff)
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, MAX_BACKOFF)
