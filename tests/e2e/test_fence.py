"""A write transaction left open in reporting's database (as a rebuild, a migration
or a forgotten BEGIN would hold it) does not delay what reporting shows: only event
writers hold the relay back."""

from __future__ import annotations

import asyncio
import threading
import time

import asyncpg

from tests.e2e.platform import Platform, poll, settings_of
from tests.e2e.test_slice import create_plan, make_commitment


class Rollback(Exception):
    """Ends the held transaction without a trace."""


def test_a_write_held_open_in_reportings_database_delays_nothing(platform: Platform) -> None:
    plan = create_plan(platform)
    with platform.client("reporting") as c:
        poll(lambda: c.get(f"/v1/plans/{plan['id']}/progress").status_code, lambda s: s == 200)
    url = settings_of(platform.env("reporting")).database_url
    held, release = threading.Event(), threading.Event()

    async def hold() -> None:
        conn = await asyncpg.connect(url)
        try:
            async with conn.transaction():
                await conn.execute("CREATE TABLE held_open (n int)")
                await conn.execute("INSERT INTO held_open VALUES (1)")
                held.set()
                await asyncio.to_thread(release.wait)
                raise Rollback
        except Rollback:
            pass
        finally:
            await conn.close()

    holder = threading.Thread(target=lambda: asyncio.run(hold()))
    holder.start()
    try:
        assert held.wait(10)
        started = time.monotonic()
        made = make_commitment(platform, plan["id"])
        assert made.status_code == 201, made.text
        with platform.client("reporting") as c:
            poll(
                lambda: [r["id"] for r in c.get(f"/v1/plans/{plan['id']}/commitments").json()],
                lambda ids: made.json()["id"] in ids,
                timeout=5,
                interval=0.02,
            )
        shown_after = time.monotonic() - started
    finally:
        release.set()
        holder.join()
    print(f"shown in reporting {shown_after * 1000:.0f} ms after the POST")
    assert shown_after < 1.0
