"""Generated event histories for the cost curves, as rows to COPY into the services'
``events`` and ``inbound_events`` tables (no HTTP, no per-event validation: every row
is built from a template the contracts accept, which the unit tests check).

The shape is a real deployment's: 20 plans of very different sizes (the largest
10,000 commitments), each commitment made with a deadline, parties and an indicator,
most of them launched, a funding agreement per plan with allocations to a fifth of its
commitments. What grows with N is history: measurements and progress reports posted by
partners (each with its inbound claim), status changes, and money flows recorded in
funding. Business dates advance with the history, ``PER_DAY`` events a day, and each
event is known (recorded) the day after its business date."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from pactstream_bench import curveshapes
from pactstream_bench.curverows import PARTNER, Batch, Rows

PLAN_SIZES: tuple[int, ...] = (10_000, 6_000, 4_000, 3_000, 2_000, 1_500, 1_000, 1_000, 800)
PLAN_SIZES += (600, 500, 400, 300, 250, 200, 150, 100, 100, 50, 50)
#: Structural events per commitment: made, launched (most), allocated (a fifth).
STRUCTURAL = 2.2
#: History events per business day.
PER_DAY = 3_500
START = date(2016, 1, 1)
SOURCE = "/bench/partner"
#: The history's mix: the share of each kind of event.
MIX = (("measurement", 0.85), ("report", 0.07), ("flow", 0.05), ("status", 0.03))
NEXT_STATUS = {
    "planned": "launched",
    "launched": "completed",
    "suspended": "launched",
    "completed": None,
}


def plan_sizes(first_total: int) -> list[int]:
    """The plans' sizes: the real ones while their structure is at most 40% of the first
    size measured, scaled down below that (a quick run's 100,000 events)."""
    scale = min(1.0, 0.4 * first_total / (STRUCTURAL * sum(PLAN_SIZES)))
    return [max(5, round(size * scale)) for size in PLAN_SIZES]


class Generator:
    """One data set, generated in increments: ``structure`` once, then ``history``
    for each size's remainder. Deterministic for a given ``run`` and ``seed``."""

    def __init__(self, run: str, first_total: int, seed: int = 24) -> None:
        self.run = run
        self.sizes = plan_sizes(first_total)
        self.plans = [f"{run}-p{p:02d}" for p in range(len(self.sizes))]
        self._rng = random.Random(seed)
        self._rows = Rows(run)
        self._seq = 0  # history events generated so far: business dates follow it
        self.commitments: list[tuple[str, str, str]] = []  # (id, plan, section)
        self._status: list[str] = []  # each commitment's, as the history has left it
        for plan, size in zip(self.plans, self.sizes, strict=True):
            self.commitments += [(f"{plan}-c{i}", plan, f"D{i % 10}") for i in range(size)]

    def largest_plan(self) -> str:
        return self.plans[0]

    def day(self) -> date:
        """The business date the history has reached."""
        return START + timedelta(days=self._seq // PER_DAY)

    def structure(self) -> Batch:
        batch, self._status = curveshapes.structure(self._rows, self.plans, self.commitments)
        return batch

    def history(self, count: int, batch_size: int = 20_000) -> Iterator[Batch]:
        """``count`` events of the history's mix, in batches."""
        kinds = [k for k, _ in MIX]
        weights = [w for _, w in MIX]
        while count > 0:
            batch = Batch()
            n = min(batch_size, count)
            for kind in self._rng.choices(kinds, weights, k=n):
                self._one(batch, kind)
            count -= n
            yield batch

    def _one(self, batch: Batch, kind: str) -> None:
        self._seq += 1
        i = self._rng.randrange(len(self.commitments))
        cid, plan, section = self.commitments[i]
        day = self.day()
        if kind == "flow":
            batch.funding.append(curveshapes.flow(self._rows, cid, plan, section, day))
            return
        following = NEXT_STATUS.get(self._status[i])
        if kind == "status" and following is not None:
            change = (self._status[i], following)
            self._status[i] = following
            batch.commitments.append(curveshapes.status(self._rows, cid, plan, change, day))
            return
        if kind == "status":
            kind = "measurement"  # A completed commitment changes no more; its data may.
        row = curveshapes.partner_event(self._rows, cid, plan, kind, day)
        batch.commitments.append(row)
        batch.inbound.append((SOURCE, str(row[2]), row[3], cid, PARTNER))
