"""The three services as processes for the HTTP benchmarks, on a scratch prefix."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

from shared.database import drop_database
from shared.kafka import delete_topics
from shared.settings import ServiceSettings

KEY = "bench-operator-key"
ROOT = Path(__file__).resolve().parents[3]
LOGS = ROOT / ".local" / "bench-logs"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVICES = ("commitments", "funding", "reporting")


class Services:
    """The three services; ``replicas`` asks for more than one process of a service:
    every replica shares its service's database, topics and consumer group, and listens
    on a loopback port of its own (``urls``), as replicas behind a load balancer do."""

    def __init__(self, replicas: dict[str, int] | None = None) -> None:
        self.ref = "bench" + secrets.token_hex(4)
        self.replicas = {service: (replicas or {}).get(service, 1) for service in SERVICES}
        self.ports: dict[str, int] = {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.peak_rss: dict[str, int] = {}

    def url(self, service: str) -> str:
        """The first replica's address (a replica's name is ``service`` or ``service-2``)."""
        return f"http://127.0.0.1:{self.ports[service]}"

    def urls(self, service: str) -> list[str]:
        """Every replica's address, the first first."""
        return [self.url(name) for name in self._names(service)]

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

    def _launch(self, replicas: list[tuple[str, str]]) -> None:
        for name, service in replicas:
            # Each service binds its port only once started: a port handed out a moment
            # ago is still free to the kernel, and one service answering /readyz on
            # another's port would hide that the other never came up.
            while (port := free_port()) in self.ports.values():
                pass
            self.ports[name] = port
            self.processes[name] = self._spawn(name, service)
        for name, _ in replicas:
            deadline = time.monotonic() + 90
            while True:
                try:
                    if _everything_up(httpx.get(f"{self.url(name)}/readyz", timeout=2)):
                        break
                except httpx.HTTPError:
                    pass
                self.check_running()
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start")
                time.sleep(0.2)

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
        # Each run's service logs stay under .local/bench-logs, for a run that fails;
        # settings as by default (the access log on).
        LOGS.mkdir(parents=True, exist_ok=True)
        log = (LOGS / f"{self.ref}-{name}.log").open("ab")
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pactstream_cli",
                "serve",
                service,
                "--port",
                str(self.ports[name]),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop_one(self, name: str) -> None:
        """Stop one replica (``reporting``, ``commitments-2``...) until ``start_one``."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

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
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()

    async def remove_data(self) -> None:
        """Drop the run's databases and topics, so that runs do not pile them up."""
        settings = ServiceSettings()
        for service in SERVICES:
            await drop_database(settings.postgres_server_url, f"{self.ref}_{service}")
        await delete_topics(settings.kafka, f"{self.ref}.")


def _everything_up(readiness: httpx.Response) -> bool:
    """Ready, and no dependency or worker reported down: a figure taken while the
    relay or a consumer still connects to Kafka would be too good or too bad."""
    if readiness.status_code != 200:
        return False
    body = readiness.json()
    return all(v.get("ok", True) for v in body.values() if isinstance(v, dict))
