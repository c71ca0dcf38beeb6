"""A service's own life: its port opens at once whatever its dependencies do, it says
what it can serve, and SIGTERM stops it within its grace period whatever it waits on."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.e2e.platform import Platform, poll

#: A port where nothing listens: a dependency that is down. (Not a free port of the
#: ephemeral range: a connection to one can be given that very port as its own and
#: connect to itself.)
NOWHERE = "127.0.0.1:1"


def exits_within(platform: Platform, name: str, seconds: float) -> int:
    started = time.monotonic()
    code = platform.terminate(name, timeout=seconds)
    assert time.monotonic() - started < seconds
    return code


@pytest.mark.parametrize(
    "down",
    [
        {"PACTSTREAM_KAFKA_BOOTSTRAP": NOWHERE},
        {
            "PACTSTREAM_KAFKA_BOOTSTRAP": NOWHERE,
            "PACTSTREAM_POSTGRES_URL": f"postgresql://pactstream@{NOWHERE}",
        },
    ],
    ids=["kafka-down", "kafka-and-postgres-down"],
)
def test_a_service_waiting_on_its_dependencies_is_alive_and_stops_on_sigterm(
    down: dict[str, str],
) -> None:
    platform = Platform(migrated_databases=False)
    try:
        platform.start("commitments", env=down)
        url = platform.url("commitments")
        poll(
            lambda: _status(f"{url}/healthz"),
            lambda status: status == 200,
            timeout=30,
        )
        ready = httpx.get(f"{url}/readyz", timeout=5)
        body = ready.json()
        assert body["kafka"]["ok"] is False
        if "PACTSTREAM_POSTGRES_URL" in down:
            assert ready.status_code == 503
            assert body["database"]["ok"] is False
            refused = httpx.post(f"{url}/v1/plans", json={}, timeout=5)
            assert refused.status_code == 503
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.headers["retry-after"] == "1"
        else:
            poll(lambda: _status(f"{url}/readyz"), lambda status: status == 200, timeout=30)
        assert exits_within(platform, "commitments", 15) == 0
    finally:
        platform.stop()


def _status(url: str) -> int | None:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return None
