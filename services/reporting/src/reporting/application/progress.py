"""The progress tree: totals per section, each including its sub-sections. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from reporting.application.models import SectionProgress, Totals
from reporting.application.texts import fields

STATUSES: Final = ("planned", "launched", "completed", "suspended", "cancelled")
CLOSED: Final = frozenset({"completed", "cancelled"})


@dataclass(frozen=True, slots=True)
class CommitmentRow:
    """A commitment as it stood on the report's dates."""

    commitment_id: str
    section: str
    status: str
    priority: bool
    deadline_end: date | None


def is_overdue(row: CommitmentRow, as_of: date) -> bool:
    """Past its deadline's end on ``as_of`` and neither completed nor cancelled."""
    return row.deadline_end is not None and row.deadline_end < as_of and row.status not in CLOSED


def totals(rows: Iterable[CommitmentRow], as_of: date) -> Totals:
    by_status = dict.fromkeys(STATUSES, 0)
    count = priority = overdue = 0
    for row in rows:
        count += 1
        priority += row.priority
        by_status[row.status] = by_status.get(row.status, 0) + 1
        overdue += is_overdue(row, as_of)
    pct = round(100.0 * by_status["completed"] / count, 1) if count else 0.0
    return Totals(
        commitments=count,
        priority=priority,
        by_status=by_status,
        overdue=overdue,
        completed_pct=pct,
    )


def progress_tree(
    sections: Sequence[Mapping[str, Any]], rows: Sequence[CommitmentRow], as_of: date
) -> tuple[Totals, list[SectionProgress]]:
    """Plan totals and the nested section list, in the plan's section order.

    A commitment under a section code the plan does not know still counts in the plan
    totals, so the totals never silently lose one.
    """
    children: dict[str | None, list[Mapping[str, Any]]] = {}
    known = {s["code"] for s in sections}
    for s in sections:
        parent = s.get("parent") if s.get("parent") in known else None
        children.setdefault(parent, []).append(s)
    by_section: dict[str, list[CommitmentRow]] = {}
    for row in rows:
        by_section.setdefault(row.section, []).append(row)

    def build(section: Mapping[str, Any]) -> tuple[SectionProgress, list[CommitmentRow]]:
        subs = [build(child) for child in children.get(section["code"], [])]
        mine = list(by_section.get(section["code"], []))
        for _, sub_rows in subs:
            mine.extend(sub_rows)
        node = SectionProgress(
            code=section["code"],
            **fields(section["title"]),
            kind=section.get("kind"),
            totals=totals(mine, as_of),
            sections=[n for n, _ in subs],
        )
        return node, mine

    tree = [build(s)[0] for s in children.get(None, [])]
    return totals(rows, as_of), tree
