"""The fault suite kills and restarts the local Kafka and PostgreSQL that
``./pactstream test`` runs; it needs them to be this checkout's own."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from pactstream_cli import infra
from tests.e2e.platform import Platform, running

#: The servers ``./pactstream test`` started: one broker, plaintext.
LOCAL = infra.Layout.local(brokers=1, secure=False)


@pytest.fixture(autouse=True)
def local_infrastructure() -> None:
    if infra.postgres_external(LOCAL) or infra.kafka_external(LOCAL):
        pytest.fail("the fault suite kills servers: run it on ./pactstream's own infrastructure")
    if infra.kafka_pids(LOCAL)[1] is None:
        pytest.fail("the local Kafka broker is not running (./pactstream infra start)")


@pytest.fixture
def platform() -> Iterator[Platform]:
    """A platform of its own for each fault test: they kill things."""
    with running() as p:
        yield p


def kill_kafka() -> None:
    """``kill -9`` of the local broker."""
    infra.stop_kafka_node(LOCAL, 1, signal.SIGKILL)


def stop_postgres_immediately() -> None:
    infra.stop_postgres(LOCAL, mode="immediate")
