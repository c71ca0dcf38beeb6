"""Runs the three services as separate processes, the way ``./pactstream serve`` does,
with databases and topics of their own so that a run never sees another's data."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from pactstream_cli import replicas
from pactstream_cli.replicas import free_port
from shared.database import drop_database, ensure_database, with_database
from shared.kafka import delete_topics
from shared.migrations import MigrationChain, migrate
from shared.settings import ServiceSettings
from tests.refs import random_ref

ROOT = Path(__file__).resolve().parents[2]
KEY = "e2e-operator-key"
SERVICES = ("commitments", "funding", "reporting")


def all_pages(client: httpx.Client, path: str, **params: object) -> list[dict[str, object]]:
    """Every item of a paged list, following its ``Link: rel="next"``."""
    items: list[dict[str, object]] = []
    answer = client.get(path, params={"limit": 1000, **params})
    while True:
        answer.raise_for_status()
        items += answer.json()
        following = answer.links.get("next")
        if following is None:
            return items
        answer = client.get(following["url"])


@dataclass
class Platform:
    ref: str = field(default_factory=lambda: random_ref("e2e"))
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: Path = field(default_factory=lambda: ROOT / ".local" / "test-logs")
    #: Settings every service of this platform gets (other servers, say).
    settings: dict[str, str] = field(default_factory=dict)
    #: Give each service a database already at its migrations' head, cloned from a
    #: template migrated once per run: three services importing Alembic at once cost
    #: every platform ~4 s. Start-up migrations are tested where they are the subject
    #: (the migration tests, ``up``, the secured platform, a service's lifecycle).
    migrated_databases: bool = True

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def client(self, service: str, key: str | None = KEY) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url(service), headers=headers, timeout=30)

    def env(self, service: str) -> dict[str, str]:
        extra = (
            {"PACTSTREAM_COMMITMENTS_URL": self.url("commitments")}
            if "commitments" in self.ports
            else {}
        )
        return {
            **extra,
            **os.environ,
            **self.settings,
            "PACTSTREAM_DATABASE": f"{self.ref}_{service}",
            "PACTSTREAM_TOPIC_PREFIX": self.ref,
            "PACTSTREAM_OPERATOR_KEY": KEY,
            "PACTSTREAM_ENVIRONMENT": "test",
            "PACTSTREAM_SUBSCRIPTIONS_ALLOW_PRIVATE": "true",
        }

    def start(
        self, service: str, replica: str | None = None, env: dict[str, str] | None = None
    ) -> None:
        """Start a service, or another replica of it (``replica`` names it: its port is
        its own, its database and topics the service's); ``env`` overrides settings."""
        name = service if replica is None else f"{service}-{replica}"
        if self.migrated_databases:
            asyncio.run(self._database_at_head(service))
        self.ports.setdefault(name, free_port())
        self.processes[name] = replicas.spawn(
            service,
            self.ports[name],
            {**self.env(service), **(env or {})},
            log=self.logs / f"{self.ref}-{name}.log",
            cwd=ROOT,
        )

    def wait_ready(self, service: str, timeout: float = 60, *, everything: bool = True) -> None:
        """Until ``/readyz`` answers 200 and, with ``everything``, names no dependency
        or worker down (Kafka, the relay, the consumers): tests want it all running."""
        replicas.wait_ready(
            self.url(service), self.processes[service], timeout, everything=everything, name=service
        )

    def await_listed(self, plan_id: str, count: int, timeout: float = 120) -> None:
        """Until reporting lists ``count`` commitments of the plan."""
        with self.client("reporting") as c:
            path = f"/v1/plans/{plan_id}/commitments"

            def listed() -> list[dict[str, object]] | None:
                # 404 until reporting has the plan.
                if c.get(path, params={"limit": 1}).status_code == 404:
                    return None
                return all_pages(c, path)

            poll(
                listed,
                lambda found: found is not None and len(found) == count,
                timeout=timeout,
                interval=0.5,
            )

    def kill(self, service: str) -> None:
        """``kill -9``: no shutdown hook runs."""
        process = self.processes.pop(service)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def terminate(self, service: str, timeout: float = 30) -> int:
        """SIGTERM, as an orchestrator stops a replica; returns the exit code."""
        process = self.processes.pop(service)
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise

    def stop(self) -> None:
        replicas.stop(self.processes.values())
        self.processes.clear()
        asyncio.run(self._remove_data())

    async def _database_at_head(self, service: str) -> None:
        server = settings_of(self.settings).postgres_server_url
        name = f"{self.ref}_{service}"
        conn = await asyncpg.connect(with_database(server, "postgres"))
        try:
            if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                return
            template = await _template(conn, server, service)
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await conn.close()

    async def _remove_data(self) -> None:
        """Drop the run's databases and topics: each run makes new ones, and a broker
        and a cluster left holding thousands of them slow every later run."""
        settings = settings_of(self.settings)
        for service in SERVICES:
            await drop_database(settings.postgres_server_url, f"{self.ref}_{service}")
        await delete_topics(settings.kafka, f"{self.ref}.")


def poll(fetch, until, timeout: float = 15.0, interval: float = 0.05):  # type: ignore[no-untyped-def]
    """Call ``fetch`` until ``until(result)`` holds; projections catch up asynchronously."""
    deadline = time.monotonic() + timeout
    while True:
        result = fetch()
        if until(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s; last: {result!r}")
        time.sleep(interval)


_TEMPLATES: dict[tuple[str, str], str] = {}


async def _template(conn: asyncpg.Connection, server: str, service: str) -> str:
    """A database at the head of ``service``'s migrations, made once per run and
    server; templates of other heads (earlier schemas) are dropped."""
    chain: MigrationChain = importlib.import_module(f"{service}.adapters.migrations").CHAIN
    name = f"pactstream_template_{service}_{chain.head()}"
    if (server, service) in _TEMPLATES:
        return name
    stale = await conn.fetch(
        "SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2",
        f"pactstream_template_{service}_%",
        name,
    )
    for row in stale:
        await drop_database(server, row["datname"])
    await drop_database(server, name)  # Half made by a run that was stopped, perhaps.
    await ensure_database(server, name)
    await migrate(with_database(server, name), chain)
    _TEMPLATES[server, service] = name
    return name


def settings_of(env: dict[str, str]) -> ServiceSettings:
    """The settings a service gets from the environment plus ``env``'s variables."""
    return ServiceSettings(**{k.removeprefix("PACTSTREAM_").lower(): v for k, v in env.items()})


@contextlib.contextmanager
def running(
    *, kafka: str | None = None, env: dict[str, str] | None = None, migrated: bool = True
) -> Iterator[Platform]:
    """The three services started and ready, stopped on the way out; ``kafka`` and
    ``env`` point them at other servers than the suite's; without ``migrated`` each
    service migrates its new database itself."""
    settings = dict(env or {})
    if kafka is not None:
        settings["PACTSTREAM_KAFKA_BOOTSTRAP"] = kafka
    p = Platform(settings=settings, migrated_databases=migrated)
    try:
        for service in SERVICES:
            p.start(service)
        for service in SERVICES:
            p.wait_ready(service)
        yield p
    finally:
        p.stop()
