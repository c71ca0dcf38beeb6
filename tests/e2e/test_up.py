"""``./pactstream up`` as an operator runs it, with servers of its own: it restarts what
crashes while the rest keeps answering, other ``./pactstream`` commands beside it
disturb nothing, and SIGTERM stops it all."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from pactstream_cli import infra
from tests.e2e.platform import KEY, ROOT, all_pages, poll
from tests.refs import random_ref

SERVICES = ("commitments", "funding", "reporting")
#: Back within this long after a crash, without anyone typing a command.
RECOVERY_SECONDS = 30


@dataclass
class Up:
    env: dict[str, str]
    ports: dict[str, int]
    process: subprocess.Popen[bytes]
    root: Path
    log: Path

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def command(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """``./pactstream ARGS`` beside the running platform (the script itself)."""
        return subprocess.run(
            [str(ROOT / "pactstream"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def processes(self) -> dict[str, dict[str, Any]]:
        answer = self.command("infra", "status", "--json")
        return {p["name"]: p for p in json.loads(answer.stdout)["processes"]}

    def ready(self, service: str) -> bool:
        try:
            return httpx.get(f"{self.url(service)}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False


@pytest.fixture(scope="module")
def up() -> Iterator[Up]:
    root = ROOT / ".local" / "test-infra" / random_ref("up-")
    first = infra.free_port_block(3)
    ports = dict(zip(SERVICES, range(first, first + 3), strict=True))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACTSTREAM_")}
    env |= {
        "PACTSTREAM_LOCAL_DIR": str(root),
        "PACTSTREAM_LOCAL_PG_PORT": str(infra.free_port_block(1)),
        "PACTSTREAM_LOCAL_KAFKA_PORT": str(infra.free_port_block(2)),
        "PACTSTREAM_OPERATOR_KEY": KEY,
        "PACTSTREAM_ENVIRONMENT": "test",
        **{f"PACTSTREAM_{name.upper()}_PORT": str(port) for name, port in ports.items()},
    }
    root.mkdir(parents=True)
    log = root / "up.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [str(ROOT / "pactstream"), "up", "--no-seed"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Up(env, ports, process, root, log)
    try:
        poll(
            lambda: process.poll() is None and all(running.ready(s) for s in SERVICES),
            lambda ok: ok,
            timeout=240,
            interval=0.5,
        )
        yield running
        pids = [p["pid"] for p in running.processes().values() if p["pid"]]
        process.send_signal(signal.SIGTERM)
        assert process.wait(90) == 0, log.read_text()[-3000:]
        assert not [pid for pid in pids if infra.alive(pid)], "SIGTERM stops everything"
        assert not (root / "run" / "up.json").exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        layout = infra.Layout(
            root, int(env["PACTSTREAM_LOCAL_PG_PORT"]), int(env["PACTSTREAM_LOCAL_KAFKA_PORT"])
        )
        infra.stop_kafka(layout)
        infra.stop_postgres(layout, mode="immediate")
        shutil.rmtree(infra.postgres_root(layout).parent, ignore_errors=True)
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Traffic:
    """Writes to commitments and reads from reporting, every 50 ms each, remembering
    what was acknowledged and when either failed."""

    up: Up
    plan: str
    acknowledged: list[str] = field(default_factory=list)
    write_failures: list[float] = field(default_factory=list)
    read_failures: list[float] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def write(self) -> None:
        headers = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(base_url=self.up.url("commitments"), headers=headers) as c:
            while not self.stop.is_set():
                body = {
                    "code": random_ref("C-"),
                    "section": "1",
                    "title": "Keep answering",
                    "parties": [{"name": "EU", "role": "responsible"}],
                }
                try:
                    answer = c.post(f"/v1/plans/{self.plan}/commitments", json=body, timeout=5)
                    if answer.status_code == 201:
                        self.acknowledged.append(answer.json()["id"])
                    else:
                        self.write_failures.append(time.monotonic())
                except httpx.HTTPError:
                    self.write_failures.append(time.monotonic())
                self.stop.wait(0.05)

    def read(self) -> None:
        headers = {"Authorization": f"Bearer {KEY}"}
        with httpx.Client(base_url=self.up.url("reporting"), headers=headers) as c:
            while not self.stop.is_set():
                try:
                    answer = c.get(f"/v1/plans/{self.plan}/commitments", timeout=5)
                    if answer.status_code not in (200, 404):
                        self.read_failures.append(time.monotonic())
                except httpx.HTTPError:
                    self.read_failures.append(time.monotonic())
                self.stop.wait(0.05)


def crash(up: Up, name: str) -> float:
    """``kill -9`` of one supervised process; the time it took to be back."""
    before = up.processes()[name]
    killed_at = time.monotonic()
    os.kill(before["pid"], signal.SIGKILL)

    def back() -> bool:
        now = up.processes()[name]
        if now["state"] != "running" or now["pid"] in (None, before["pid"]):
            return False
        if name in SERVICES:
            return up.ready(name)
        return infra.port_open("127.0.0.1", now["port"])

    poll(back, lambda ok: ok, timeout=RECOVERY_SECONDS + 10, interval=0.2)
    after = up.processes()[name]
    assert after["restarts"] == before["restarts"] + 1
    return time.monotonic() - killed_at


def during(failures: list[float], start: float, end: float) -> int:
    return sum(1 for t in failures if start <= t <= end)


def test_up_restarts_what_crashes_while_the_rest_keeps_answering(up: Up) -> None:
    with httpx.Client(
        base_url=up.url("commitments"), headers={"Authorization": f"Bearer {KEY}"}
    ) as c:
        made = c.post(
            "/v1/plans",
            json={
                "code": random_ref("P-"),
                "title": "Up",
                "sections": [{"code": "1", "title": "One"}],
            },
        )
    assert made.status_code == 201, made.text
    traffic = Traffic(up, made.json()["id"])
    threads = [threading.Thread(target=traffic.write), threading.Thread(target=traffic.read)]
    for t in threads:
        t.start()
    try:
        time.sleep(1)
        took = {}
        start = time.monotonic()
        took["reporting"] = crash(up, "reporting")
        assert during(traffic.write_failures, start, time.monotonic()) == 0, "writes went on"
        start = time.monotonic()
        took["commitments"] = crash(up, "commitments")
        assert during(traffic.read_failures, start, time.monotonic()) == 0, "reads went on"
        start = time.monotonic()
        took["kafka"] = crash(up, "kafka")
        end = time.monotonic()
        assert during(traffic.write_failures, start, end) == 0, "writes need no Kafka"
        assert during(traffic.read_failures, start, end) == 0, "reads need no Kafka"
        time.sleep(1)
    finally:
        traffic.stop.set()
        for t in threads:
            t.join()
    print(f"back after kill -9 (s): { {k: round(v, 1) for k, v in took.items()} }")
    assert all(v < RECOVERY_SECONDS for v in took.values()), took
    assert len(traffic.acknowledged) > 50

    with httpx.Client(
        base_url=up.url("reporting"), headers={"Authorization": f"Bearer {KEY}"}
    ) as c:
        listed = poll(
            lambda: {r["id"] for r in all_pages(c, f"/v1/plans/{traffic.plan}/commitments")},
            lambda ids: set(traffic.acknowledged) <= ids,
            timeout=120,
            interval=0.5,
        )
    assert set(traffic.acknowledged) <= listed


def test_other_commands_beside_up_disturb_nothing(up: Up) -> None:
    venv = ROOT / ".venv"
    python = venv / "bin" / "python"

    def environment() -> tuple[object, ...]:
        stamp = venv / ".pactstream-environment"
        return (venv.stat().st_ino, python.stat().st_ino, stamp.stat().st_mtime_ns)

    pids = {name: p["pid"] for name, p in up.processes().items()}
    before = environment()
    replica_port = infra.free_port_block(1)
    replica = subprocess.Popen(
        [str(ROOT / "pactstream"), "serve", "commitments", "--port", str(replica_port)],
        env=up.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        at_once = [
            subprocess.Popen(
                [str(ROOT / "pactstream"), "infra", "status"],
                env=up.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(5)
        ]
        assert [p.wait(120) for p in at_once] == [0] * 5
        assert up.command("infra", "status", "--json").returncode == 0
        assert up.command("infra", "start").returncode == 0
        assert up.command("dlq", "list").returncode == 0
        migrations = up.command("migrate", "--status")
        assert migrations.returncode == 0, migrations.stdout + migrations.stderr
        verified = up.command("reporting", "verify", timeout=300)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        poll(
            lambda: _ready(f"http://127.0.0.1:{replica_port}"),
            lambda ok: ok,
            timeout=60,
            interval=0.3,
        )
    finally:
        replica.send_signal(signal.SIGTERM)
        assert replica.wait(30) == 0
    assert {name: p["pid"] for name, p in up.processes().items()} == pids
    assert environment() == before, ".venv was rebuilt beside a running platform"
    assert all(up.ready(s) for s in SERVICES)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
