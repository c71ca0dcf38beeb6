"""From read-model rows to the parts every view shares."""

from __future__ import annotations

from typing import Any

from reporting.application.errors import NotFound
from reporting.application.models import PlanHead, ReportDates
from reporting.application.ports import CommitmentsReader, Row
from reporting.application.texts import fields


def plan_head(plan: Row) -> PlanHead:
    return PlanHead(
        id=plan["plan_id"],
        code=plan["code"],
        **fields(plan["title"], plan.get("title_local")),
        language=plan["language"],
        period=plan["period"],
    )


def summary_fields(row: Row) -> dict[str, Any]:
    """The fields of :class:`models.CommitmentSummary` from an effective-commitment row."""
    return {
        "id": row["commitment_id"],
        "code": row["code"],
        "section": row["section"],
        **fields(row["title"], row.get("title_local")),
        "status": row["status"],
        "priority": row["priority"],
        "deadline": row["deadline"],
        "parties": row["parties"],
    }


async def existing_plan(reader: CommitmentsReader, plan_id: str, dates: ReportDates) -> Row:
    plan = await reader.plan(plan_id, dates.known_at, dates.as_of)
    if plan is None:
        raise NotFound(f"no plan {plan_id!r} (yet) in reporting")
    return plan
