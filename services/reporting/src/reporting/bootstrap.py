"""Composition root of reporting: pool, consumer of both topics, app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from reporting.adapters.migrations import CHAIN as MIGRATIONS
from reporting.adapters.projections import project, project_many
from reporting.adapters.rebuild import BARRIER_KEY
from reporting.api.routes import router
from reporting.settings import ReportingSettings
from reporting.web.routes import router as web_router
from shared.consumer import ConsumerRunner
from shared.runtime import Runtime

TOPICS = ("commitments", "funding")


def create_app(settings: ReportingSettings | None = None) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = Runtime(settings)
    topics = [settings.topic(t) for t in TOPICS]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start(migrations=MIGRATIONS, topics=topics)
        app.state.pool = runtime.pool
        consumer = ConsumerRunner(
            name=f"{settings.topic_prefix}.reporting",
            pool=runtime.pool,
            bootstrap=settings.kafka_bootstrap,
            topics=topics,
            handler=project,
            producer=runtime.producer,
            dead_letter_topic=settings.dead_letter_topic,
            max_records=settings.consumer_max_records,
            metrics=runtime.metrics,
            barrier=BARRIER_KEY,
            bulk=project_many,
        )
        app.state.consumer = consumer
        if settings.run_workers:
            runtime.run_worker("consumer", consumer.run, consumer.request_stop)
        try:
            yield
        finally:
            await runtime.stop()

    return runtime.build_app(
        title="Pactstream reporting", lifespan=lifespan, routers=[router, web_router]
    )
