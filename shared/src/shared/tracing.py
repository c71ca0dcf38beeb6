"""OpenTelemetry tracing, off by default (``PACTSTREAM_TRACES=console|otlp``), and an
optional extra (``pactstream-shared[tracing]``, ``pactstream-cli[tracing]`` in an image):
without it installed every function here is a no-op that keeps a caller's
``traceparent`` as it came, and asking for traces says which extra to install.

A request carrying a W3C ``traceparent`` is traced under it; the same ``traceparent``
is kept in the events the request causes (their metadata and the ``ce_traceparent``
Kafka header), and a consumer applying such an event opens its span under that trace,
so one trace follows a write from the partner's call to the read model."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Literal

try:
    from opentelemetry import trace
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
except ImportError:  # The `tracing` extra is not installed.
    trace = None  # type: ignore[assignment]

Exporter = Literal["none", "console", "otlp"]
_propagator = TraceContextTextMapPropagator() if trace is not None else None
tracer = trace.get_tracer("pactstream") if trace is not None else None
#: Whether spans are recorded in this process (set by :func:`configure`).
_on = False


def configure(service: str, exporter: Exporter, endpoint: str | None = None) -> None:
    global _on
    if exporter == "none":
        return
    if trace is None:
        raise RuntimeError(
            f"PACTSTREAM_TRACES={exporter} needs OpenTelemetry: install the tracing extra "
            "(pactstream-shared[tracing], or pactstream-cli[tracing] in an image)"
        )
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    _on = True
    provider = TracerProvider(resource=Resource.create({"service.name": f"pactstream-{service}"}))
    if exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)


def rename_current(name: str) -> None:
    """Name the current span once its name is known (a route's template)."""
    if trace is not None:
        trace.get_current_span().update_name(name)


@contextmanager
def span(name: str, traceparent: str | None, **attributes: str) -> Iterator[None]:
    """A span continuing ``traceparent`` when there is one (a no-op when tracing is
    off)."""
    if trace is None or tracer is None or _propagator is None:
        yield
        return
    parent = _propagator.extract({"traceparent": traceparent}) if traceparent else None
    with tracer.start_as_current_span(name, context=parent, attributes=attributes):
        yield


def traceparent_now(incoming: str | None) -> str | None:
    """The W3C ``traceparent`` of the current span, to keep in the events a request
    causes: the request's own server span (a new trace when the caller sent none), or,
    when tracing is off, the caller's header as it came."""
    if trace is None or _propagator is None:
        return incoming
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return incoming
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent", incoming)


@contextmanager
def spans_for(name: str, traceparents: Iterable[tuple[str, str | None]]) -> Iterator[None]:
    """One span per event applied together (``(event type, traceparent)``), each in
    its own event's trace and covering the shared work: a bulk apply still shows in the
    trace of every write it carries. Nothing when tracing is off."""
    if not _on or tracer is None or _propagator is None:
        yield
        return
    started = [
        tracer.start_span(
            f"{name} {type_}",
            context=_propagator.extract({"traceparent": parent}) if parent else None,
        )
        for type_, parent in traceparents
    ]
    try:
        yield
    finally:
        for one in started:
            one.end()
