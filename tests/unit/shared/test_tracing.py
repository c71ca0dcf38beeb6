"""A span opened for an event continues the trace its traceparent names."""

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared import tracing

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"
#: OpenTelemetry takes one global provider per process: these tests share it.
EXPORTER = InMemorySpanExporter()


def spans() -> InMemorySpanExporter:
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
        trace.set_tracer_provider(provider)
    EXPORTER.clear()
    return EXPORTER


def test_a_consumer_span_continues_the_writers_trace() -> None:
    exporter = spans()
    with tracing.span(
        "project org.pactstream.commitment.made",
        f"00-{TRACE}-{PARENT}-01",
        consumer="pactstream.reporting",
    ):
        pass
    with tracing.span("unrelated", None):
        pass
    continued, fresh = exporter.get_finished_spans()
    assert format(continued.context.trace_id, "032x") == TRACE
    assert continued.parent is not None and format(continued.parent.span_id, "016x") == PARENT
    assert continued.attributes["consumer"] == "pactstream.reporting"
    assert format(fresh.context.trace_id, "032x") != TRACE


def test_a_request_span_is_named_by_its_route_never_by_the_path() -> None:
    """Paths carry tokens (an invitation's): the span names the route's template."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from shared.http.asgi import MetricsAndErrors
    from shared.observability import Metrics

    exporter = spans()
    app = FastAPI()

    @app.get("/invitations/{person}/{token}")
    async def invitation(person: str, token: str) -> dict[str, str]:
        return {}

    with TestClient(MetricsAndErrors(app, Metrics("test"))) as client:
        assert client.get("/invitations/ana/secret-token-xyz").status_code == 200
    names = [s.name for s in exporter.get_finished_spans()]
    assert "GET /invitations/{person}/{token}" in names
    assert not any("secret-token" in name for name in names)
