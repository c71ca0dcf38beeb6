"""A span opened for an event continues the trace its traceparent names."""

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from shared import tracing

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"


def test_a_consumer_span_continues_the_writers_trace() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
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
