"""Supervised background workers: restarted with backoff when they fail, and visible.

A worker that is down (crashed and waiting for its restart) shows in ``/readyz``'s body
(``describe``) and in ``pactstream_worker_up``, so a dead relay or consumer never goes
unseen behind a healthy web API; it does not make the service unready, which would take
a replica that can still serve out of its load balancer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from shared.observability import Metrics

log = logging.getLogger(__name__)


@dataclass
class WorkerState:
    name: str
    running: bool = False
    restarts: int = 0
    last_error: str | None = None
    last_failure_at: float | None = None


@dataclass
class Supervisor:
    metrics: Metrics | None = None
    max_backoff: float = 5.0
    states: dict[str, WorkerState] = field(default_factory=dict)
    _tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _stops: list[Callable[[], None]] = field(default_factory=list)
    _stopping: bool = False

    def start(
        self,
        name: str,
        factory: Callable[[], Awaitable[None]],
        stop: Callable[[], None] | None = None,
    ) -> None:
        """Run ``factory`` until stopped; ``stop`` asks it to finish its current unit of
        work and return (a graceful shutdown), before it is cancelled."""
        state = WorkerState(name)
        self.states[name] = state
        if stop is not None:
            self._stops.append(stop)
        self._tasks[name] = asyncio.create_task(self._supervise(state, factory), name=name)

    async def _supervise(self, state: WorkerState, factory: Callable[[], Awaitable[None]]) -> None:
        backoff = 0.2
        while True:
            state.running = True
            self._gauge(state)
            started = time.monotonic()
            try:
                await factory()
                if self._stopping:
                    state.running = False
                    self._gauge(state)
                    return
                log.warning("worker %s returned; restarting", state.name)
                state.last_error = "returned"
            except asyncio.CancelledError:
                state.running = False
                self._gauge(state)
                raise
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                if error == state.last_error:  # The same again (a server still down).
                    log.warning("worker %s failed again: %s", state.name, error)
                else:
                    log.exception("worker %s failed", state.name)
                state.last_error = error
            state.running = False
            state.restarts += 1
            state.last_failure_at = time.time()
            self._gauge(state)
            if time.monotonic() - started > 30:
                backoff = 0.2
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)

    def _gauge(self, state: WorkerState) -> None:
        if self.metrics is not None:
            self.metrics.worker_up(self.metrics.service, state.name).set(1 if state.running else 0)

    @property
    def healthy(self) -> bool:
        return all(s.running for s in self.states.values())

    def describe(self) -> dict[str, dict[str, object]]:
        return {
            name: {"running": s.running, "restarts": s.restarts, "last_error": s.last_error}
            for name, s in self.states.items()
        }

    async def stop(self, grace_seconds: float = 8.0) -> None:
        """Ask every worker to finish what it is doing, wait up to ``grace_seconds``,
        then cancel what is left."""
        self._stopping = True
        for request_stop in self._stops:
            request_stop()
        tasks = list(self._tasks.values())
        if tasks and self._stops:
            await asyncio.wait(tasks, timeout=grace_seconds)
        for task in tasks:
            task.cancel()
        if tasks:  # Unwinding a cancelled worker takes a moment; never forever.
            await asyncio.wait(tasks, timeout=2)
        self._tasks.clear()
