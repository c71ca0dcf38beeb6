"""``./pactstream bench [--quick]``: every figure, its peer in the same run, the goals,
written to ``bench/results.json`` and ``bench/results.md``."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import platform
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pactstream_bench import curves, http, lag, peers, relay, scaleout, store, svgplot, warmup
from pactstream_bench.common import Result, say
from pactstream_bench.services import ROOT, Services
from shared import process


@dataclass(frozen=True)
class Sizes:
    appends: int
    concurrent: int
    relayed: int
    http_seconds: int
    batches: int
    e2e: int
    #: Stored events at each point of the cost curves, ascending.
    curves: tuple[int, ...]
    #: Timed requests of each query at each point.
    curve_samples: int
    #: Whether to measure the relay's lag with commitments' workers apart from its API.
    workers_apart: bool = False


QUICK = Sizes(
    appends=100_000,
    concurrent=16_000,
    relayed=100_000,
    http_seconds=10,
    batches=400,
    e2e=2_000,
    curves=(100_000, 300_000),
    curve_samples=20,
)
FULL = Sizes(
    appends=200_000,
    concurrent=32_000,
    relayed=200_000,
    http_seconds=30,
    batches=400,
    e2e=2_000,
    curves=(1_000_000, 3_000_000, 10_000_000),
    curve_samples=50,
    workers_apart=True,
)


#: Seconds of the platform's Kafka traffic, untimed, before anything is timed: a fresh
#: broker's CPU per ingested event fell from 37-41 to 10-12 µs over its first 80-90 s of
#: batch ingest; after these 30 s it cost 15-20 µs, then 12-16 (:mod:`.warmup`). Every
#: run warms up, since how long a broker has been up says nothing of the traffic it has
#: served (one started by `infra start` just before the bench halved the raw producer's
#: figure and made the relay's goal pass on a cold peer).
BROKER_WARMUP_SECONDS = 30


def machine() -> dict[str, object]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024**2, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": pg,
        "kafka": "3.9.1 (KRaft, single broker)",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


Goal = tuple[str, Callable[[dict[str, float]], bool], str]
#: Issue 24's goals that this harness measures: ratios within one run, absolute figures
#: for this 2-core machine. The rebuild and query goals are taken at the cost curves'
#: largest size (ten million in the full run).
GOALS: list[Goal] = [
    (
        "batched append ≥ 75% of raw COPY",
        lambda r: r["append_batched_eps"] >= 0.75 * r["copy_raw_rps"],
        "append_batched_eps",
    ),
    (
        "batched append ahead of eventsourcing",
        lambda r: r["append_batched_eps"] > r["eventsourcing_eps"],
        "append_batched_eps",
    ),
    (
        "append ahead of eventsourcing with 16 concurrent writers",
        lambda r: r["append_concurrent_eps"] > r["eventsourcing_concurrent_eps"],
        "append_concurrent_eps",
    ),
    (
        "single POST ≥ 50% of the minimal durable endpoint",
        lambda r: r["http_single_rps"] >= 0.5 * r["fastapi_durable_rps"],
        "http_single_rps",
    ),
    (
        "relay ≥ 5× batch ingest",
        lambda r: r["relay_eps"] >= 5 * r["http_batch_eps"],
        "relay_eps",
    ),
    (
        "relay lag p99 < 50 ms during full-speed batch ingest",
        lambda r: r["relay_lag_p99_ms"] < 50,
        "relay_lag_p99_ms",
    ),
    ("batch ingest ≥ 15,000 events/s", lambda r: r["http_batch_eps"] >= 15_000, "http_batch_eps"),
    ("end to end p50 < 20 ms", lambda r: r["e2e_p50_ms"] < 20, "e2e_p50_ms"),
    ("end to end p99 < 100 ms", lambda r: r["e2e_p99_ms"] < 100, "e2e_p99_ms"),
    ("rebuild ≥ 40,000 events/s", lambda r: r["rebuild_eps"] >= 40_000, "rebuild_eps"),
    ("progress p99 < 50 ms", lambda r: r["progress_p99_ms"] < 50, "progress_p99_ms"),
    ("as-of p99 < 200 ms", lambda r: r["asof_p99_ms"] < 200, "asof_p99_ms"),
    ("as-known-at p99 < 200 ms", lambda r: r["known_at_p99_ms"] < 200, "known_at_p99_ms"),
    ("commitments < 150 MB", lambda r: r["rss_mb_commitments"] < 150, "rss_mb_commitments"),
    ("funding < 150 MB", lambda r: r["rss_mb_funding"] < 150, "rss_mb_funding"),
    ("reporting < 150 MB", lambda r: r["rss_mb_reporting"] < 150, "rss_mb_reporting"),
]


async def _warm_broker() -> None:
    say(f"warming the broker up: {BROKER_WARMUP_SECONDS} s of the platform's Kafka traffic")
    await warmup.warm_broker(BROKER_WARMUP_SECONDS)


async def _platform(services: Services, sizes: Sizes, keep: Callable[[Result], None]) -> float:
    """The figures of the running services, every one taken with all three up; the
    end-to-end rate used, for the two-replica run to use too."""
    single = await asyncio.to_thread(http.http_single, services, sizes.http_seconds)
    keep(single)
    keep(await http.http_latency(services))
    keep(await http.http_batch(services, sizes.batches))
    await http.settle(services)
    for r in await lag.relay_lag(services, sizes.batches):
        keep(r)
    rate = max(5.0, single.value / 2)
    await http.settle(services)
    for r in await http.end_to_end(services, rate, min(sizes.e2e, int(rate * 20))):
        keep(r)
    services.check_running()
    return rate


async def _contenders(sizes: Sizes, keep: Callable[[Result], None]) -> None:
    """The event store, the relay and the HTTP peers, each beside its limit or peer."""
    keep(await store.append_batched(sizes.appends))
    keep(await store.copy_raw(sizes.appends))
    keep(await store.eventsourcing_peer(sizes.appends))
    keep(await store.append_concurrent(sizes.concurrent))
    keep(await store.eventsourcing_concurrent(sizes.concurrent))
    keep(await relay.relay(sizes.relayed))
    keep(await relay.aiokafka_raw(sizes.relayed))
    keep(await relay.aiokafka_send(sizes.relayed))
    keep(await asyncio.to_thread(peers.fastapi_bare, sizes.http_seconds))
    keep(await peers.fastapi_durable(sizes.http_seconds))


async def _services(sizes: Sizes, keep: Callable[[Result], None]) -> tuple[float, dict[str, int]]:
    """The platform's figures with one replica of each service: the end-to-end rate
    used and each service's peak RSS."""
    services = Services()
    services.start()
    try:
        with services.memory_sampled():
            e2e_rate = await _platform(services, sizes, keep)
    finally:
        services.stop()
        await services.remove_data()
    return e2e_rate, services.peak_rss


async def measure(sizes: Sizes) -> tuple[list[Result], list[curves.Point]]:
    # The settings of the processes measured (the relay and the rebuild run here, as
    # they do in a service replica and in `./pactstream reporting rebuild`); their
    # peers in this process run under the same.
    process.tune_garbage_collector()
    results: list[Result] = []
    started = time.monotonic()

    def keep(result: Result) -> None:
        say(
            f"{result.name} = {result.value:,.1f} {result.unit} ({time.monotonic() - started:.0f} s)"
        )
        results.append(result)

    await _warm_broker()
    await _contenders(sizes, keep)
    e2e_rate, peak_rss = await _services(sizes, keep)
    one = {r.name: r.value for r in results}
    e2e = min(sizes.e2e, int(e2e_rate * 20))
    for r in await scaleout.two_replicas(sizes.batches, e2e_rate, e2e, one):
        keep(r)
    if sizes.workers_apart:
        for r in await scaleout.workers_apart(sizes.batches):
            keep(r)
    say(f"cost curves at {', '.join(f'{n:,}' for n in sizes.curves)} stored events")
    points = await curves.measure(list(sizes.curves), sizes.curve_samples)
    for r in curves.results(points[-1]):
        keep(r)
    for service in ("commitments", "funding", "reporting"):
        peak = max(peak_rss.get(service, 0) / 1024**2, points[-1].figures[f"rss_mb_{service}"])
        keep(Result(f"rss_mb_{service}", peak, "MB"))
    return results, points


def write(results: list[Result], points: list[curves.Point], quick: bool) -> bool:
    figures = {r.name: r.value for r in results}
    goals = [(text, check(figures), figure) for text, check, figure in GOALS]
    about = machine()
    doc = {
        "machine": about,
        "mode": "quick" if quick else "full",
        "results": [r.as_json() for r in results],
        "curves": [p.as_json() for p in points],
        "goals": [{"goal": t, "met": ok, "figure": f} for t, ok, f in goals],
    }
    out = ROOT / "bench"
    (out / "results.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    title = f"Cost curves ({doc['mode']} run, {about['date']}, {about['cores']} cores)"
    svg = svgplot.render(curves.FIGURES, [(p.events, p.figures) for p in points], title)
    (out / "curves.svg").write_text(svg)
    lines = [
        f"Run `{doc['mode']}` on {about['cores']} cores ({about['cpu']}), {about['date']}.",
        "",
        "| figure | value | unit | n |",
        "|---|---:|---|---:|",
    ]
    lines += [f"| `{r.name}` | {r.value:,.1f} | {r.unit} | {r.n or ''} |" for r in results]
    lines += _curve_table(points)
    lines += ["", "| goal | met |", "|---|---|"]
    lines += [f"| {t} | {'yes' if ok else '**no**'} |" for t, ok, _ in goals]
    (out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return all(ok for _, ok, _ in goals)


def _curve_table(points: list[curves.Point]) -> list[str]:
    """The cost curves as a table: a row per figure, a column per size."""
    lines = ["", "| cost curve | " + " | ".join(f"{p.events:,}" for p in points) + " |"]
    lines.append("|---|" + "---:|" * len(points))
    for name, unit in curves.FIGURES:
        cells = " | ".join(f"{p.figures.get(name, 0):,.1f}" for p in points)
        lines.append(f"| `{name}` ({unit}) | {cells} |")
    cells = " | ".join(f"{p.seconds.get('total', 0):,.0f}" for p in points)
    lines.append(f"| seconds to measure | {cells} |")
    return lines


def main(quick: bool, curve_sizes: list[int] | None = None) -> int:
    """Measure, write the results, and say whether every goal held; ``curve_sizes``
    replaces the mode's cost-curve sizes."""
    sizes = QUICK if quick else FULL
    if curve_sizes:
        sizes = dataclasses.replace(sizes, curves=tuple(sorted(curve_sizes)))
    started = time.monotonic()
    results, points = asyncio.run(measure(sizes))
    say(f"measured in {time.monotonic() - started:.0f} s")
    met = write(results, points, quick)
    return 0 if met else 1
