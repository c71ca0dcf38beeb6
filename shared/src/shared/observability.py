"""Prometheus metrics, one registry per application so tests can build several apps.

The families operators watch: requests and their duration by route; events appended
to the store and published by the relay; how far behind the relay is (age of the
oldest event not yet published); how far behind each consumer is, in messages per
partition and in seconds of record time; messages sent to the dead-letter topic;
partner keys looked up in the database. Beside them, the client library's default
collectors, as any Python exporter shows them: ``process_*`` (resident memory, CPU,
open files), ``python_gc_*`` and ``python_info``."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)


class Metrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.service = service
        # The registry is the application's own (tests build several apps in one
        # process), so the default registry's collectors are registered here again.
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self._http()
        self._events(service)
        self._consumers()
        self._health()

    def _counter(self, name: str, doc: str, *labels: str) -> Counter:
        return Counter(name, doc, list(labels), registry=self.registry)

    def _gauge(self, name: str, doc: str, *labels: str) -> Gauge:
        return Gauge(name, doc, list(labels), registry=self.registry)

    def _http(self) -> None:
        self.requests = self._counter(
            "pactstream_http_requests",
            "HTTP requests by route and status.",
            *("service", "method", "route", "status"),
        ).labels
        self.latency = Histogram(
            "pactstream_http_request_duration_seconds",
            "HTTP request duration by route.",
            ["service", "method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        ).labels

    def _events(self, service: str) -> None:
        self.appended = self._counter(
            "pactstream_events_appended",
            "Events appended to this service's event store.",
            "service",
        ).labels(service)
        self.published = self._counter(
            "pactstream_events_published",
            "Events the outbox relay published to Kafka.",
            *("service", "topic"),
        ).labels
        self.relay_lag = self._gauge(
            "pactstream_relay_lag_seconds",
            "Age of the oldest event stored but not yet published (0 when caught up), "
            "kept current while a backlog drains.",
            "service",
        ).labels(service)

    def _consumers(self) -> None:
        self.consumer_lag = self._gauge(
            "pactstream_consumer_lag_messages",
            "Messages between a consumer's position and the partition's end.",
            *("service", "consumer", "topic", "partition"),
        ).labels
        self.projection_lag = self._gauge(
            "pactstream_projection_lag_seconds",
            "Record-time age of the last event a consumer applied, when it applied it.",
            *("service", "consumer"),
        ).labels
        self.dead_lettered = self._counter(
            "pactstream_dlq_messages",
            "Messages sent to the dead-letter topic.",
            *("service", "consumer", "topic"),
        ).labels
        self.consumed = self._counter(
            "pactstream_consumer_events",
            "Events consumed, by outcome (applied, duplicate).",
            *("service", "consumer", "outcome"),
        ).labels
        self.read_model_lag = self._gauge(
            "pactstream_read_model_lag_seconds",
            "Seconds since the read models were last seen to hold every event on the topics.",
            *("service", "consumer"),
        ).labels

    def _health(self) -> None:
        self.dependency_up = self._gauge(
            "pactstream_dependency_up",
            "1 while a dependency (database, kafka) answers this service, else 0.",
            *("service", "dependency"),
        ).labels
        self.worker_up = self._gauge(
            "pactstream_worker_up",
            "1 while a supervised worker runs, 0 while it is down.",
            *("service", "worker"),
        ).labels
        self.key_lookups = self._counter(
            "pactstream_key_lookups",
            "Partner keys looked up in PostgreSQL (neither found nor missed a moment ago).",
            "service",
        ).labels(self.service)
