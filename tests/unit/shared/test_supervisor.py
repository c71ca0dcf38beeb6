"""A supervised worker that dies is restarted, and is reported down meanwhile."""

import asyncio

from shared.supervisor import Supervisor


async def test_a_failing_worker_is_reported_down_then_restarted() -> None:
    supervisor = Supervisor(max_backoff=0.3)
    runs = 0
    release = asyncio.Event()

    async def worker() -> None:
        nonlocal runs
        runs += 1
        if runs == 1:
            raise RuntimeError("lost the database")
        await release.wait()

    supervisor.start("consumer", worker)
    await asyncio.sleep(0.05)
    assert not supervisor.healthy
    assert supervisor.describe()["consumer"]["last_error"] == "RuntimeError: lost the database"
    for _ in range(50):
        if supervisor.healthy:
            break
        await asyncio.sleep(0.02)
    assert supervisor.healthy
    assert supervisor.describe()["consumer"]["restarts"] == 1
    await supervisor.stop()
    assert not supervisor.healthy


async def test_stopping_cancels_every_worker() -> None:
    supervisor = Supervisor()
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    supervisor.start("relay", forever)
    await started.wait()
    await supervisor.stop()
    assert supervisor.describe()["relay"]["running"] is False
