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

import json
import random
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from pactstream_bench import curveshapes
from shared.eventstore.postgres_sql import COLUMN_NAMES

PLAN_SIZES: tuple[int, ...] = (10_000, 6_000, 4_000, 3_000, 2_000, 1_500, 1_000, 1_000, 800)
PLAN_SIZES += (600, 500, 400, 300, 250, 200, 150, 100, 100, 50, 50)
#: Structural events per commitment: made, launched (most), allocated (a fifth).
STRUCTURAL = 2.2
#: History events per business day.
PER_DAY = 3_500
START = date(2016, 1, 1)
PARTNER = "bench-partner"
SOURCE = "/bench/partner"
#: The history's mix: the share of each kind of event.
MIX = (("measurement", 0.85), ("report", 0.07), ("flow", 0.05), ("status", 0.03))
#: The columns COPY writes: all but the position, which the table assigns.
COLUMNS = COLUMN_NAMES[1:]
INBOUND_COLUMNS = ("source", "id", "type", "subject", "partner")
T = "org.pactstream."
NEXT_STATUS = {
    "planned": "launched",
    "launched": "completed",
    "suspended": "launched",
    "completed": None,
}

Row = tuple[str, int, uuid.UUID, str, int, str, str, datetime, datetime]
InboundRow = tuple[str, str, str, str, str]


def plan_sizes(first_total: int) -> list[int]:
    """The plans' sizes: the real ones while their structure is at most 40% of the first
    size measured, scaled down below that (a quick run's 100,000 events)."""
    scale = min(1.0, 0.4 * first_total / (STRUCTURAL * sum(PLAN_SIZES)))
    return [max(5, round(size * scale)) for size in PLAN_SIZES]


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass
class Batch:
    """Rows for the commitments and funding event stores and commitments' claims."""

    commitments: list[Row] = field(default_factory=list)
    funding: list[Row] = field(default_factory=list)
    inbound: list[InboundRow] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.commitments) + len(self.funding)


class Generator:
    """One data set, generated in increments: ``structure`` once, then ``history``
    for each size's remainder. Deterministic for a given ``run`` and ``seed``."""

    def __init__(self, run: str, first_total: int, seed: int = 24) -> None:
        self.run = run
        self.sizes = plan_sizes(first_total)
        self.plans = [f"{run}-p{p:02d}" for p in range(len(self.sizes))]
        self._rng = random.Random(seed)
        self._ids = 0
        self._seq = 0  # history events generated so far: business dates follow it
        self._versions: dict[str, int] = {}
        self.commitments: list[tuple[str, str, str]] = []  # (id, plan, section)
        self._status: list[str] = []
        self._meta = json.dumps({"partner": PARTNER})
        self._times: dict[date, tuple[datetime, datetime]] = {}
        self._prefix = uuid.uuid5(uuid.NAMESPACE_URL, run).int >> 64 << 64
        for plan, size in zip(self.plans, self.sizes, strict=True):
            self.commitments += [(f"{plan}-c{i}", plan, f"D{i % 10}") for i in range(size)]
        self._index = {cid: i for i, (cid, _, _) in enumerate(self.commitments)}

    def _row(self, stream: str, kind: str, data: Mapping[str, object] | str, day: date) -> Row:
        """A row of ``stream``'s next version; ``data`` as a dictionary or as JSON."""
        version = self._versions.get(stream, 0) + 1
        self._versions[stream] = version
        self._ids += 1
        event_id = uuid.UUID(int=self._prefix | self._ids)
        times = self._times.get(day)
        if times is None:
            times = self._times[day] = (_at(day), _at(day + timedelta(days=1)))
        payload = data if isinstance(data, str) else json.dumps(data)
        return (stream, version, event_id, T + kind, 1, payload, self._meta, *times)

    def _status_of(self, cid: str) -> str:
        return self._status[self._index[cid]]

    def largest_plan(self) -> str:
        return self.plans[0]

    def day(self) -> date:
        """The business date the history has reached."""
        return START + timedelta(days=self._seq // PER_DAY)

    def structure(self) -> Batch:
        return curveshapes.structure(self)

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
            batch.funding.append(curveshapes.flow(self, cid, plan, section, day))
            return
        following = NEXT_STATUS.get(self._status[i])
        if kind == "status" and following is not None:
            previous, self._status[i] = self._status[i], following
            batch.commitments.append(curveshapes.status(self, cid, plan, previous, day))
            return
        if kind == "status":
            kind = "measurement"  # A completed commitment changes no more; its data may.
        row = curveshapes.partner_event(self, cid, plan, kind, day)
        batch.commitments.append(row)
        batch.inbound.append((SOURCE, str(row[2]), row[3], cid, PARTNER))
