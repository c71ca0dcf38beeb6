"""The HTTP peers of the platform's single POST, under the same ``wrk`` load: a bare
FastAPI endpoint that touches no disk (the ceiling of a JSON POST here), and the
minimal durable endpoint a user would write instead (:mod:`pactstream_bench.durable`)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import httpx

from pactstream_bench.common import Result, scratch_database
from pactstream_bench.http import wrk
from pactstream_cli.replicas import free_port


def _served(module: str, args: list[str], ready: str, path: str, seconds: int) -> float:
    """Requests per second of ``module`` served on a free port, once ``ready`` answers."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", module, str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}{ready}", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        return wrk(f"http://127.0.0.1:{port}", path, seconds)
    finally:
        server.terminate()
        server.wait()


def fastapi_bare(seconds: int) -> Result:
    rps = _served("pactstream_bench.bare", [], "/docs", "/echo", seconds)
    return Result("fastapi_bare_rps", rps, "requests/s")


async def fastapi_durable(seconds: int) -> Result:
    """Validate the commitment body and insert one row per request: what the platform's
    single POST (``http_single_rps``) is held against."""
    async with scratch_database("bench_durable_") as (url, _):
        rps = await asyncio.to_thread(
            _served,
            "pactstream_bench.durable",
            [url],
            "/healthz",
            "/v1/plans/bench/commitments",
            seconds,
        )
    return Result("fastapi_durable_rps", rps, "requests/s")
