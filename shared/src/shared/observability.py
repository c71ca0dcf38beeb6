"""Prometheus metrics, one registry per application so tests can build several apps.

The families operators watch: requests and their duration by route; events appended
to the store and published by the relay; how far behind the relay is (age of the
oldest event not yet published); how far behind each consumer is, in messages per
partition and in seconds of record time; messages sent to the dead-letter topic."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.service = service
        self._define_requests_and_events(service)
        self._define_consumers_and_health()

    def _define_requests_and_events(self, service: str) -> None:
        self.requests = Counter(
            "pactstream_http_requests",
            "HTTP requests by route and status.",
            ["service", "method", "route", "status"],
            registry=self.registry,
        ).labels
        self.latency = Histogram(
            "pactstream_http_request_duration_seconds",
            "HTTP request duration by route.",
            ["service", "method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        ).labels
        self.appended = Counter(
            "pactstream_events_appended",
            "Events appended to this service's event store.",
            ["service"],
            registry=self.registry,
        ).labels(service)
        self.published = Counter(
            "pactstream_events_published",
            "Events the outbox relay published to Kafka.",
            ["service", "topic"],
            registry=self.registry,
        ).labels
        self.relay_lag = Gauge(
            "pactstream_relay_lag_seconds",
            "Age of the oldest event stored but not yet published (0 when caught up).",
            ["service"],
            registry=self.registry,
        ).labels(service)

    def _define_consumers_and_health(self) -> None:
        self.consumer_lag = Gauge(
            "pactstream_consumer_lag_messages",
            "Messages between a consumer's position and the partition's end.",
            ["service", "consumer", "topic", "partition"],
            registry=self.registry,
        ).labels
        self.projection_lag = Gauge(
            "pactstream_projection_lag_seconds",
            "Record-time age of the last event a consumer applied, when it applied it.",
            ["service", "consumer"],
            registry=self.registry,
        ).labels
        self.dead_lettered = Counter(
            "pactstream_dlq_messages",
            "Messages sent to the dead-letter topic.",
            ["service", "consumer", "topic"],
            registry=self.registry,
        ).labels
        self.consumed = Counter(
            "pactstream_consumer_events",
            "Events consumed, by outcome (applied, duplicate).",
            ["service", "consumer", "outcome"],
            registry=self.registry,
        ).labels
        self.dependency_up = Gauge(
            "pactstream_dependency_up",
            "1 while a dependency (database, kafka) answers this service, else 0.",
            ["service", "dependency"],
            registry=self.registry,
        ).labels
        self.read_model_lag = Gauge(
            "pactstream_read_model_lag_seconds",
            "Seconds since the read models were last seen to hold every event on the topics.",
            ["service", "consumer"],
            registry=self.registry,
        ).labels
        self.worker_up = Gauge(
            "pactstream_worker_up",
            "1 while a supervised worker runs, 0 while it is down.",
            ["service", "worker"],
            registry=self.registry,
        ).labels
