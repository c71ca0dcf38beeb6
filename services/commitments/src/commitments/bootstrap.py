"""Composition root: builds the pool, producer, relay and app. Nothing runs at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import asyncpg
from fastapi import FastAPI

from commitments.adapters.access import AccessRegistry
from commitments.adapters.migrations import CHAIN as MIGRATIONS
from commitments.adapters.people import PeopleRegistry
from commitments.api.access import router as access_router
from commitments.api.changes import router as changes_router
from commitments.api.errors import install_error_handlers
from commitments.api.events import router as events_router
from commitments.api.imports import router as imports_router
from commitments.api.invitations import load_languages
from commitments.api.invitations import router as invitations_router
from commitments.api.people import router as people_router
from commitments.api.revisions import router as revisions_router
from commitments.api.routes import router
from commitments.api.targets import router as targets_router
from commitments.application.importing import PlanImport
from commitments.application.ingestion import OnceOnlyCommands
from commitments.application.service import CommitmentsService, StateCache, plan_cache
from commitments.application.targets import PlanTargets
from commitments.domain.commitment import Commitment
from commitments.settings import CommitmentsSettings
from shared.contracts import build_registry
from shared.runtime import Runtime
from shared.unitofwork.postgres import PostgresUnitsOfWork

CONTEXT = "commitments"


def now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: CommitmentsSettings | None = None) -> FastAPI:
    settings = settings or CommitmentsSettings()
    registry = build_registry()
    runtime = Runtime(settings, registry)

    async def on_database(pool: asyncpg.Pool) -> None:
        store, sealer = runtime.store, runtime.sealer
        cache, plans = StateCache[Commitment](), plan_cache()
        units = PostgresUnitsOfWork(store)
        service = CommitmentsService(store, registry, now, cache, plans, units=units)
        app.state.service = service
        app.state.targets = PlanTargets(service, store, registry, now)
        app.state.imports = PlanImport(service, store, registry, now)
        app.state.ingest = OnceOnlyCommands(store, registry, now, cache, plans, units=units)
        app.state.access = AccessRegistry(
            store, registry, now, pool=pool, sealer=sealer, units=units
        )
        app.state.people = PeopleRegistry(
            store, registry, now, pool=pool, sealer=sealer, units=units
        )
        if settings.run_workers:
            app.state.relay = runtime.run_relay(CONTEXT)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        topics = [topic.name for topic in runtime.publication(CONTEXT).topics]
        runtime.start(MIGRATIONS, topics, on_database)
        try:
            yield
        finally:
            await runtime.stop()

    app = runtime.build_app(
        title="Pactstream commitments",
        lifespan=lifespan,
        routers=[
            imports_router,
            router,
            changes_router,
            events_router,
            access_router,
            people_router,
            invitations_router,
            targets_router,
            revisions_router,
        ],
    )
    install_error_handlers(app)
    app.state.clock = now
    app.state.invitation_languages = load_languages()
    return app
