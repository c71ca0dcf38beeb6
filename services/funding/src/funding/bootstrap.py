"""Composition root of funding: its event store and relay. The funding domain (sources,
agreements, allocations, flows) builds on this spine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from funding.settings import FundingSettings
from shared.eventstore.postgres import install_schema
from shared.http.app import build_base_app
from shared.http.auth import KeyAuthenticator
from shared.relay import Relay
from shared.runtime import Runtime

CONTEXT = "funding"


def create_app(settings: FundingSettings | None = None) -> FastAPI:
    settings = settings or FundingSettings()
    runtime = Runtime(settings)
    topic = settings.topic(CONTEXT)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start([install_schema], [topic])
        if settings.run_workers:
            relay = Relay(
                database_url=settings.database_url,
                producer=runtime.producer,
                topic=topic,
                source=f"/pactstream/{CONTEXT}",
                metrics=runtime.metrics,
            )
            runtime.run_worker("relay", relay.run)
        try:
            yield
        finally:
            await runtime.stop()

    app = build_base_app(
        title="Pactstream funding",
        version="0.1.0",
        metrics=runtime.metrics,
        readiness=runtime.readiness,
        max_body_bytes=settings.max_body_bytes,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.authenticator = KeyAuthenticator(settings.operator_key.get_secret_value())
    return app
