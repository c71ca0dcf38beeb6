"""The bench's service set: which replicas take requests and which run the workers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from pactstream_bench import services as module
from pactstream_bench.services import Services


def spawned_env(
    monkeypatch: pytest.MonkeyPatch, services: Services
) -> dict[str, Mapping[str, str]]:
    """Each replica's environment, as ``start`` would launch it (nothing launched)."""
    seen: dict[str, Mapping[str, str]] = {}

    def spawn(service: str, port: int, env: Mapping[str, str], **_: Any) -> None:
        seen[next(n for n, p in services.ports.items() if p == port)] = env

    monkeypatch.setattr(module.replicas, "spawn", spawn)
    for service in module.SERVICES:
        for n, name in enumerate(services._names(service)):
            services.ports[name] = 9000 + 10 * len(services.ports) + n
            services._spawn(name, service)
    return seen


def test_a_service_with_workers_apart_has_a_replica_for_them_that_takes_no_requests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    services = Services(workers_apart=("commitments",))
    env = spawned_env(monkeypatch, services)

    assert services.replicas == {"commitments": 2, "funding": 1, "reporting": 1}
    assert services.urls("commitments") == [services.url("commitments")]
    assert env["commitments"]["PACTSTREAM_RUN_WORKERS"] == "false"
    assert env["commitments-2"]["PACTSTREAM_RUN_WORKERS"] == "true"
    assert "PACTSTREAM_RUN_WORKERS" not in env["reporting"]


def test_replicas_alike_all_take_requests_and_run_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    services = Services({"commitments": 2})
    env = spawned_env(monkeypatch, services)

    assert len(services.urls("commitments")) == 2
    assert all("PACTSTREAM_RUN_WORKERS" not in e for e in env.values())


def test_the_replica_for_the_workers_starts_once_the_first_has_migrated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    launched: list[list[str]] = []
    monkeypatch.setattr(
        Services, "_launch", lambda self, batch: launched.append([n for n, _ in batch])
    )
    services = Services({"commitments": 2}, workers_apart=("commitments",))
    services.start()

    assert launched == [list(module.SERVICES), ["commitments-2", "commitments-3"]]
    assert services.replicas["commitments"] == 3


def test_a_callers_setting_does_not_choose_which_replicas_run_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PACTSTREAM_RUN_WORKERS", "false")
    env = spawned_env(monkeypatch, Services())
    assert all("PACTSTREAM_RUN_WORKERS" not in e for e in env.values())


def test_only_commitments_runs_its_workers_apart() -> None:
    with pytest.raises(ValueError, match="commitments only"):
        Services(workers_apart=("reporting",))
