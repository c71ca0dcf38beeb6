"""What the views read: the read models, as of a business date and as known at a
record time. The adapters implement these over PostgreSQL; unit tests over lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from reporting.application.progress import CommitmentRow


class Row(Protocol):
    """A row by column name: a mapping, or a database record."""

    def __getitem__(self, key: str, /) -> Any: ...

    def __contains__(self, key: object, /) -> bool: ...

    def get(self, key: str, /) -> Any: ...


Rows = Sequence[Row]
Scope = Literal["plan_id", "commitment_id"]


class CommitmentsReader(Protocol):
    """Plans and commitments, with every value in force on ``as_of`` as recorded by
    ``known_at``."""

    async def plans(self, as_of: date, known_at: datetime) -> Rows: ...

    async def plan(self, plan_id: str, known_at: datetime, as_of: date | None = None) -> Row | None:
        """The plan recorded by ``known_at``; with ``as_of``, its ``sections`` are the
        tree in force that day (its latest revision by then), else the tree as created."""
        ...

    async def plan_revisions(self, plan_id: str, known_at: datetime) -> Rows:
        """Revision 0 (the plan as created) and each revision recorded by ``known_at``,
        in order: ``revision``, ``as_of``, ``reason``, ``sections``, ``moves``
        (``[{"commitment_id", "section"}]``), ``recorded_at``."""
        ...

    async def sections_made_in(self, plan_id: str, known_at: datetime) -> dict[str, str]:
        """Commitment id → the section it was made in."""
        ...

    async def public_plans(self) -> frozenset[str]:
        """The plans readable without a key, as an operator set them now."""
        ...

    async def plan_of(self, commitment_id: str) -> str | None: ...

    async def commitments(self, plan_id: str, as_of: date, known_at: datetime) -> Rows: ...

    async def progress_rows(
        self, plan_id: str, as_of: date, known_at: datetime
    ) -> list[CommitmentRow]: ...

    async def commitment(
        self, commitment_id: str, as_of: date, known_at: datetime
    ) -> Row | None: ...

    async def indicators(self, commitment_id: str, as_of: date, known_at: datetime) -> Rows: ...

    async def reports(self, commitment_id: str, as_of: date, known_at: datetime) -> Rows: ...

    async def milestones(self, commitment_id: str, as_of: date, known_at: datetime) -> Rows: ...

    async def timeline(self, commitment_id: str, as_of: date, known_at: datetime) -> Rows: ...

    async def party_commitments(self, party: str, as_of: date, known_at: datetime) -> Rows: ...

    async def measurements(self, commitment_id: str, as_of: date, known_at: datetime) -> Rows: ...

    async def plan_indicators(self, plan_id: str, known_at: datetime) -> Rows: ...

    async def plan_targets(self, plan_id: str, known_at: datetime) -> Rows:
        """Each shared target's ``code``, ``definition`` (as set) and ``first_set``."""

    async def plan_measurements(self, plan_id: str, as_of: date, known_at: datetime) -> Rows: ...

    async def plan_events(
        self,
        plan_id: str,
        occurred: tuple[datetime, datetime],
        recorded_after: datetime,
        known_at: datetime,
    ) -> Rows: ...

    async def plan_events_recorded(
        self, plan_id: str, recorded: tuple[datetime, datetime]
    ) -> Rows: ...

    async def status_by_day(self, plan_id: str, days: Sequence[date], known_at: datetime) -> Rows:
        """Rows of (``day``, ``status``, ``n``): the plan's commitments made by each
        day, by their status on it."""
        ...

    async def consumer_offsets(self, consumer: str) -> Rows: ...

    async def counts(self) -> dict[str, int]: ...


class FundingReader(Protocol):
    """Money: agreements, allocations, flows in force, targets, sources and rates."""

    async def flow_sums(
        self, scope: Scope, key: str, group: str | None, as_of: date, known_at: datetime
    ) -> Rows: ...

    async def flow_sums_by_party(self, plan_id: str, as_of: date, known_at: datetime) -> Rows: ...

    async def agreements(self, plan_id: str, as_of: date, known_at: datetime) -> Rows: ...

    async def allocation_sums(
        self, scope: Scope, key: str, group: str | None, as_of: date, known_at: datetime
    ) -> Rows: ...

    async def targets(self, scope: Scope, key: str, known_at: datetime) -> Rows: ...

    async def sources(self) -> Mapping[str, Row]: ...

    async def latest_rates(self, target: str, as_of: date, known_at: datetime) -> Rows: ...

    async def flows(self, commitment_id: str, as_of: date, known_at: datetime) -> Rows: ...

    async def plan_flows(self, plan_id: str, as_of: date, known_at: datetime) -> Rows:
        """The plan's flows in force (those its figures add up), each with
        ``recorded_at``, ``commitment_id``, ``section`` and the ``event_id`` that
        recorded it."""
        ...

    async def flow_sums_by_day(
        self, plan_id: str, days: Sequence[date], known_at: datetime
    ) -> Rows:
        """Rows of (``day``, ``currency``, pledged, committed, disbursed, spent): the
        plan's outgoing flows in force on each day, per currency."""
        ...


@dataclass(frozen=True, slots=True)
class Readers:
    """Both readers, over one consistent state of the read models."""

    commitments: CommitmentsReader
    funding: FundingReader


class EndOffsets(Protocol):
    """The consumer's view of the topics, for the status view."""

    name: str

    async def end_offsets(self) -> dict[tuple[str, int], int]: ...
