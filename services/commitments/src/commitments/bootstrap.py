"""Composition root: builds the pool, producer, relay and app. Nothing runs at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI

from commitments.api.routes import router
from commitments.application.service import CommitmentsService
from commitments.settings import CommitmentsSettings
from shared.eventstore.postgres import PostgresEventStore, install_schema
from shared.http.app import build_base_app
from shared.http.auth import KeyAuthenticator
from shared.relay import Relay
from shared.runtime import Runtime

CONTEXT = "commitments"


def now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: CommitmentsSettings | None = None) -> FastAPI:
    settings = settings or CommitmentsSettings()
    runtime = Runtime(settings)
    topic = settings.topic(CONTEXT)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start([install_schema], [topic])
        app.state.service = CommitmentsService(PostgresEventStore(runtime.pool), now)
        if settings.run_workers:
            relay = Relay(
                database_url=settings.database_url,
                producer=runtime.producer,
                topic=topic,
                source=f"/pactstream/{CONTEXT}",
                metrics=runtime.metrics,
            )
            app.state.relay = relay
            runtime.run_worker("relay", relay.run)
        try:
            yield
        finally:
            await runtime.stop()

    app = build_base_app(
        title="Pactstream commitments",
        version="0.1.0",
        metrics=runtime.metrics,
        readiness=runtime.readiness,
        max_body_bytes=settings.max_body_bytes,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.authenticator = KeyAuthenticator(settings.operator_key.get_secret_value())
    app.include_router(router)
    return app
