"""A rebuild replaying in worker processes builds the same read models as one replaying
in its own process, and a worker that fails stops the rebuild without a trace. The
topic carries a credential too: the shadow has the tables credentials project into
(it is made by the same migration chain as the live schema)."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, date, datetime

import asyncpg
import pytest

from reporting.adapters import rebuild as rebuild_module
from reporting.adapters.migrations import CHAIN
from reporting.adapters.rebuild import Rebuilder
from shared import cloudevents
from shared.contracts import build_registry
from shared.contracts.access import PartnerRegistered
from shared.contracts.commitments import CommitmentMade, MeasurementRecorded, PlanCreated
from shared.events import EventData, EventMetadata, StoredEvent, new_event_id
from shared.kafka import KafkaProducer, OutgoingMessage, ensure_topics
from shared.migrations import migrate

COMMITMENTS = 8
MEASUREMENTS = 25


def published(topic: str, stream_id: str, version: int, data: EventData) -> OutgoingMessage:
    at = datetime(2016, 1, 1, tzinfo=UTC)
    event = StoredEvent(
        position=0,
        stream_id=stream_id,
        stream_version=version,
        event_id=new_event_id(),
        type=data.event_type,
        schema_version=data.schema_version,
        data=data.model_dump(mode="json"),
        metadata=EventMetadata(),
        occurred_at=at,
        recorded_at=at,
    )
    return OutgoingMessage(topic, *cloudevents.to_kafka(event, "/commitments"))


def plan_messages(topic: str) -> list[OutgoingMessage]:
    plan = PlanCreated(
        plan_id="p", code="P", title="Plan", language="en", adopted_on=date(2015, 1, 1)
    )
    partner = PartnerRegistered(partner_id="ministry", name="Ministry", role="partner")
    messages = [
        published(topic, "plan-p", 1, plan),
        published(topic, "partner-ministry", 1, partner),
    ]
    for i in range(COMMITMENTS):
        cid = f"c{i}"
        made = CommitmentMade(
            commitment_id=cid,
            plan_id="p",
            code=f"C{i}",
            section="D1",
            title=f"C {i}",
            made_on=date(2015, 1, 1),
        )
        messages.append(published(topic, f"commitment-{cid}", 1, made))
        for m in range(MEASUREMENTS):
            measured = MeasurementRecorded(
                commitment_id=cid, plan_id="p", indicator="n", value=str(m), as_of=date(2016, 1, 1)
            )
            messages.append(published(topic, f"commitment-{cid}", m + 2, measured))
    return messages


@pytest.fixture
async def replayable(topic_prefix: str, database_url: str, kafka_bootstrap: str) -> str:
    """A topic of commitments' events (its name returned) and an empty reporting
    database."""
    topic = f"{topic_prefix}.commitments"
    await ensure_topics(kafka_bootstrap, [topic], partitions=4)
    producer = KafkaProducer(kafka_bootstrap, "test-rebuild")
    await producer.start()
    try:
        await producer.send_all(plan_messages(topic))
    finally:
        await producer.stop()
    await migrate(database_url, CHAIN)
    return topic


def rebuilder(url: str, bootstrap: str, topic: str, workers: int) -> Rebuilder:
    return Rebuilder(
        database_url=url,
        kafka=bootstrap,
        topics=[topic],
        consumer="test",
        registry=build_registry(),
        workers=workers,
    )


async def test_workers_replay_what_one_process_replays(
    replayable: str, database_url: str, kafka_bootstrap: str, caplog: pytest.LogCaptureFixture
) -> None:
    topic = replayable
    alone = rebuilder(database_url, kafka_bootstrap, topic, workers=1)
    with caplog.at_level(logging.WARNING, logger="shared.consumer"):
        await alone.rebuild()
    assert alone.workers_used == 1
    # Every event applied, the credential included: nothing was dead-lettered.
    assert [r.getMessage() for r in caplog.records if "dead-lettering" in r.getMessage()] == []
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM rm_measurements") == (
            COMMITMENTS * MEASUREMENTS
        )
        # Replays in three processes, then compares with what one process swapped in.
        parallel = rebuilder(database_url, kafka_bootstrap, topic, workers=3)
        assert await parallel.verify() == []
        assert parallel.workers_used == 3
        # The comparison is not vacuous: a change to the live tables shows.
        await conn.execute("DELETE FROM rm_measurements WHERE commitment_id = 'c3'")
        differences = await rebuilder(database_url, kafka_bootstrap, topic, workers=3).verify()
        assert [(d.table, d.only_live, d.only_rebuilt) for d in differences] == [
            ("rm_measurements", 0, MEASUREMENTS)
        ]
    finally:
        await conn.close()


async def test_a_failing_worker_stops_the_rebuild_and_leaves_no_shadow(
    replayable: str, database_url: str, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = (sys.executable, "-c", "import sys; sys.exit('worker gave up')")
    monkeypatch.setattr(rebuild_module, "WORKER", failing)
    with pytest.raises(RuntimeError, match="worker gave up"):
        await rebuilder(database_url, kafka_bootstrap, replayable, workers=2).rebuild()
    conn = await asyncpg.connect(database_url)
    try:
        schemas = await conn.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname ~ '^(shadow|retired)_'"
        )
        assert schemas == []
        assert await conn.fetchval("SELECT count(*) FROM consumer_offsets") == 0
    finally:
        await conn.close()
