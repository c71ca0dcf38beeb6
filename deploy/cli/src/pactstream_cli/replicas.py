"""Replicas of the services as child processes, each run as ``./pactstream serve``
runs it: started on a port, awaited until ready, stopped. ``up``, the bench and the
tests' platforms all start services this way."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path


def free_port() -> int:
    """A port free on loopback now: the service binds it once started."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(
    service: str,
    port: int,
    env: Mapping[str, str],
    *,
    log: Path | None = None,
    cwd: Path | None = None,
    python: str = sys.executable,
) -> subprocess.Popen[bytes]:
    """One replica of ``service`` on ``port`` with exactly ``env``, in a session of its
    own (a signal to the caller's terminal does not reach it); its output appended to
    ``log`` if given, else the caller's. ``python``: another checkout's interpreter."""
    command = [python, "-m", "pactstream_cli", "serve", service, "--port", str(port)]
    if log is None:
        return subprocess.Popen(command, cwd=cwd, env=dict(env), start_new_session=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        return subprocess.Popen(
            command,
            cwd=cwd,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def all_ok(readiness: Mapping[str, object]) -> bool:
    """Whether every section of a ``/readyz`` body that has an ``ok`` says so: no
    dependency or worker (Kafka, the relay, a consumer) reported down."""
    return all(
        section.get("ok", True) for section in readiness.values() if isinstance(section, dict)
    )


def is_ready(url: str, *, everything: bool = False) -> bool:
    """Whether the replica at ``url`` answers ``/readyz`` with 200 and, with
    ``everything``, names nothing down (a figure or a test wants it all running)."""
    import httpx  # Here, not above: the command line starts without it.

    try:
        answer = httpx.get(f"{url}/readyz", timeout=2)
    except httpx.HTTPError:
        return False
    return answer.status_code == 200 and (not everything or all_ok(answer.json()))


def wait_ready(
    url: str,
    process: subprocess.Popen[bytes],
    timeout: float,
    *,
    everything: bool = False,
    name: str = "the service",
) -> None:
    """Until ``is_ready``: ``RuntimeError`` if the process exits first,
    ``TimeoutError`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not is_ready(url, everything=everything):
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} not ready in {timeout:g} s")
        time.sleep(0.2)


def stop(processes: Iterable[subprocess.Popen[bytes]], timeout: float = 20) -> None:
    """SIGTERM to every one still running, as an orchestrator stops replicas; each has
    ``timeout`` seconds to exit before it is killed."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
