"""The platform on a KRaft cluster of three brokers, as in production: topics with a
replication factor of 3 and ``min.insync.replicas`` of 2.

- ``kill -9`` of the broker that leads the most of the platform's partitions in the
  middle of a ledger of acknowledged partner events: none lost, none doubled.
- Two of the three brokers stopped: writes are still accepted (the event store is the
  outbox) and reach reporting once the brokers are back.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from pactstream_cli import infra
from tests.e2e.platform import KEY, ROOT, Platform, poll, running
from tests.e2e.test_slice import create_plan, make_commitment
from tests.faults.load import Ledger, start_load
from tests.faults.test_faults import assert_ledger_projected, measured_commitments
from tests.refs import random_ref

EVENTS = 1500
WRITERS = 6


@pytest.fixture(scope="module")
def cluster() -> Iterator[infra.Layout]:
    """Three brokers of their own (the platform's PostgreSQL is the suite's)."""
    layout = infra.Layout(
        root=ROOT / ".local" / "test-infra" / random_ref("cluster-"),
        kafka_port=infra.free_port_block(6),
        brokers=3,
    )
    try:
        infra.start_kafka(layout)
        yield layout
    finally:
        infra.stop_kafka(layout)
        shutil.rmtree(layout.root, ignore_errors=True)


@pytest.fixture
def platform(cluster: infra.Layout) -> Iterator[Platform]:
    with running(kafka=cluster.bootstrap) as p:
        yield p


async def topic_layout(bootstrap: str, prefix: str) -> dict[str, Any]:
    """Leaders, replicas and ``min.insync.replicas`` of the platform's topics."""
    admin: Any = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = [t for t in await admin.list_topics() if t.startswith(prefix)]
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = [p for t in described for p in t["partitions"]]
    return {
        "leaders": Counter(p["leader"] for p in partitions),
        "replicas": {len(p["replicas"]) for p in partitions},
        "topics": topics,
    }


def test_a_ledger_survives_the_busiest_broker_killed(
    cluster: infra.Layout, platform: Platform
) -> None:
    commitments = measured_commitments(platform, WRITERS, EVENTS)
    layout = asyncio.run(topic_layout(cluster.bootstrap, f"{platform.ref}."))
    assert layout["replicas"] == {3}, layout
    ledger = Ledger()
    load = start_load(lambda: [platform.url("commitments")], KEY, commitments, EVENTS, ledger)

    poll(lambda: ledger.count, lambda n: n >= EVENTS * 0.3, timeout=240, interval=0.05)
    leaders = asyncio.run(topic_layout(cluster.bootstrap, f"{platform.ref}."))["leaders"]
    busiest, led = leaders.most_common(1)[0]
    infra.stop_kafka_node(cluster, busiest, signal.SIGKILL)
    killed_at = ledger.count

    poll(lambda: ledger.count, lambda n: n >= EVENTS * 0.7, timeout=240, interval=0.05)
    infra.start_kafka_node(cluster, busiest)

    load.join(timeout=300)
    assert not load.is_alive()
    assert ledger.count == EVENTS, f"only {ledger.count} of {EVENTS} acknowledged"
    print(f"killed broker {busiest} (leader of {led} partitions) at {killed_at} events")
    assert_ledger_projected(platform, ledger, commitments)


def test_writes_are_taken_with_two_of_three_brokers_down_and_published_when_back(
    cluster: infra.Layout, platform: Platform
) -> None:
    plan = create_plan(platform)
    stopped = [2, 3]
    for node in stopped:
        infra.stop_kafka_node(cluster, node)
    try:
        started = time.monotonic()
        made = [make_commitment(platform, plan["id"]) for _ in range(5)]
        assert [r.status_code for r in made] == [201] * 5, [r.text for r in made]
        assert time.monotonic() - started < 10, "a write never waits on Kafka"
        time.sleep(3)  # Time enough for anything published to reach reporting.
        with platform.client("reporting") as c:
            listed = c.get(f"/v1/plans/{plan['id']}/commitments").json()
        assert listed == [], "with one broker of three, nothing is published"
    finally:
        for node in stopped:
            infra.start_kafka_node(cluster, node)
    platform.await_listed(plan["id"], 5, timeout=180)
