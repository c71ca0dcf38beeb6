"""A party's scorecard: everything it committed to, across plans."""

from __future__ import annotations

from reporting.application.errors import NotFound
from reporting.application.funding import Ledger
from reporting.application.models import PartyCommitment, PlanTotals, ReportDates, Scorecard
from reporting.application.ports import Readers, Row
from reporting.application.progress import CommitmentRow, totals
from reporting.application.rows import summary_fields
from reporting.application.texts import fields
from reporting.application.views import deadline_class


def _row(r: Row) -> CommitmentRow:
    return CommitmentRow(
        section=r["section"],
        status=r["status"],
        priority=r["priority"],
        deadline_end=r["deadline_end"],
        recurrence=r.get("recurrence"),
        reported_on=r.get("reported_on"),
    )


async def scorecard(read: Readers, name: str, dates: ReportDates) -> Scorecard:
    """Totals by status, overdue, percent completed, by role and by plan, and the money
    on those commitments."""
    day, known = dates.as_of, dates.known_at
    records = await read.commitments.party_commitments(name, day, known)
    if not records:
        raise NotFound(f"no commitment names party {name!r}")
    by_role: dict[str, int] = {}
    by_plan: dict[str, list[Row]] = {}
    ledger = Ledger()
    commitments = []
    for r in records:
        for role in r["roles"] or []:
            by_role[role] = by_role.get(role, 0) + 1
        by_plan.setdefault(r["plan_id"], []).append(r)
        ledger.add_rows(
            await read.funding.flow_sums("commitment_id", r["commitment_id"], None, day, known),
            None,
        )
        found = deadline_class(r, day, 0)
        commitments.append(
            PartyCommitment(
                **summary_fields(r),
                plan=r["plan_id"],
                roles=r["roles"] or [],
                completion=r["completion"],
                overdue=found is not None and found[0] == "overdue",
            )
        )
    return Scorecard(
        party=name,
        as_of=day,
        known_at=known,
        totals=totals(map(_row, records), day),
        by_role=by_role,
        by_plan=[
            PlanTotals(
                id=plan_id,
                code=rows[0]["plan_code"],
                **fields(rows[0]["plan_title"], rows[0].get("plan_title_local")),
                language=rows[0]["plan_language"],
                totals=totals(map(_row, rows), day),
            )
            for plan_id, rows in by_plan.items()
        ],
        funding=ledger.by_currency(),
        commitments=commitments,
    )
