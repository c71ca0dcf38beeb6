"""Prometheus metrics, one registry per application so tests can build several apps."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        labels = {"service": service}
        self.requests = Counter(
            "pactstream_http_requests",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "pactstream_http_request_seconds",
            "HTTP request latency.",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.relay_published = Counter(
            "pactstream_relay_published_events",
            "Events the outbox relay published to Kafka.",
            registry=self.registry,
        )
        self.consumed = Counter(
            "pactstream_consumer_events",
            "Events consumed, by outcome (applied, duplicate, dead_lettered).",
            ["consumer", "outcome"],
            registry=self.registry,
        )
        self.worker_up = Gauge(
            "pactstream_worker_up",
            "1 while a supervised worker runs, 0 while it is down.",
            ["worker"],
            registry=self.registry,
        )
        self.info = Gauge(
            "pactstream_service_info",
            "Static service information.",
            ["service"],
            registry=self.registry,
        )
        self.info.labels(**labels).set(1)
