"""The access log: one JSON line a request, naming the route's template (never the raw
path), the status, the duration, the request id and the partner when one
authenticated; none at all when the setting turns it off. On an in-process app."""

import json
import logging
from collections.abc import Iterator
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI, Request

from shared import logs
from shared.contracts import build_registry
from shared.http.app import build_base_app
from shared.http.asgi import Deadline, MetricsAndErrors
from shared.http.problems import Problem, install_problem_handlers
from shared.observability import Metrics
from shared.settings import ServiceSettings


class Lines(logging.Handler):
    """What the service's handler would write: the JSON formatter's lines."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logs.JsonFormatter("funding"))
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def written() -> Iterator[Lines]:
    handler = Lines()
    logs.ACCESS.addHandler(handler)
    yield handler
    logs.ACCESS.removeHandler(handler)


def app_with(access_log: bool) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    # As in the services: the handler runs in the deadline's own task.
    app.add_middleware(Deadline, seconds=5)
    app.add_middleware(MetricsAndErrors, metrics=Metrics("funding"), access_log=access_log)

    @app.get("/v1/agreements/{agreement_id}")
    async def read(agreement_id: str, request: Request) -> dict[str, str]:
        request.state.principal = SimpleNamespace(id="ministry-of-planning")
        if agreement_id == "missing":
            raise Problem(404, "not-found", "no such agreement")
        return {"id": agreement_id}

    return app


async def get(app: FastAPI, *paths: str) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        return [await client.get(p, headers={"x-request-id": f"req-{p[-1]}"}) for p in paths]


async def test_each_request_writes_one_line_naming_its_route_template(written: Lines) -> None:
    answers = await get(app_with(True), "/v1/agreements/edec-1", "/v1/agreements/missing")
    assert [a.status_code for a in answers] == [200, 404]
    assert len(written.lines) == 2
    first, second = written.lines
    assert first["logger"] == "pactstream.access" and first["level"] == "info"
    assert first["method"] == "GET"
    assert first["route"] == "/v1/agreements/{agreement_id}"
    assert "edec-1" not in json.dumps(first), "never the raw path"
    assert first["status"] == 200 and second["status"] == 404
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert first["request_id"] == "req-1" and second["request_id"] == "req-g"
    assert first["partner"] == "ministry-of-planning"
    assert first["message"].startswith("GET /v1/agreements/{agreement_id} 200 ")


async def test_an_unauthenticated_or_unmatched_request_has_no_partner(written: Lines) -> None:
    (answer,) = await get(app_with(True), "/nowhere")
    assert answer.status_code == 404
    (line,) = written.lines
    assert line["route"] == "unmatched" and line["status"] == 404
    assert "partner" not in line


async def test_turned_off_it_writes_nothing(written: Lines) -> None:
    answers = await get(app_with(False), "/v1/agreements/edec-1", "/nowhere")
    assert [a.status_code for a in answers] == [200, 404]
    assert written.lines == []


async def test_it_is_written_whatever_the_services_log_level(written: Lines) -> None:
    """Services run at ``warning`` by default: the access line is asked for, and passes."""
    logs.ACCESS.setLevel(logging.NOTSET)  # As in a fresh process.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)
    try:
        await get(app_with(True), "/v1/agreements/edec-1")
    finally:
        root.setLevel(level)
    assert len(written.lines) == 1


async def test_the_setting_reaches_the_services_app(
    written: Lines, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ServiceSettings().access_log is True
    monkeypatch.setenv("PACTSTREAM_ACCESS_LOG", "false")
    settings = ServiceSettings()
    assert settings.access_log is False

    async def ready() -> dict[str, object]:
        return {"ready": True}

    def service(access_log: bool) -> FastAPI:
        return build_base_app(
            title="funding",
            version="0",
            metrics=Metrics("funding"),
            readiness=ready,
            serving=lambda: True,
            max_body_bytes=1024,
            lifespan=None,
            access_log=access_log,
            registry=build_registry(),
        )

    await get(service(settings.access_log), "/healthz")
    assert written.lines == []
    await get(service(True), "/healthz")
    assert [line["route"] for line in written.lines] == ["/healthz"]
