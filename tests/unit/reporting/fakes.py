"""Readers over rows held in memory: the views' logic without a database. A fake
answers with the rows it was given, as if the database had already applied the dates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from reporting.application.ports import Readers, Row, Rows
from reporting.application.progress import CommitmentRow


@dataclass
class FakeCommitments:
    plan_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    commitment_rows: list[dict[str, Any]] = field(default_factory=list)
    indicator_rows: list[dict[str, Any]] = field(default_factory=list)
    measurement_rows: list[dict[str, Any]] = field(default_factory=list)
    offsets: list[dict[str, Any]] = field(default_factory=list)
    #: Rows of (day, status, n), as the database would count them per day.
    status_days: list[dict[str, Any]] = field(default_factory=list)
    timeline_rows: list[dict[str, Any]] = field(default_factory=list)
    #: A plan's events, as ``plan_events`` and ``plan_events_recorded`` would select them.
    event_rows: list[dict[str, Any]] = field(default_factory=list)
    #: A plan's revisions as ``plan_revisions`` would select them (with ``plan_id``).
    revision_rows: list[dict[str, Any]] = field(default_factory=list)

    async def plans(self, as_of: date, known_at: datetime) -> Rows:
        return [{"public": False, **r} for r in self.plan_rows.values()]

    async def plan(self, plan_id: str, known_at: datetime, as_of: date | None = None) -> Row | None:
        return self.plan_rows.get(plan_id)

    async def plan_revisions(self, plan_id: str, known_at: datetime) -> Rows:
        return [r for r in self.revision_rows if r["plan_id"] == plan_id]

    async def sections_made_in(self, plan_id: str, known_at: datetime) -> dict[str, str]:
        return {c["commitment_id"]: c["section"] for c in self._of_plan(plan_id)}

    async def public_plans(self) -> frozenset[str]:
        return frozenset(k for k, r in self.plan_rows.items() if r.get("public"))

    async def plan_of(self, commitment_id: str) -> str | None:
        found = [c["plan_id"] for c in self.commitment_rows if c["commitment_id"] == commitment_id]
        return found[0] if found else None

    def _of_plan(self, plan_id: str) -> list[dict[str, Any]]:
        return [c for c in self.commitment_rows if c["plan_id"] == plan_id]

    async def commitments(self, plan_id: str, as_of: date, known_at: datetime) -> Rows:
        return self._of_plan(plan_id)

    async def progress_rows(
        self, plan_id: str, as_of: date, known_at: datetime
    ) -> list[CommitmentRow]:
        return [
            CommitmentRow(c["section"], c["status"], c["priority"], None)
            for c in self._of_plan(plan_id)
        ]

    async def commitment(self, commitment_id: str, as_of: date, known_at: datetime) -> Row | None:
        return next((c for c in self.commitment_rows if c["commitment_id"] == commitment_id), None)

    async def indicators(self, commitment_id: str, as_of: date, known_at: datetime) -> Rows:
        return [i for i in self.indicator_rows if i["commitment_id"] == commitment_id]

    async def reports(self, commitment_id: str, as_of: date, known_at: datetime) -> Rows:
        return []

    async def milestones(self, commitment_id: str, as_of: date, known_at: datetime) -> Rows:
        return []

    async def timeline(self, commitment_id: str, as_of: date, known_at: datetime) -> Rows:
        return [t for t in self.timeline_rows if t["commitment_id"] == commitment_id]

    async def party_commitments(self, party: str, as_of: date, known_at: datetime) -> Rows:
        found = []
        for c in self.commitment_rows:
            roles = [p["role"] for p in c["parties"] if p["name"] == party]
            if roles:
                plan = self.plan_rows[c["plan_id"]]
                found.append(
                    {
                        **c,
                        "roles": roles,
                        "plan_code": plan["code"],
                        "plan_title": plan["title"],
                        "plan_language": plan["language"],
                    }
                )
        return found

    async def measurements(self, commitment_id: str, as_of: date, known_at: datetime) -> Rows:
        return [m for m in self.measurement_rows if m["commitment_id"] == commitment_id]

    async def plan_indicators(self, plan_id: str, known_at: datetime) -> Rows:
        return []

    async def plan_targets(self, plan_id: str, known_at: datetime) -> Rows:
        return []

    async def plan_measurements(self, plan_id: str, as_of: date, known_at: datetime) -> Rows:
        return []

    async def plan_events(
        self,
        plan_id: str,
        occurred: tuple[datetime, datetime],
        recorded_after: datetime,
        known_at: datetime,
    ) -> Rows:
        return sorted(self.event_rows, key=lambda r: (r["occurred_at"], r["recorded_at"]))

    async def plan_events_recorded(self, plan_id: str, recorded: tuple[datetime, datetime]) -> Rows:
        return sorted(self.event_rows, key=lambda r: (r["recorded_at"], r["occurred_at"]))

    async def status_by_day(self, plan_id: str, days: Sequence[date], known_at: datetime) -> Rows:
        return [r for r in self.status_days if r["day"] in days]

    async def consumer_offsets(self, consumer: str) -> Rows:
        return self.offsets

    async def counts(self) -> dict[str, int]:
        return {"plans": len(self.plan_rows), "commitments": len(self.commitment_rows)}


@dataclass
class FakeFunding:
    sums: list[dict[str, Any]] = field(default_factory=list)
    agreement_rows: list[dict[str, Any]] = field(default_factory=list)
    source_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Rows of (day, currency, pledged, committed, disbursed, spent).
    money_days: list[dict[str, Any]] = field(default_factory=list)
    #: Flows in force, as ``plan_flows`` would read them.
    flow_rows: list[dict[str, Any]] = field(default_factory=list)

    async def flow_sums(
        self, scope: str, key: str, group: str | None, as_of: date, known_at: datetime
    ) -> Rows:
        return [
            {**s, "grp": s.get(group or "")}
            for s in self.sums
            if s[scope] == key and (group is None or s.get(group))
        ]

    async def flow_sums_by_party(self, plan_id: str, as_of: date, known_at: datetime) -> Rows:
        return []

    async def agreements(self, plan_id: str, as_of: date, known_at: datetime) -> Rows:
        return self.agreement_rows

    async def allocation_sums(
        self, scope: str, key: str, group: str | None, as_of: date, known_at: datetime
    ) -> Rows:
        return []

    async def targets(self, scope: str, key: str, known_at: datetime) -> Rows:
        return []

    async def sources(self) -> Mapping[str, Row]:
        return self.source_rows

    async def latest_rates(self, target: str, as_of: date, known_at: datetime) -> Rows:
        return []

    async def flows(self, commitment_id: str, as_of: date, known_at: datetime) -> Rows:
        return [f for f in self.flow_rows if f["commitment_id"] == commitment_id]

    async def plan_flows(self, plan_id: str, as_of: date, known_at: datetime) -> Rows:
        return [f for f in self.flow_rows if f["plan_id"] == plan_id]

    async def flow_sums_by_day(
        self, plan_id: str, days: Sequence[date], known_at: datetime
    ) -> Rows:
        return [r for r in self.money_days if r["day"] in days]


def readers(commitments: FakeCommitments, funding: FakeFunding | None = None) -> Readers:
    return Readers(commitments=commitments, funding=funding or FakeFunding())
