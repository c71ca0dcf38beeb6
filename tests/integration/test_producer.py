"""The producer packs messages into record batches itself: every message lands where
``send_all`` says it did, each key's messages in the order given, also when a
partition's messages fill several batches and when calls overlap."""

from __future__ import annotations

import asyncio

from shared.kafka import PRODUCER_SETTINGS, KafkaProducer, OutgoingMessage, partition_for_key
from tests.kafka_reader import read_topic


async def test_every_message_lands_where_send_all_says_in_order(
    kafka_bootstrap: str, topic: str
) -> None:
    # One key's 300 messages of 2 KB outgrow a batch (max_batch_size) twice over.
    size = 2048
    assert 300 * size > 2 * PRODUCER_SETTINGS["max_batch_size"]
    calls = [
        [
            OutgoingMessage(
                topic,
                b"big" if n % 2 else f"k{n % 7}".encode(),
                f"{call}:{n}:".encode().ljust(size, b"."),
                [("n", str(n).encode())],
            )
            for n in range(600)
        ]
        for call in range(3)
    ]
    producer = KafkaProducer(kafka_bootstrap, "test-producer")
    await producer.start()
    try:
        # Three calls in flight at once, as the relay's pipeline has.
        placements = await asyncio.gather(*(producer.send_all(c) for c in calls))
    finally:
        await producer.stop()

    records = await read_topic(kafka_bootstrap, topic, until=lambda r: len(r) == 1800)
    found = {(r.partition, r.offset): (r.key, r.value) for r in records}
    partitions = sorted({r.partition for r in records} | {0, 1, 2})
    for messages, placed in zip(calls, placements, strict=True):
        for m, (partition, offset) in zip(messages, placed, strict=True):
            assert found[(partition, offset)] == (m.key, m.value)
            assert partition == partition_for_key(m.key, partitions, partitions)
    # Per key, Kafka holds the calls' messages in the order they were given.
    by_key: dict[bytes, list[bytes]] = {}
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_key.setdefault(r.key, []).append(r.value)
    for key, values in by_key.items():
        expected = [m.value for c in calls for m in c if m.key == key]
        assert values == expected
