"""Scale-out: batch ingest and end-to-end latency with two replicas of commitments and
of reporting (funding stays one), beside the same figures with one replica each from
the same run. Batch clients are spread over the commitments replicas; the end-to-end
writes go to each in turn and the reads to each reporting replica in turn, at the
one-replica run's rate, so that the latencies compare. The full run also measures
batch ingest and the relay's lag with commitments' workers apart from its API."""

from __future__ import annotations

from pactstream_bench import http, lag
from pactstream_bench.common import Result, say
from pactstream_bench.services import Services

SUFFIX = "_2r"
APART = "_apart"


async def two_replicas(
    batches: int, rate_per_second: float, e2e: int, one: dict[str, float]
) -> list[Result]:
    """The two-replica figures and their ratios to the one-replica ones in ``one``."""
    say("scale-out: two replicas of commitments and of reporting")
    services = Services({"commitments": 2, "reporting": 2})
    services.start()
    try:
        results = [await http.http_batch(services, batches, suffix=SUFFIX)]
        await http.settle(services)
        results += await http.end_to_end(services, rate_per_second, e2e, suffix=SUFFIX)
        services.check_running()
    finally:
        services.stop()
        await services.remove_data()
    got = {r.name: r.value for r in results}
    for name in ("http_batch_eps", "e2e_p50_ms", "e2e_p99_ms"):
        if one.get(name):
            results.append(
                Result(f"scaleout_{name}_ratio", got[name + SUFFIX] / one[name], "× one replica")
            )
    return results


async def workers_apart(batches: int) -> list[Result]:
    """Batch ingest and the relay's lag with commitments' API in one replica, taking
    every request, and its relay in another, taking none: the relay's own lag, not
    the time it waits for an event loop the HTTP handlers hold."""
    say("workers apart: commitments' relay in a replica of its own")
    services = Services(workers_apart=("commitments",))
    services.start()
    try:
        results = [await http.http_batch(services, batches, suffix=APART)]
        await http.settle(services)
        results += await lag.relay_lag(services, batches, suffix=APART)
        services.check_running()
    finally:
        services.stop()
        await services.remove_data()
    return results
