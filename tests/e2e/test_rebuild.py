"""./pactstream reporting rebuild and verify against the running platform."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import asyncpg

from shared.settings import ServiceSettings
from tests.e2e.platform import ROOT, Platform, poll
from tests.e2e.test_funding import agreement, post
from tests.e2e.test_slice import create_plan, make_commitment

POSTGRES = ServiceSettings().postgres_url.rstrip("/")


def reporting_command(
    platform: Platform, action: str, *options: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pactstream_cli", "reporting", action, *options],
        cwd=ROOT,
        env=platform.env("reporting"),
        capture_output=True,
        text=True,
        timeout=120,
    )


def snapshot(platform: Platform, plan_id: str, cid: str, known_at: str) -> list[object]:
    with platform.client("reporting") as c:
        return [
            c.get(f"/v1/plans/{plan_id}/progress", params={"as_of": "2016-06-30"}).json(),
            c.get(
                f"/v1/plans/{plan_id}/progress",
                params={"as_of": "2016-06-30", "known_at": known_at},
            ).json(),
            c.get(f"/v1/commitments/{cid}", params={"as_of": "2016-12-31"}).json(),
            c.get(f"/v1/plans/{plan_id}/funding", params={"as_of": "2018-12-31"}).json(),
        ]


def strip_known_at(views: list[object]) -> list[object]:
    def clean(value: object) -> object:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k != "known_at"}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return [clean(v) for v in views]


def indexes(platform: Platform) -> set[tuple[str, str]]:
    async def fetch() -> set[tuple[str, str]]:
        conn = await asyncpg.connect(f"{POSTGRES}/{platform.ref}_reporting")
        try:
            rows = await conn.fetch(
                "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            )
        finally:
            await conn.close()
        return {(r["tablename"], r["indexdef"]) for r in rows}

    return asyncio.run(fetch())


def test_rebuild_and_verify_reproduce_every_view_and_catch_tampering(platform: Platform) -> None:
    plan = create_plan(platform)
    cid = make_commitment(platform, plan["id"], section="1.1").json()["id"]
    with platform.client("commitments") as c:
        c.post(f"/v1/commitments/{cid}/status", json={"status": "launched", "as_of": "2016-03-01"})
        c.post(
            f"/v1/commitments/{cid}/progress", json={"as_of": "2016-05-01", "completion": "limited"}
        )
    edec = agreement(platform, plan["id"], section="1.1")
    post(
        platform,
        f"/v1/agreements/{edec['id']}/flows",
        {"type": "commitment", "amount": "100", "date": "2018-01-01", "commitment": cid},
    )
    with platform.client("reporting") as c:
        known_before_late_report = poll(
            lambda: c.get(f"/v1/commitments/{cid}").json(),
            lambda v: v.get("flows") and v.get("completion") == "limited",
        )["known_at"]
    with platform.client("commitments") as c:  # A late report for an earlier date.
        c.post(
            f"/v1/commitments/{cid}/progress",
            json={"as_of": "2016-04-01", "completion": "not_started"},
        )
    with platform.client("reporting") as c:
        poll(lambda: len(c.get(f"/v1/commitments/{cid}").json()["reports"]), lambda n: n == 2)

    before = snapshot(platform, plan["id"], cid, known_before_late_report)
    verified = reporting_command(platform, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "replayed in this process" in verified.stdout  # Too small for workers.

    async def tamper() -> None:
        conn = await asyncpg.connect(f"{POSTGRES}/{platform.ref}_reporting")
        try:
            await conn.execute(
                "UPDATE rm_commitments SET title = 'tampered' WHERE commitment_id = $1", cid
            )
        finally:
            await conn.close()

    asyncio.run(tamper())
    caught = reporting_command(platform, "verify", "--workers", "2")
    assert caught.returncode == 1
    assert "rm_commitments: 1 rows only in live, 1 only in rebuild" in caught.stdout
    assert "tampered" in caught.stdout

    indexed = indexes(platform)
    # Both topics have records: two worker processes, each replaying its partitions.
    rebuilt = reporting_command(platform, "rebuild", "--workers", "2")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "rebuilt (in 2 worker processes) and swapped in" in rebuilt.stdout
    # The shadow builds its secondary indexes after the bulk of the replay: the tables
    # swapped in must have every one the live tables had.
    assert indexes(platform) == indexed
    assert any("rm_measurements_idx" in definition for _, definition in indexed)
    after = snapshot(platform, plan["id"], cid, known_before_late_report)
    assert strip_known_at(after) == strip_known_at(before)
    assert after[1]["totals"] == before[1]["totals"]  # type: ignore[index]
    assert reporting_command(platform, "verify").returncode == 0
    assert reporting_command(platform, "drop-retired").returncode == 0

    with platform.client("commitments") as c:  # The live consumer carries on after a swap.
        c.post(f"/v1/commitments/{cid}/status", json={"status": "completed", "as_of": "2016-09-01"})
    with platform.client("reporting") as c:
        poll(lambda: c.get(f"/v1/commitments/{cid}").json()["status"], lambda s: s == "completed")
