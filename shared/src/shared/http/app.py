"""The common skeleton of a service's FastAPI app: problem handlers, request limits,
metrics, and the operational endpoints ``/healthz``, ``/readyz`` and ``/metrics``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared import asyncapi
from shared.events import EventRegistry
from shared.http.asgi import BodyLimits, Deadline, MetricsAndErrors, Starting
from shared.http.idempotency import Idempotency
from shared.http.problems import install_problem_handlers
from shared.http.ratelimit import RateLimit
from shared.observability import Metrics

ReadinessCheck = Callable[[], Awaitable[dict[str, Any]]]


def build_base_app(
    *,
    title: str,
    version: str,
    metrics: Metrics,
    readiness: ReadinessCheck,
    registry: EventRegistry,
    serving: Callable[[], bool],
    max_body_bytes: int,
    lifespan: Any,
    rate_per_second: float = 50.0,
    rate_burst: int = 100,
    deadline_seconds: float = 30.0,
    topic_prefix: str = "pactstream",
    access_log: bool = True,
) -> FastAPI:
    app = FastAPI(title=title, version=version, lifespan=lifespan)
    install_problem_handlers(app)
    # Innermost first: each add wraps everything added before it.
    app.add_middleware(Idempotency)
    app.add_middleware(BodyLimits, max_body_bytes=max_body_bytes)
    app.add_middleware(RateLimit, rate=rate_per_second, burst=rate_burst)
    app.add_middleware(Deadline, seconds=deadline_seconds)
    app.add_middleware(Starting, serving=serving)
    app.add_middleware(MetricsAndErrors, metrics=metrics, access_log=access_log)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process is alive and serving HTTP, whatever its dependencies do."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        """Readiness: 200 when the service can serve its callers (its database answers,
        its schema is up to date). The body names every dependency (``database``,
        ``kafka``, ``relay`` and ``consumers``) with ``"ok"``: Kafka being down, or a
        worker restarting, is reported here and in the metrics, never as a 503 that
        would take a replica able to serve out of its load balancer."""
        try:
            checks = await asyncio.wait_for(readiness(), timeout=3)
        except Exception as exc:
            checks = {"ready": False, "error": f"{type(exc).__name__}: {exc}"}
        ready = bool(checks.get("ready"))
        return JSONResponse(checks, status_code=200 if ready else 503)

    @app.get("/asyncapi.json", tags=["operations"])
    async def asyncapi_document() -> dict[str, Any]:
        """The events published on Kafka, as an AsyncAPI 3.0 document."""
        return asyncapi.document(registry, topic_prefix)

    @app.get("/metrics", tags=["operations"], response_class=Response)
    async def metrics_endpoint() -> Response:
        """Prometheus text exposition."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
