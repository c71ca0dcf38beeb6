"""Consumers with an exactly-once effect on a read model.

Kafka delivers at least once. For each poll, the handler's changes, the ids of the
events it applied (the inbox) and the next offset to read in every partition the poll
brought commit in one unit of work; on assignment the consumer seeks to the offsets
stored there, never to Kafka's. The inbox also absorbs the duplicates the outbox relay
may publish after a crash of its own.

The parts, each small and behind a contract:

- :mod:`.tracking`: the port for offsets, inbox and dead letters in a unit of work;
  :mod:`.tracking_postgres` and :mod:`.tracking_memory` implement it.
- :mod:`.apply`: the apply algorithm over that port (bulk, then careful, poison
  isolated).
- :mod:`.runner`: the Kafka side, configured by a :class:`ConsumerConfig`.
- :mod:`.deadletters`: publishing dead letters; :mod:`.dlq`: the operator's tool.
- :mod:`.schema`: the tables, for the migration chains' baselines.
"""

from shared.consumer.apply import (
    BatchResult,
    BulkHandler,
    Handler,
    Projection,
    Wants,
    apply_poll,
    one_after_another,
)
from shared.consumer.dlq import replay_dead_letter
from shared.consumer.runner import Consumer, ConsumerConfig, ConsumerRunner
from shared.consumer.schema import SCHEMA_SQL, install_schema
from shared.consumer.tracking import (
    ConsumerTracking,
    DeadLetter,
    Partition,
    Position,
    TrackingStore,
)
from shared.consumer.tracking_postgres import PostgresTracking, PostgresTrackingStore

__all__ = [
    "SCHEMA_SQL",
    "BatchResult",
    "BulkHandler",
    "Consumer",
    "ConsumerConfig",
    "ConsumerRunner",
    "ConsumerTracking",
    "DeadLetter",
    "Handler",
    "Partition",
    "Position",
    "PostgresTracking",
    "PostgresTrackingStore",
    "Projection",
    "TrackingStore",
    "Wants",
    "apply_poll",
    "install_schema",
    "one_after_another",
    "replay_dead_letter",
]
