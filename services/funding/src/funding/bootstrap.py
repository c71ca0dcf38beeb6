"""Composition root of funding: event store and relay, the commitments replica and its
consumer, the HTTP fallback to commitments, and the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial

import asyncpg
import httpx
from fastapi import FastAPI

from funding.adapters import directory as replica
from funding.adapters.directory import ReplicaDirectory
from funding.adapters.migrations import CHAIN as MIGRATIONS
from funding.api.errors import install_error_handlers
from funding.api.events import router as events_router
from funding.api.routes import router
from funding.application.service import FundingService
from funding.settings import FundingSettings
from shared.consumer import (
    ConsumerConfig,
    ConsumerRunner,
    PostgresTrackingStore,
    Projection,
)
from shared.contracts import build_registry
from shared.contracts.publications import access_topic
from shared.runtime import Runtime
from shared.unitofwork.postgres import PostgresUnitsOfWork

CONTEXT = "funding"


def now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: FundingSettings | None = None) -> FastAPI:
    settings = settings or FundingSettings()
    registry = build_registry()
    runtime = Runtime(settings, registry)
    commitments_topic = settings.topic("commitments")

    http = httpx.AsyncClient(
        base_url=settings.commitments_url,
        headers={"Authorization": f"Bearer {settings.operator_key.get_secret_value()}"},
        timeout=5.0,
    )

    async def on_database(pool: asyncpg.Pool) -> None:
        directory = ReplicaDirectory(pool, http)
        units = PostgresUnitsOfWork(runtime.store)
        app.state.service = FundingService(runtime.store, registry, directory, now, units=units)
        if settings.run_workers:
            runtime.run_relay(CONTEXT)
            config = ConsumerConfig(
                name=f"{settings.topic_prefix}.funding.commitments-replica",
                kafka=settings.kafka,
                topics=[commitments_topic],
                dead_letter_topic=settings.dead_letter_topic,
            )
            consumer = ConsumerRunner(
                config,
                Projection(partial(replica.replicate, registry), wants=replica.replicates),
                tracking=PostgresTrackingStore(pool),
                producer=runtime.producer,
                metrics=runtime.metrics,
            )
            runtime.run_worker("commitments-replica", consumer.run, consumer.request_stop)
            runtime.run_credentials(pool)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        published = [topic.name for topic in runtime.publication(CONTEXT).topics]
        consumed = [commitments_topic, access_topic(settings.topic_prefix)]
        runtime.start(MIGRATIONS, [*published, *consumed], on_database)
        try:
            yield
        finally:
            await runtime.stop()
            await http.aclose()

    app = runtime.build_app(
        title="Pactstream funding", lifespan=lifespan, routers=[router, events_router]
    )
    install_error_handlers(app)
    return app
