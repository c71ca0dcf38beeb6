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


def test_events_applied_together_each_get_a_span_in_their_own_trace(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    exporter = spans()
    monkeypatch.setattr(tracing, "_on", True)
    other = "0af7651916cd43dd8448eb211c80319c"
    with tracing.spans_for(
        "project",
        [("a.made", f"00-{TRACE}-{PARENT}-01"), ("a.changed", f"00-{other}-{PARENT}-01")],
    ):
        pass
    found = {s.name: format(s.context.trace_id, "032x") for s in exporter.get_finished_spans()}
    assert found == {"project a.made": TRACE, "project a.changed": other}


def test_nothing_is_recorded_per_event_when_tracing_is_off(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    exporter = spans()
    monkeypatch.setattr(tracing, "_on", False)
    with tracing.spans_for("project", [("a.made", f"00-{TRACE}-{PARENT}-01")]):
        pass
    assert exporter.get_finished_spans() == ()


def test_events_keep_the_requests_own_span_a_new_trace_when_none_came() -> None:
    spans()
    assert tracing.traceparent_now("00-x") == "00-x"  # No span: the header as it came.
    with tracing.span("POST /v1/plans", None):
        fresh = tracing.traceparent_now(None)
        current = trace.get_current_span().get_span_context()
    assert fresh is not None
    assert fresh.startswith(f"00-{current.trace_id:032x}-{current.span_id:016x}-")
    with tracing.span("POST /v1/plans", f"00-{TRACE}-{PARENT}-01"):
        continued = tracing.traceparent_now(f"00-{TRACE}-{PARENT}-01")
    assert continued is not None and continued.startswith(f"00-{TRACE}-")
    assert PARENT not in continued  # The request's own span, child of the caller's.


def test_without_opentelemetry_tracing_is_a_no_op_that_says_what_to_install() -> None:
    """The `tracing` extra is off the default install: nothing may need it to run."""
    import subprocess
    import sys

    probe = """
import sys
sys.modules["opentelemetry"] = None  # As if the extra were not installed.
from shared import tracing
with tracing.span("GET /v1/plans", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"):
    assert tracing.traceparent_now("00-x") == "00-x"
    tracing.rename_current("GET /v1/plans/{plan_id}")
with tracing.spans_for("project", [("a", None)]):
    pass
try:
    tracing.configure("commitments", "console")
except RuntimeError as exc:
    print(exc)
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "pactstream-cli[tracing]" in done.stdout
