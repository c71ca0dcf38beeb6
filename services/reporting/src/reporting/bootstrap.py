"""Composition root of reporting: pool, consumer of both topics, app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI

from reporting.adapters import commitment_state
from reporting.adapters.feed import with_feed
from reporting.adapters.migrations import CHAIN as MIGRATIONS
from reporting.adapters.projections import projection
from reporting.adapters.pusher import Pusher
from reporting.adapters.rebuild import BARRIER_KEY
from reporting.adapters.sessions import Sessions
from reporting.adapters.subscriptions import SubscriptionStore
from reporting.api.errors import install_error_handlers
from reporting.api.exports import router as exports_router
from reporting.api.feed import router as feed_router
from reporting.api.provenance import router as provenance_router
from reporting.api.revisions import router as revisions_router
from reporting.api.routes import router
from reporting.api.subscriptions import router as subscriptions_router
from reporting.application.dates import Clock, utc_now
from reporting.settings import ReportingSettings
from reporting.web.routes import router as web_router
from reporting.web.signin import router as signin_router
from reporting.web.templates import build_templates
from shared.consumer import (
    Consumer,
    ConsumerConfig,
    ConsumerRunner,
    PostgresTrackingStore,
)
from shared.contracts import build_registry
from shared.contracts.publications import access_topic
from shared.freshness import Freshness, FreshnessWatch
from shared.http.asgi import ReadHeaders
from shared.runtime import Runtime

TOPICS = ("commitments", "funding")
#: The service's routers, in the order their paths are matched.
ROUTERS = (
    exports_router,
    router,
    provenance_router,
    revisions_router,
    feed_router,
    subscriptions_router,
    signin_router,
    web_router,
)
#: On every read: seconds since the read models last held every event on the topics.
LAG_HEADER = b"pactstream-lag-seconds"


def create_app(settings: ReportingSettings | None = None, clock: Clock = utc_now) -> FastAPI:
    settings = settings or ReportingSettings()
    runtime = Runtime(settings, build_registry())
    topics = [settings.topic(t) for t in TOPICS]
    # Subscriptions' pushes: no redirects followed (a target is checked once, where it is).
    pushes = httpx.AsyncClient(timeout=10.0, follow_redirects=False)

    async def on_database(pool: asyncpg.Pool) -> None:
        app.state.pool = pool
        app.state.sessions = Sessions(pool, runtime.authenticator, runtime.sealer, clock)
        app.state.subscriptions = SubscriptionStore(pool, runtime.sealer, clock)
        app.state.consumer = _start_workers(app, settings, runtime, topics, pool)
        if settings.run_workers:
            pusher = Pusher(
                pool,
                app.state.subscriptions,
                pushes,
                clock,
                give_up=timedelta(seconds=settings.subscriptions_give_up_seconds),
            )
            runtime.run_worker("pusher", pusher.run, pusher.request_stop, needs_kafka=False)
            refresher = commitment_state.Refresher(pool, barrier=BARRIER_KEY)
            runtime.run_worker("state", refresher.run, refresher.request_stop, needs_kafka=False)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.start(MIGRATIONS, [*topics, access_topic(settings.topic_prefix)], on_database)
        try:
            yield
        finally:
            await runtime.stop()
            await pushes.aclose()

    app = runtime.build_app(
        title="Pactstream reporting",
        lifespan=lifespan,
        routers=ROUTERS,
    )
    install_error_handlers(app)
    app.state.clock = clock
    app.state.templates = build_templates()
    # Until the first check, the read models may lack anything since start-up.
    app.state.freshness = Freshness()

    def lag_header() -> list[tuple[bytes, bytes]]:
        lag: float = app.state.freshness.lag()
        return [(LAG_HEADER, f"{lag:.1f}".encode())]

    async def read_models() -> dict[str, Any]:
        return {"lag_seconds": round(app.state.freshness.lag(), 1)}

    app.add_middleware(ReadHeaders, headers=lag_header)
    runtime.report("read_models", read_models)
    return app


def _start_workers(
    app: FastAPI,
    settings: ReportingSettings,
    runtime: Runtime,
    topics: list[str],
    pool: asyncpg.Pool,
) -> Consumer:
    """The consumer of both topics (when this replica runs workers) and the watch of
    the read models' freshness, supervised by the runtime."""
    config = ConsumerConfig(
        name=f"{settings.topic_prefix}.reporting",
        kafka=settings.kafka,
        topics=topics,
        dead_letter_topic=settings.dead_letter_topic,
        max_records=settings.consumer_max_records,
    )
    consumer = ConsumerRunner(
        config,
        with_feed(projection(runtime.registry)),
        tracking=PostgresTrackingStore(pool, barrier=BARRIER_KEY),
        producer=runtime.producer,
        metrics=runtime.metrics,
    )
    if settings.run_workers:
        runtime.run_worker("consumer", consumer.run, consumer.request_stop)
        runtime.run_credentials(pool)
    watch = FreshnessWatch(
        pool=pool,
        kafka=settings.kafka,
        consumer=consumer.name,
        topics=topics,
        on_lag=runtime.metrics.read_model_lag(settings.service, consumer.name).set,
        freshness=app.state.freshness,
    )
    runtime.run_worker("freshness", watch.run, watch.request_stop)
    return consumer
