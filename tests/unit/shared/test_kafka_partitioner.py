"""The platform's partitioner must place every key where aiokafka's (and Java's)
default partitioner does: other clients of the topics rely on it."""

import random

from aiokafka.partitioner import DefaultPartitioner

from shared.kafka import partition_for_key


def test_every_key_lands_where_the_default_partitioner_puts_it() -> None:
    rng = random.Random(7)
    default = DefaultPartitioner()
    for _ in range(2_000):
        key = rng.randbytes(rng.randint(0, 64))
        partitions = list(range(rng.choice([1, 3, 6, 12])))
        assert partition_for_key(key, partitions, partitions) == default(
            key, partitions, partitions
        )
    # Asked again (now remembered), the same answers.
    assert partition_for_key(b"commitment-1", [0, 1, 2, 3, 4, 5], []) == default(
        b"commitment-1", [0, 1, 2, 3, 4, 5], []
    )


def test_a_message_without_a_key_goes_to_an_available_partition() -> None:
    assert partition_for_key(None, [0, 1, 2], [2]) == 2
