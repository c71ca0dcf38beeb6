"""Composition root of funding: its event store and relay. The funding domain (sources,
agreements, allocations, flows) builds on this spine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from funding.settings import FundingSettings
from shared.eventstore.postgres import install_schema
from shared.runtime import Runtime

CONTEXT = "funding"


def create_app(settings: FundingSettings | None = None) -> FastAPI:
    settings = settings or FundingSettings()
    runtime = Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start([install_schema], [settings.topic(CONTEXT)])
        if settings.run_workers:
            runtime.run_relay(CONTEXT)
        try:
            yield
        finally:
            await runtime.stop()

    return runtime.build_app(title="Pactstream funding", lifespan=lifespan)
