"""Every part killed mid-load, nothing acknowledged lost or doubled.

During one load of partner events: ``kill -9`` of commitments, of the Kafka broker, of
reporting and of funding, and PostgreSQL stopped immediately, each restarted the way
an operator would. Then the ledger against reporting, per-stream order, and
``./pactstream reporting verify``. ``PACTSTREAM_FAULT_EVENTS`` sets the load (3,000 in
CI; the long run: 20,000)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import asyncpg

from pactstream_cli import infra
from tests.e2e.platform import KEY, ROOT, SERVICES, Platform, poll
from tests.e2e.test_slice import create_plan, make_commitment
from tests.faults.conftest import LOCAL, kill_kafka, stop_postgres_immediately
from tests.faults.load import Ledger, start_load

EVENTS = int(os.environ.get("PACTSTREAM_FAULT_EVENTS", "3000"))
WRITERS = 10


def restart(platform: Platform, service: str) -> None:
    platform.start(service)
    platform.wait_ready(service, timeout=120)


async def reporting_values(platform: Platform) -> dict[str, list[tuple[int, int]]]:
    conn = await asyncpg.connect(f"{LOCAL.postgres_url}/{platform.ref}_reporting")
    try:
        rows = await conn.fetch(
            "SELECT commitment_id, value, stream_version FROM rm_measurements "
            "ORDER BY commitment_id, stream_version"
        )
    finally:
        await conn.close()
    found: dict[str, list[tuple[int, int]]] = {}
    for r in rows:
        found.setdefault(r["commitment_id"], []).append((int(r["value"]), r["stream_version"]))
    return found


def measured_commitments(platform: Platform, writers: int, events: int) -> list[str]:
    """A plan with ``writers`` commitments, each with a sequence indicator ``n``."""
    plan = create_plan(platform)
    indicator = [
        {
            "code": "n",
            "title": "Sequence",
            "unit": "events",
            "direction": "increase",
            "target": {"value": events},
        }
    ]
    return [
        make_commitment(platform, plan["id"], indicators=indicator).json()["id"]
        for _ in range(writers)
    ]


def assert_ledger_projected(platform: Platform, ledger: Ledger, commitments: list[str]) -> None:
    """Reporting holds exactly the acknowledged values, once each, each stream in
    order and without gaps, and ``reporting verify`` finds the live read models equal
    to a rebuild from the topics."""
    for service in SERVICES:
        platform.wait_ready(service, timeout=120)

    def projected() -> int:
        return sum(len(v) for v in asyncio.run(reporting_values(platform)).values())

    poll(projected, lambda n: n >= ledger.count, timeout=180, interval=0.5)
    time.sleep(1.0)  # Anything doubled would have arrived by now.
    found = asyncio.run(reporting_values(platform))
    for commitment in commitments:
        values = [v for v, _ in found.get(commitment, [])]
        versions = [sv for _, sv in found.get(commitment, [])]
        assert sorted(values) == sorted(ledger.acknowledged[commitment]), commitment
        assert len(values) == len(set(values)), f"{commitment}: a value counted twice"
        assert values == sorted(values), f"{commitment}: stream order broken"
        assert versions == list(range(2, len(versions) + 2)), f"{commitment}: a gap"

    verified = subprocess.run(
        [sys.executable, "-m", "pactstream_cli", "reporting", "verify"],
        cwd=ROOT,
        env=platform.env("reporting"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_nothing_acknowledged_is_lost_or_doubled_through_every_fault(platform: Platform) -> None:
    commitments = measured_commitments(platform, WRITERS, EVENTS)
    ledger = Ledger()
    load = start_load(lambda: [platform.url("commitments")], KEY, commitments, EVENTS, ledger)

    def at(fraction: float) -> None:
        poll(lambda: ledger.count, lambda n: n >= EVENTS * fraction, timeout=240, interval=0.05)

    faults = []
    at(0.15)
    platform.kill("commitments")
    faults.append("kill -9 commitments")
    time.sleep(0.5)
    restart(platform, "commitments")

    at(0.35)
    kill_kafka()
    faults.append("kill -9 Kafka")
    time.sleep(1)
    infra.start_kafka(LOCAL)

    at(0.55)
    platform.kill("reporting")
    faults.append("kill -9 reporting")
    restart(platform, "reporting")

    at(0.70)
    stop_postgres_immediately()
    faults.append("PostgreSQL stopped immediately")
    time.sleep(1)
    infra.start_postgres(LOCAL)

    at(0.85)
    platform.kill("funding")
    faults.append("kill -9 funding")
    restart(platform, "funding")

    load.join(timeout=300)
    assert not load.is_alive()
    assert ledger.count == EVENTS, f"only {ledger.count} of {EVENTS} acknowledged"
    print(
        f"faults: {faults}; retried {ledger.refused} refusals and "
        f"{ledger.unreachable} unreachable attempts"
    )
    assert_ledger_projected(platform, ledger, commitments)
