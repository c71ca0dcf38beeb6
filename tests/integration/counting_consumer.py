"""A consumer process for crash tests: tallies every event it applies in a table with
no uniqueness, so a doubled effect would show as a second row.

Run: python -m tests.integration.counting_consumer DATABASE_URL BOOTSTRAP TOPIC GROUP
"""

from __future__ import annotations

import asyncio
import sys

from shared.cloudevents import ReceivedEvent
from shared.consumer import (
    ConsumerConfig,
    ConsumerRunner,
    PostgresTrackingStore,
    Projection,
    install_schema,
)
from shared.database import Connection, create_pool
from shared.kafka import KafkaProducer

TALLY = "CREATE TABLE IF NOT EXISTS tally (event_id uuid NOT NULL, n integer NOT NULL)"


async def apply(conn: Connection, event: ReceivedEvent) -> None:
    if event.data.get("poison"):
        raise ValueError("this event cannot be applied")
    await conn.execute(
        "INSERT INTO tally (event_id, n) VALUES ($1, $2)", event.event_id, event.data["n"]
    )
    await asyncio.sleep(0.002)  # Slow enough to be killed mid-batch.


async def main(database_url: str, bootstrap: str, topic: str, group: str) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=4)
    async with pool.acquire() as conn:
        await install_schema(conn)
        await conn.execute(TALLY)
    producer = KafkaProducer(bootstrap, "counting-consumer")
    await producer.start()
    config = ConsumerConfig(
        name=group,
        kafka=bootstrap,
        topics=[topic],
        dead_letter_topic=f"{topic}.dlq",
        max_records=100,
    )
    runner = ConsumerRunner(
        config, Projection(apply), tracking=PostgresTrackingStore(pool), producer=producer
    )
    await runner.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
