"""The three services as processes for the HTTP benchmarks, on a scratch prefix."""

from __future__ import annotations

import os
import secrets
import subprocess
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

from pactstream_cli import replicas
from pactstream_cli.replicas import free_port
from shared.database import drop_database
from shared.kafka import delete_topics
from shared.settings import ServiceSettings

KEY = "bench-operator-key"
ROOT = Path(__file__).resolve().parents[3]
LOGS = ROOT / ".local" / "bench-logs"


SERVICES = ("commitments", "funding", "reporting")


class Services:
    """The three services; ``replicas`` asks for more than one process of a service:
    every replica shares its service's database, topics and consumer group, and listens
    on a loopback port of its own (``urls``), as replicas behind a load balancer do.
    A service in ``workers_apart`` gets one more replica, its last, that runs its relay
    and consumers and takes no requests; the others run none
    (``PACTSTREAM_RUN_WORKERS=false``)."""

    def __init__(
        self, replicas: dict[str, int] | None = None, workers_apart: Collection[str] = ()
    ) -> None:
        self.ref = "bench" + secrets.token_hex(4)
        self.workers_apart = frozenset(workers_apart)
        if not self.workers_apart <= {"commitments"}:
            # `http.settle` reads the consumers' lag from the replicas taking requests.
            raise ValueError(f"workers apart for commitments only, not {set(workers_apart)}")
        self.replicas = {
            service: (replicas or {}).get(service, 1) + (1 if service in self.workers_apart else 0)
            for service in SERVICES
        }
        self.ports: dict[str, int] = {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.peak_rss: dict[str, int] = {}

    def url(self, service: str) -> str:
        """The first replica's address (a replica's name is ``service`` or ``service-2``)."""
        return f"http://127.0.0.1:{self.ports[service]}"

    def urls(self, service: str) -> list[str]:
        """The address of every replica that takes requests, the first first."""
        names = self._names(service)
        if service in self.workers_apart:
            names = names[:-1]
        return [self.url(name) for name in names]

    def _names(self, service: str) -> list[str]:
        return [service] + [f"{service}-{n}" for n in range(2, self.replicas[service] + 1)]

    def client(self, service: str, timeout: float = 30) -> httpx.AsyncClient:
        """A client of ``service`` with the operator's key."""
        return httpx.AsyncClient(
            base_url=self.url(service), timeout=timeout, headers={"Authorization": f"Bearer {KEY}"}
        )

    def start(self) -> None:
        """Every first replica, then every further one once the first is ready: the
        first applies its database's migrations, which replicas must not race."""
        self._launch([(service, service) for service in SERVICES])
        more = [(name, s) for s in SERVICES for name in self._names(s)[1:]]
        if more:
            self._launch(more)

    def _launch(self, started: list[tuple[str, str]]) -> None:
        for name, service in started:
            # Each service binds its port only once started: a port handed out a moment
            # ago is still free to the kernel, and one service answering /readyz on
            # another's port would hide that the other never came up.
            while (port := free_port()) in self.ports.values():
                pass
            self.ports[name] = port
            self.processes[name] = self._spawn(name, service)
        for name, _ in started:
            # Everything up: a figure taken while the relay or a consumer still
            # connects to Kafka would be too good or too bad.
            replicas.wait_ready(
                self.url(name), self.processes[name], 90, everything=True, name=name
            )

    def _spawn(self, name: str, service: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "PACTSTREAM_DATABASE": f"{self.ref}_{service}",
            "PACTSTREAM_TOPIC_PREFIX": self.ref,
            "PACTSTREAM_OPERATOR_KEY": KEY,
            "PACTSTREAM_RATE_LIMIT_PER_SECOND": "0",
        }
        if service != "commitments":
            env["PACTSTREAM_COMMITMENTS_URL"] = self.url("commitments")
        # Whether a replica runs workers is this set's to say, not the caller's shell.
        env.pop("PACTSTREAM_RUN_WORKERS", None)
        if service in self.workers_apart:
            workers = name == self._names(service)[-1]
            env["PACTSTREAM_RUN_WORKERS"] = "true" if workers else "false"
        # Each run's service logs stay under .local/bench-logs, for a run that fails;
        # settings as by default (the access log on).
        return replicas.spawn(
            service, self.ports[name], env, log=LOGS / f"{self.ref}-{name}.log", cwd=ROOT
        )

    def stop_one(self, name: str) -> None:
        """Stop one replica (``reporting``, ``commitments-2``...) until ``start_one``."""
        replicas.stop([self.processes.pop(name)])

    def start_one(self, name: str) -> None:
        """Start a replica ``stop_one`` stopped, on a new port, once it is ready."""
        self._launch([(name, name.split("-")[0])])

    def check_running(self) -> None:
        """Raise if a service has exited: figures taken without it would be wrong."""
        exited = {name: p.returncode for name, p in self.processes.items() if p.poll() is not None}
        if exited:
            raise RuntimeError(f"services exited (with these codes): {exited}")

    @contextmanager
    def memory_sampled(self) -> Iterator[None]:
        """Sample each service's RSS (``peak_rss``) every 0.2 s while the block runs."""
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                self.sample_memory()
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield
        finally:
            done.set()
            sampler.join()

    def sample_memory(self) -> None:
        for service, process in self.processes.items():
            try:
                rss = psutil.Process(process.pid).memory_info().rss
            except psutil.Error:
                continue
            self.peak_rss[service] = max(self.peak_rss.get(service, 0), rss)

    def stop(self) -> None:
        replicas.stop(self.processes.values())

    async def remove_data(self) -> None:
        """Drop the run's databases and topics, so that runs do not pile them up."""
        settings = ServiceSettings()
        for service in SERVICES:
            await drop_database(settings.postgres_server_url, f"{self.ref}_{service}")
        await delete_topics(settings.kafka, f"{self.ref}.")
