"""What a visitor without a key may read: the reports of public plans, and nothing
else. A plan is private until an operator makes it public on commitments
(``PUT /v1/plans/{plan_id}/visibility``)."""

from __future__ import annotations

from typing import Literal

from reporting.application.ports import CommitmentsReader

#: What a route's path names: a plan, or a commitment (readable when its plan is).
Subject = Literal["plan_id", "commitment_id"]


async def open_to_visitors(reader: CommitmentsReader, subject: Subject, key: str) -> bool:
    """Whether the plan ``key`` names (or the plan of the commitment it names) is
    public now. An unknown plan or commitment is not: a visitor learns nothing about
    what exists."""
    public = await reader.public_plans()
    if not public:
        return False
    plan_id = key if subject == "plan_id" else await reader.plan_of(key)
    return plan_id in public
