"""Dead-letter publishing: a record a consumer could not apply goes to the dead-letter
topic as it arrived (key, value, headers), with headers saying where it came from and
why it failed. It is also recorded in the consumer's unit of work
(:meth:`~.tracking.ConsumerTracking.record_dead`), where the operator tool
(:mod:`.dlq`) finds it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.consumer.tracking import DeadLetter
from shared.kafka import KafkaProducer, OutgoingMessage

#: The longest error text a dead-letter header carries, in bytes.
MAX_ERROR_BYTES = 4000


def dead_letter_message(
    topic: str, consumer: str, dead: DeadLetter, record: Any
) -> OutgoingMessage:
    """The message for the dead-letter ``topic``: the original record, its headers
    kept, and ``dlq_*`` headers with the error and the record's origin."""
    headers = [
        *(record.headers or ()),
        ("dlq_error", dead.error.encode()[:MAX_ERROR_BYTES]),
        ("dlq_consumer", consumer.encode()),
        ("dlq_topic", dead.topic.encode()),
        ("dlq_partition", str(dead.partition).encode()),
        ("dlq_offset", str(dead.offset).encode()),
    ]
    return OutgoingMessage(topic, record.key or b"", record.value or b"", headers)


class DeadLetterPublisher:
    """Sends a consumer's dead letters to one topic and waits for their acknowledgement."""

    def __init__(self, producer: KafkaProducer, topic: str) -> None:
        self._producer = producer
        self.topic = topic

    async def publish(
        self, consumer: str, dead: Sequence[DeadLetter], records: Mapping[int, Any]
    ) -> None:
        """``records`` by offset: the partition's records the dead letters came from."""
        await self._producer.send_all(
            [dead_letter_message(self.topic, consumer, d, records[d.offset]) for d in dead]
        )
