"""OpenTelemetry tracing, off by default (``PACTSTREAM_TRACES=console|otlp``).

A request carrying a W3C ``traceparent`` is traced under it; the same ``traceparent``
is kept in the events the request causes (their metadata and the ``ce_traceparent``
Kafka header), and a consumer applying such an event opens its span under that trace,
so one trace follows a write from the partner's call to the read model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

Exporter = Literal["none", "console", "otlp"]
_propagator = TraceContextTextMapPropagator()
tracer = trace.get_tracer("pactstream")


def configure(service: str, exporter: Exporter, endpoint: str | None = None) -> None:
    if exporter == "none":
        return
    provider = TracerProvider(resource=Resource.create({"service.name": f"pactstream-{service}"}))
    if exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)


def rename_current(name: str) -> None:
    """Name the current span once its name is known (a route's template)."""
    trace.get_current_span().update_name(name)


@contextmanager
def span(name: str, traceparent: str | None, **attributes: str) -> Iterator[None]:
    """A span continuing ``traceparent`` when there is one (a no-op when tracing is
    off)."""
    parent = _propagator.extract({"traceparent": traceparent}) if traceparent else None
    with tracer.start_as_current_span(name, context=parent, attributes=attributes):
        yield
