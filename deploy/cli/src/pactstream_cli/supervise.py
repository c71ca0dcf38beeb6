"""``./pactstream up`` as an init system: every process it knows of (PostgreSQL, the
Kafka nodes, the three services) is watched, and one that exits is started again
after a pause that grows while it keeps failing, the others running on meanwhile.
Only the operator stops it all (Ctrl-C or SIGTERM).

What it supervises is written to ``<state>/run/up.json`` at every change, for
``./pactstream infra status --json`` and for tests: name, pid, port, state
(``running``, ``restarting``, ``stopped``) and restarts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pactstream_cli.infra import alive, write_json

#: The first pause before a restart, and the longest.
BACKOFF_MIN = 0.5
BACKOFF_MAX = 15.0
#: A process that ran this long before exiting restarts after the shortest pause.
STABLE_SECONDS = 60.0


def say(message: str) -> None:
    print(f"pactstream: {message}", file=sys.stderr, flush=True)


@dataclass
class Child:
    """One supervised process.

    ``start`` launches it: a child process (a service, a Kafka node), or ``None`` for
    a server that detaches itself (PostgreSQL's ``pg_ctl start``); ``find_pid`` tells
    the pid of one that is not our child (started before ``up`` or detached).
    """

    name: str
    port: int | None
    start: Callable[[], subprocess.Popen[bytes] | None]
    find_pid: Callable[[], int | None] = lambda: None
    state: str = "stopped"
    restarts: int = 0
    process: subprocess.Popen[bytes] | None = None
    backoff: float = BACKOFF_MIN
    due: float = 0.0
    started_at: float = field(default_factory=time.monotonic)
    starting: Future[subprocess.Popen[bytes] | None] | None = None

    def pid(self) -> int | None:
        if self.process is not None:
            return self.process.pid if self.process.poll() is None else None
        pid = self.find_pid()
        return pid if pid is not None and alive(pid) else None

    def exit_status(self) -> str:
        code = None if self.process is None else self.process.returncode
        if code is None:
            return "exited"
        if code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exited with status {code}"

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pid": self.pid() if self.state == "running" else None,
            "port": self.port,
            "state": self.state,
            "restarts": self.restarts,
        }


class Supervisor:
    def __init__(self, children: list[Child], state_file: Path) -> None:
        self.children = children
        self.state_file = state_file
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="start")
        self._written: list[dict[str, Any]] | None = None

    def adopt(self, child: Child, process: subprocess.Popen[bytes] | None) -> None:
        """``child`` was started outside the supervisor (at ``up``'s start)."""
        child.process = process
        child.state = "running"
        child.started_at = time.monotonic()

    def tick(self) -> None:
        """One round: notice what exited, start what is due, record the state."""
        now = time.monotonic()
        for child in self.children:
            if child.state == "running" and child.pid() is None:
                ran = now - child.started_at
                if ran >= STABLE_SECONDS:
                    child.backoff = BACKOFF_MIN
                child.restarts += 1
                child.state = "restarting"
                child.due = now + child.backoff
                say(
                    f"{child.name} {child.exit_status()}; restart {child.restarts} "
                    f"in {child.backoff:.1f} s"
                )
                child.backoff = min(child.backoff * 2, BACKOFF_MAX)
            elif child.state == "restarting" and child.starting is None and now >= child.due:
                child.starting = self._pool.submit(child.start)
            elif child.starting is not None and child.starting.done():
                future, child.starting = child.starting, None
                try:
                    child.process = future.result()
                except BaseException as exc:  # A start that fails is tried again later.
                    child.due = time.monotonic() + child.backoff
                    say(f"{child.name} did not start ({exc}); next try in {child.backoff:.1f} s")
                    child.backoff = min(child.backoff * 2, BACKOFF_MAX)
                    continue
                child.state = "running"
                child.started_at = time.monotonic()
                say(f"{child.name} running again (pid {child.pid()})")
        self.record()

    def describe(self) -> list[dict[str, Any]]:
        return [child.describe() for child in self.children]

    def record(self) -> None:
        listed = self.describe()
        if listed != self._written:
            write_json(self.state_file, {"pid": os.getpid(), "processes": listed})
            self._written = listed

    def settle(self, timeout: float = 120.0) -> None:
        """Wait for the starts in flight and keep what they started, so that stopping
        leaves nothing behind (a start runs in a thread of its own)."""
        for child in self.children:
            if child.starting is None:
                continue
            try:
                child.process = child.starting.result(timeout)
            except Exception as exc:
                say(f"{child.name} did not start ({exc})")
            child.starting = None

    def stop(self, names: set[str], timeout: float = 35.0) -> None:
        """SIGTERM the child processes named, wait for them (SIGKILL after
        ``timeout``), and mark them stopped."""
        chosen = [c for c in self.children if c.name in names]
        for child in chosen:
            child.state = "stopped"
            if child.process is not None and child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in chosen:
            if child.process is None:
                continue
            try:
                child.process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        self.record()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.state_file.unlink(missing_ok=True)
