"""The rows the cost curves COPY into the services' ``events`` and ``inbound_events``
tables, and what numbers them: each stream's next version, each event's id, and the
record time a business date is known at (the day after it)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from shared.eventstore.postgres_sql import COLUMN_NAMES

PARTNER = "bench-partner"
#: The columns COPY writes: all but the position, which the table assigns.
COLUMNS = COLUMN_NAMES[1:]
INBOUND_COLUMNS = ("source", "id", "type", "subject", "partner")
T = "org.pactstream."

Row = tuple[str, int, uuid.UUID, str, int, str, str, datetime, datetime]
InboundRow = tuple[str, str, str, str, str]


@dataclass
class Batch:
    """Rows for the commitments and funding event stores and commitments' claims."""

    commitments: list[Row] = field(default_factory=list)
    funding: list[Row] = field(default_factory=list)
    inbound: list[InboundRow] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.commitments) + len(self.funding)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class Rows:
    """Event rows of one data set: ids unique to ``run``, streams numbered from 1."""

    def __init__(self, run: str) -> None:
        self.run = run
        self.made = 0  # rows made so far; ids and the shapes' variety follow it
        self._versions: dict[str, int] = {}
        self._meta = json.dumps({"partner": PARTNER})
        self._times: dict[date, tuple[datetime, datetime]] = {}
        self._prefix = uuid.uuid5(uuid.NAMESPACE_URL, run).int >> 64 << 64

    def row(self, stream: str, kind: str, data: Mapping[str, object] | str, day: date) -> Row:
        """A row of ``stream``'s next version; ``data`` as a dictionary or as JSON."""
        version = self._versions.get(stream, 0) + 1
        self._versions[stream] = version
        self.made += 1
        event_id = uuid.UUID(int=self._prefix | self.made)
        times = self._times.get(day)
        if times is None:
            times = self._times[day] = (_at(day), _at(day + timedelta(days=1)))
        payload = data if isinstance(data, str) else json.dumps(data)
        return (stream, version, event_id, T + kind, 1, payload, self._meta, *times)
