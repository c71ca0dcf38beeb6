"""The relay killed between Kafka's acknowledgement and its checkpoint publishes the
batch again, and reporting counts each event once; a poison message goes to the
dead-letter topic while its partition keeps flowing, and ./pactstream dlq replays it
once the projection is fixed."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest

from shared.events import NewEvent
from shared.eventstore.postgres import PostgresEventStore, install_schema
from shared.kafka import KafkaProducer
from tests.e2e.platform import ROOT, Platform, poll
from tests.e2e.test_slice import create_plan, make_commitment
from tests.faults.conftest import LOCAL
from tests.kafka_reader import read_topic
from tests.refs import random_ref
from tests.relays import relay_of


class RelayKilled(Exception):
    """Stands for SIGKILL at the worst moment: after Kafka acknowledged the batch,
    before the checkpoint was written."""


async def test_a_relay_killed_before_its_checkpoint_republishes_and_nothing_doubles() -> None:
    name = random_ref("test_")
    url = f"{LOCAL.postgres_url}/{name}"
    from shared.database import create_pool, drop_database, ensure_database
    from shared.kafka import delete_topics, ensure_topics

    await ensure_database(LOCAL.postgres_url, name)
    topic = random_ref("test.")
    await ensure_topics(LOCAL.bootstrap, [topic], partitions=3)
    pool = await create_pool(url)
    producer = KafkaProducer(LOCAL.bootstrap, "test")
    await producer.start()
    try:
        async with pool.acquire() as conn:
            await install_schema(conn)
        store = PostgresEventStore(pool)
        ids = []
        for n in range(30):
            event = NewEvent(uuid4(), "org.pactstream.test.happened", {"n": n}, datetime.now(UTC))
            await store.append(f"s-{n % 3}", n // 3, [event])
            ids.append(event.event_id)

        async def die(_: int) -> None:
            raise RelayKilled

        dying = relay_of(url, producer, topic, "/t", batch_size=10, on_acknowledged=die)
        with pytest.raises(RelayKilled):
            await dying.run()
        healthy = relay_of(url, producer, topic, "/t")
        task = asyncio.create_task(healthy.run())
        records = await read_topic(
            LOCAL.bootstrap, topic, until=lambda r: len(r) >= 30 + dying.status.sent, timeout=30
        )
        for _ in range(200):  # The checkpoint is written once the relay is idle.
            if await pool.fetchval("SELECT position FROM relay_checkpoints") == 30:
                break
            await asyncio.sleep(0.05)
        task.cancel()
        published = [dict(r.headers)["ce_id"].decode() for r in records]
        assert dying.status.published == 0 and dying.status.sent >= 10
        # What the dying relay sent without a checkpoint went out again, once more.
        assert len(published) == 30 + dying.status.sent
        assert set(published) == {str(i) for i in ids}
        assert await pool.fetchval("SELECT position FROM relay_checkpoints") == 30
    finally:
        await producer.stop()
        await pool.close()
        await drop_database(LOCAL.postgres_url, name)
        await delete_topics(LOCAL.bootstrap, topic)


def dlq(platform: Platform, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pactstream_cli", "dlq", *args],
        cwd=ROOT,
        env=platform.env("reporting"),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_poison_message_is_parked_and_replayed_once_the_projection_is_fixed(
    platform: Platform,
) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"]).json()["id"]
    database = f"{LOCAL.postgres_url}/{platform.ref}_reporting"

    async def sql(statement: str) -> None:
        conn = await asyncpg.connect(database)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    with platform.client("reporting") as r:
        poll(lambda: r.get(f"/v1/commitments/{cid}").status_code, lambda s: s == 200)
    # A projection bug: reports of "limited" cannot be stored.
    asyncio.run(
        sql("ALTER TABLE rm_progress_reports ADD CONSTRAINT buggy CHECK (completion <> 'limited')")
    )
    with platform.client("commitments") as c:
        assert (
            c.post(
                f"/v1/commitments/{cid}/progress",
                json={"as_of": "2016-03-01", "completion": "limited"},
            ).status_code
            == 201
        )
        assert (
            c.post(
                f"/v1/commitments/{cid}/progress",
                json={"as_of": "2016-04-01", "completion": "substantial"},
            ).status_code
            == 201
        )
    with platform.client("reporting") as r:
        view = poll(
            lambda: r.get(f"/v1/commitments/{cid}").json(), lambda v: len(v["reports"]) == 1
        )
    assert view["completion"] == "substantial", "the partition kept flowing"

    listed = dlq(platform, "list")
    assert listed.returncode == 0
    assert "CheckViolationError" in listed.stdout and "waiting" in listed.stdout

    failed = dlq(platform, "replay")
    assert failed.returncode == 1 and "failed again" in failed.stdout
    asyncio.run(sql("ALTER TABLE rm_progress_reports DROP CONSTRAINT buggy"))
    replayed = dlq(platform, "replay")
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "replayed: org.pactstream.commitment.progress_reported" in replayed.stdout
    with platform.client("reporting") as r:
        reports = r.get(f"/v1/commitments/{cid}").json()["reports"]
    assert [x["completion"] for x in reports] == ["limited", "substantial"]
    assert "no dead letters waiting" in dlq(platform, "list").stdout
