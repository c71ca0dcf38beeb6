"""The common skeleton of a service's FastAPI app: problem handlers, request limits,
metrics, and the operational endpoints ``/healthz``, ``/readyz`` and ``/metrics``."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from shared.http.idempotency import IdempotencyMiddleware
from shared.http.limits import DeadlineMiddleware, RateLimitMiddleware, json_shape_problem
from shared.http.problems import (
    Problem,
    install_problem_handlers,
    problem_response,
    unexpected_problem,
)
from shared.observability import Metrics

log = logging.getLogger(__name__)
ReadinessCheck = Callable[[], Awaitable[dict[str, Any]]]

JSON_TYPES = (
    "application/json",
    "application/cloudevents+json",
    "application/cloudevents-batch+json",
    "application/merge-patch+json",
)


class LimitsMiddleware(BaseHTTPMiddleware):
    """Rejects bodies that are too large (413) or not JSON (415) before any handler."""

    def __init__(self, app: Any, max_body_bytes: int) -> None:
        super().__init__(app)
        self._max = max_body_bytes

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.method in {"POST", "PUT", "PATCH"}:
            length = request.headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > self._max:
                return problem_response(
                    Problem(413, "body-too-large", f"the body exceeds {self._max} bytes"),
                    request.url.path,
                )
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = await request.body()
            if len(body) > self._max:
                return problem_response(
                    Problem(413, "body-too-large", f"the body exceeds {self._max} bytes"),
                    request.url.path,
                )
            if body and ctype in JSON_TYPES and (shape := json_shape_problem(body)):
                return problem_response(Problem(400, "json-too-complex", shape), request.url.path)
            if body and ctype not in JSON_TYPES and not request.url.path.startswith("/login"):
                return problem_response(
                    Problem(
                        415,
                        "unsupported-media-type",
                        f"content type {ctype or '(none)'!r} is not accepted; "
                        "send application/json",
                    ),
                    request.url.path,
                )
        return await call_next(request)


class MetricsMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: Any, metrics: Metrics) -> None:
        super().__init__(app)
        self._metrics = metrics

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:  # The last line: every failure answers problem+json.
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            response = problem_response(unexpected_problem(exc), request.url.path)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        self._metrics.requests.labels(request.method, path, str(response.status_code)).inc()
        self._metrics.latency.labels(request.method, path).observe(time.perf_counter() - started)
        return response


def build_base_app(
    *,
    title: str,
    version: str,
    metrics: Metrics,
    readiness: ReadinessCheck,
    max_body_bytes: int,
    lifespan: Any,
    rate_per_second: float = 50.0,
    rate_burst: int = 100,
    deadline_seconds: float = 30.0,
) -> FastAPI:
    app = FastAPI(title=title, version=version, lifespan=lifespan)
    install_problem_handlers(app)
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(LimitsMiddleware, max_body_bytes=max_body_bytes)
    app.add_middleware(RateLimitMiddleware, rate=rate_per_second, burst=rate_burst)
    app.add_middleware(DeadlineMiddleware, seconds=deadline_seconds)
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        """The process is alive and serving HTTP."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        """200 only when the database and Kafka answer and every worker runs."""
        try:
            checks = await asyncio.wait_for(readiness(), timeout=3)
        except Exception as exc:
            checks = {"ready": False, "error": f"{type(exc).__name__}: {exc}"}
        ready = bool(checks.get("ready"))
        return JSONResponse(checks, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["operations"], response_class=Response)
    async def metrics_endpoint() -> Response:
        """Prometheus text exposition."""
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
