"""A small typed wrapper around aiokafka, which ships no type information of its own.

The producer is idempotent with ``acks=all``: a send returns only once every in-sync
replica has the message, and retries never duplicate or reorder within a partition.

Every client of the platform (producers, consumers, admin) is made with the options of
one :class:`KafkaEndpoint`: where the cluster is and how to reach it (plaintext, TLS,
SASL), so that pointing the platform at a secured cluster is a matter of settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, NamedTuple, TypeAlias

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code
from aiokafka.helpers import create_ssl_context
from aiokafka.partitioner import DefaultPartitioner, murmur2

Headers = Sequence[tuple[str, bytes]]
SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


@dataclass(frozen=True)
class KafkaEndpoint:
    """A Kafka cluster and how to connect to it.

    With ``SSL`` or ``SASL_SSL`` the brokers' certificates are verified, host names
    included, against ``ca_file`` (the system's trusted CAs when it is ``None``);
    ``cert_file`` and ``key_file`` add a client certificate for clusters that ask for
    one. With a ``SASL_*`` protocol, ``username`` and ``password`` authenticate by
    ``sasl_mechanism``.
    """

    bootstrap: str
    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    def options(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client."""
        options: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": self.security_protocol,
        }
        if self.uses_tls:
            options["ssl_context"] = _tls_context(self.ca_file, self.cert_file, self.key_file)
        if self.uses_sasl:
            options["sasl_mechanism"] = self.sasl_mechanism
            options["sasl_plain_username"] = self.username
            options["sasl_plain_password"] = self.password
        return options


#: A cluster: an endpoint, or bootstrap servers reached in plaintext (tests, tools).
Kafka: TypeAlias = KafkaEndpoint | str


def endpoint(kafka: Kafka) -> KafkaEndpoint:
    return kafka if isinstance(kafka, KafkaEndpoint) else KafkaEndpoint(kafka)


@functools.lru_cache(maxsize=8)
def _tls_context(
    ca_file: str | None, cert_file: str | None, key_file: str | None
) -> ssl.SSLContext:
    """Verifies the brokers (``CERT_REQUIRED`` and host names) against ``ca_file``."""
    if ca_file is None:
        context = ssl.create_default_context()
        if cert_file is not None:
            context.load_cert_chain(cert_file, key_file)
        return context
    verified: ssl.SSLContext = create_ssl_context(
        cafile=ca_file, certfile=cert_file, keyfile=key_file
    )
    return verified


class OutgoingMessage(NamedTuple):  # A tuple: a relay builds thousands a second.
    topic: str
    key: bytes
    value: bytes
    headers: Headers


_DEFAULT_PARTITIONER = DefaultPartitioner()


@functools.lru_cache(maxsize=65_536)
def _murmur2(key: bytes) -> int:
    return int(murmur2(key))


def partition_for_key(key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
    """aiokafka's default partitioner (Java's murmur2 of the key, so every client
    puts a stream on the same partition), remembering each key's hash: aiokafka's
    murmur2 is pure Python, and a stream's events, sent together, share their key."""
    if key is None:
        return int(_DEFAULT_PARTITIONER(key, all_partitions, available))
    return all_partitions[(_murmur2(key) & 0x7FFFFFFF) % len(all_partitions)]


#: How every producer of the platform is configured (the benchmark's raw peer too).
#: Sends are not held back (``linger_ms=0``): batches form from whatever is queued
#: while the previous request is in flight, so a lone event leaves at once.
PRODUCER_SETTINGS: Final[dict[str, Any]] = {
    "enable_idempotence": True,
    "acks": "all",
    "linger_ms": 0,
    "max_batch_size": 256 * 1024,
    "request_timeout_ms": 15_000,
    "partitioner": partition_for_key,
}


def _append(batch: Any, message: OutgoingMessage) -> int | None:
    """The message's index in ``batch``, or ``None`` if the batch is full."""
    if (
        batch.append(key=message.key, value=message.value, timestamp=None, headers=message.headers)
        is None
    ):
        return None
    return int(batch.record_count()) - 1


class KafkaProducer:
    """An idempotent producer that may be started again after a failed start: a
    service builds it at once and connects it whenever the cluster can be reached."""

    def __init__(self, kafka: Kafka, client_id: str) -> None:
        self._kafka = endpoint(kafka)
        self._client_id = client_id
        self._producer: Any = None
        self._started = False
        self._queueing = asyncio.Lock()

    async def start(self) -> None:
        """Connect; on failure nothing is left open and ``start`` may be called again."""
        if self._started:
            return
        producer = AIOKafkaProducer(
            client_id=self._client_id, **self._kafka.options(), **PRODUCER_SETTINGS
        )
        try:
            await producer.start()
        except BaseException:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), 5)
            raise
        self._producer = producer
        self._started = True

    async def stop(self, timeout: float = 5.0) -> None:
        """Flush what is queued for at most ``timeout`` seconds, then close."""
        if self._started:
            self._started = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._producer.stop(), timeout)

    @property
    def started(self) -> bool:
        return self._started

    async def reachable(self, timeout: float = 2.0) -> bool:
        """Whether a broker answers a metadata request now."""
        if not self._started:
            return False
        try:
            await asyncio.wait_for(self._producer.client.fetch_all_metadata(), timeout)
        except Exception:
            return False
        return True

    async def send_all(self, messages: Sequence[OutgoingMessage]) -> list[tuple[int, int]]:
        """Send in order and wait for every acknowledgement: ``(partition, offset)`` each.

        Messages are packed into record batches here, a partition's in their order,
        and every batch is queued before any is awaited; the idempotent producer keeps
        their order within each partition. (``send`` costs a coroutine and a future per
        message: a third of a relay's time.)
        """
        placed: list[tuple[int, int]] = []  # (batch, index in it) of each message
        batches: list[tuple[str, int, Any]] = []
        open_batches: dict[tuple[str, int], int] = {}
        # Calls queue their batches one after another: a relay has several in flight.
        async with self._queueing:
            partitions: dict[str, list[int]] = {}
            for m in messages:
                if m.topic not in partitions:
                    partitions[m.topic] = sorted(await self._producer.partitions_for(m.topic))
                every = partitions[m.topic]
                tp = (m.topic, partition_for_key(m.key, every, every))
                n = open_batches.get(tp, -1)
                index = _append(batches[n][2], m) if n >= 0 else None
                if index is None:  # No batch for this partition yet, or it is full.
                    open_batches[tp] = n = len(batches)
                    batches.append((*tp, self._producer.create_batch()))
                    index = _append(batches[n][2], m)
                    assert index is not None, "an empty batch takes any message"
                placed.append((n, index))
            sent = []
            for topic, partition, batch in batches:
                batch.close()
                sent.append(await self._producer.send_batch(batch, topic, partition=partition))
        acks = [await ack for ack in sent]
        return [(acks[n].partition, acks[n].offset + index) for n, index in placed]

    async def send(self, message: OutgoingMessage) -> tuple[int, int]:
        (result,) = await self.send_all([message])
        return result

    async def partitions(self, topic: str) -> set[int]:
        found = await self._producer.partitions_for(topic)
        return set(found or ())


@dataclass(frozen=True)
class TopicLayout:
    """How the platform's topics are made. ``None`` fits the cluster: a replication
    factor of 3 and ``min.insync.replicas`` of 2 when it has at least three brokers (a
    write then survives the loss of any one broker), else 1 and 1."""

    partitions: int = 6
    replication_factor: int | None = None
    min_insync_replicas: int | None = None

    def for_cluster(self, brokers: int) -> tuple[int, int]:
        """(replication factor, ``min.insync.replicas``) on a cluster of ``brokers``."""
        replication = self.replication_factor or (3 if brokers >= 3 else 1)
        min_insync = self.min_insync_replicas or (2 if replication >= 3 else 1)
        if replication > brokers:
            raise ValueError(
                f"replication factor {replication} needs at least {replication} brokers; "
                f"the cluster has {brokers}"
            )
        if min_insync > replication:
            raise ValueError(
                f"min.insync.replicas {min_insync} exceeds the replication factor {replication}"
            )
        return replication, min_insync


async def ensure_topics(
    kafka: Kafka,
    topics: Sequence[str],
    partitions: int | None = None,
    timeout: float = 30.0,
    layout: TopicLayout | None = None,
) -> None:
    """Create missing topics with unlimited retention, so read models can be rebuilt
    from offset 0 at any time. Topics that exist are left as they are."""
    layout = layout or TopicLayout()
    admin: Any = AIOKafkaAdminClient(**endpoint(kafka).options(), request_timeout_ms=15_000)
    await asyncio.wait_for(admin.start(), timeout)
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            brokers = len((await admin.describe_cluster())["brokers"])
            replication, min_insync = layout.for_cluster(brokers)
            with contextlib.suppress(TopicAlreadyExistsError):
                response = await admin.create_topics(
                    [
                        NewTopic(
                            name=t,
                            num_partitions=partitions or layout.partitions,
                            replication_factor=replication,
                            topic_configs={
                                "retention.ms": "-1",
                                "retention.bytes": "-1",
                                "min.insync.replicas": str(min_insync),
                            },
                        )
                        for t in missing
                    ]
                )
                for name, code, *_ in response.topic_errors:
                    if code not in (0, TopicAlreadyExistsError.errno):
                        error = for_code(code)
                        raise error(f"topic {name} was not created: {error.description}")
    finally:
        await admin.close()


async def delete_topics(kafka: Kafka, prefix: str, timeout: float = 30.0) -> list[str]:
    """Delete every topic whose name starts with ``prefix``; returns their names.
    For scratch topics (tests, benchmarks): each holds partitions on the broker
    until deleted."""
    admin: Any = AIOKafkaAdminClient(**endpoint(kafka).options(), request_timeout_ms=15_000)
    await asyncio.wait_for(admin.start(), timeout)
    try:
        doomed = sorted(t for t in await admin.list_topics() if t.startswith(prefix))
        if doomed:
            response = await admin.delete_topics(doomed)
            for name, code, *_ in response.topic_error_codes:
                if code != 0:
                    error = for_code(code)
                    raise error(f"topic {name} was not deleted: {error.description}")
        return doomed
    finally:
        await admin.close()


def topic_partition(topic: str, partition: int) -> Any:
    return TopicPartition(topic, partition)
