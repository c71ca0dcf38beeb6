"""A consumer instrumented with OpenTelemetry's own aiokafka instrumentation (not ours)
continues the trace of the POST that caused the event: the platform's Kafka messages
carry the W3C ``traceparent`` header it reads, beside CloudEvents' ``ce_traceparent``."""

from __future__ import annotations

import asyncio
import os
import time

from aiokafka import AIOKafkaConsumer
from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tests.e2e.platform import Platform
from tests.e2e.test_slice import create_plan

TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER = "b7ad6b7169203331"


async def consumer_spans(bootstrap: str, topic: str, subject: bytes) -> list[ReadableSpan]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentor = AIOKafkaInstrumentor()
    instrumentor.instrument(tracer_provider=provider)
    try:
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest"
        )
        await consumer.start()
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                record = await asyncio.wait_for(consumer.getone(), deadline - time.monotonic())
                if dict(record.headers).get("ce_subject") == subject:
                    break
        finally:
            await consumer.stop()
    finally:
        instrumentor.uninstrument()
    return [s for s in exporter.get_finished_spans() if s.kind == SpanKind.CONSUMER]


def test_an_instrumented_consumer_continues_the_trace_of_the_post(platform: Platform) -> None:
    plan = create_plan(platform)
    with platform.client("commitments") as c:
        made = c.post(
            f"/v1/plans/{plan['id']}/commitments",
            json={"code": "TRACED", "section": "1", "title": "Traced"},
            headers={"traceparent": f"00-{TRACE}-{CALLER}-01"},
        )
    assert made.status_code == 201, made.text
    subject = f"commitment-{made.json()['id']}".encode()
    bootstrap = os.environ.get("PACTSTREAM_KAFKA_BOOTSTRAP", "127.0.0.1:59092")
    spans = asyncio.run(consumer_spans(bootstrap, f"{platform.ref}.commitments", subject))
    continued = [s for s in spans if format(s.context.trace_id, "032x") == TRACE]
    assert continued, [format(s.context.trace_id, "032x") for s in spans]
    assert continued[-1].parent is not None
