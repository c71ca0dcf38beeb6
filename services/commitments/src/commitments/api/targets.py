"""Routes for a plan's shared targets: ``POST`` sets one (by code), ``GET`` lists the
definitions; reporting computes where each stands (``GET /v1/plans/{id}/targets``
there)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, BeforeValidator, Field

from commitments.api.dependencies import Metadata, Reader, Writer
from commitments.api.local_text import local, shown
from commitments.api.schemas import Body, Code, DecimalText, Text
from commitments.application.targets import PlanTargets
from commitments.domain.targets import SetTarget
from shared.contracts.commitments import PlanTargetSet, TargetSourceData
from shared.http.languages import Languages
from shared.http.problems import problem_responses

router = APIRouter(prefix="/v1", tags=["targets"])

#: ``≤`` and ``≥`` as plans write them, besides ``<=`` and ``>=``.
_WRITTEN = {"≤": "<=", "≥": ">=", "=<": "<=", "=>": ">="}


def _comparison(value: Any) -> Any:
    return _WRITTEN.get(value, value) if isinstance(value, str) else value


class ThresholdIn(Body):
    comparison: Annotated[Literal["<", "<=", ">=", ">"], BeforeValidator(_comparison)] = Field(
        default=">=", description="How the combined value must compare with `value`."
    )
    value: DecimalText
    by: dt.date | None = None


class SourceIn(Body):
    commitment: Annotated[str, Field(min_length=1, max_length=64)]
    indicator: Code
    weight: DecimalText | None = Field(
        default=None, description="For a weighted mean: this source's fixed base."
    )
    weight_indicator: Code | None = Field(
        default=None,
        description="For a weighted mean: the commitment's indicator whose latest value "
        "is this source's base.",
    )


class TargetIn(Body):
    code: Code
    title: Text
    unit: Annotated[str, Field(min_length=1, max_length=40)]
    aggregation: Literal["sum", "weighted_mean", "latest"]
    target: ThresholdIn
    sources: list[SourceIn] = Field(min_length=1, max_length=500)


class TargetOut(BaseModel):
    code: str
    title: str
    titles: dict[str, str] | None = None
    unit: str
    aggregation: str
    target: ThresholdIn
    sources: list[SourceIn]


class TargetsOut(BaseModel):
    plan: str
    version: int
    targets: list[TargetOut]


async def get_targets(request: Request) -> PlanTargets:
    targets: PlanTargets = request.app.state.targets
    return targets


Targets = Annotated[PlanTargets, Depends(get_targets)]


def target_out(t: PlanTargetSet, languages: Sequence[str]) -> TargetOut:
    return TargetOut(
        code=t.code,
        **shown(t.title, languages),
        unit=t.unit,
        aggregation=t.aggregation,
        target=ThresholdIn(comparison=t.comparison, value=t.value, by=t.by),
        sources=[
            SourceIn(
                commitment=s.commitment_id,
                indicator=s.indicator,
                weight=s.weight,
                weight_indicator=s.weight_indicator,
            )
            for s in t.sources
        ],
    )


@router.post(
    "/plans/{plan_id}/targets",
    status_code=201,
    response_model=TargetOut,
    responses=problem_responses(403, 404, 422),
)
async def set_target(
    plan_id: str,
    body: TargetIn,
    targets: Targets,
    principal: Writer,
    meta: Metadata,
    response: Response,
    languages: Languages,
) -> TargetOut:
    """Set a target shared by several commitments (201), or leave it as it stands when
    the same definition is sent again (200). Every source must be a commitment of this
    plan with the indicators it names; a weighted mean needs each source's base."""
    principal.write_scope.check(plan_id, set())  # The whole plan's, no party's.
    command = SetTarget(
        plan_id=plan_id,
        code=body.code,
        title=local(body.title),
        unit=body.unit,
        aggregation=body.aggregation,
        comparison=body.target.comparison,
        value=body.target.value,
        by=body.target.by,
        sources=tuple(
            TargetSourceData(
                commitment_id=s.commitment,
                indicator=s.indicator,
                weight=s.weight,
                weight_indicator=s.weight_indicator,
            )
            for s in body.sources
        ),
    )
    target, changed = await targets.set(command, meta)
    if not changed:
        response.status_code = 200
    return target_out(target, languages)


@router.get("/plans/{plan_id}/targets", response_model=TargetsOut, responses=problem_responses(404))
async def list_targets(
    plan_id: str, targets: Targets, _: Reader, languages: Languages
) -> TargetsOut:
    """The plan's shared targets as set, in the order they were first set."""
    found = await targets.targets(plan_id)
    return TargetsOut(
        plan=plan_id, version=found.version, targets=[target_out(t, languages) for t in found.value]
    )
