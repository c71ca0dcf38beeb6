"""The fault suite kills and restarts the local Kafka and PostgreSQL that
``./pactstream test`` runs; it needs them to be this checkout's own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pactstream_cli import infra
from tests.e2e.platform import Platform, running


@pytest.fixture(autouse=True)
def local_infrastructure() -> None:
    if infra.postgres_external() or infra.kafka_external():
        pytest.fail("the fault suite kills servers: run it on ./pactstream's own infrastructure")
    if infra.kafka_pid() is None:
        pytest.fail("the local Kafka broker is not running (./pactstream infra start)")


@pytest.fixture
def platform() -> Iterator[Platform]:
    """A platform of its own for each fault test: they kill things."""
    with running() as p:
        yield p
