"""Plan revisions over HTTP: record one (the whole new section tree, the commitments
moved, the date it takes effect and why) and list them with what each changed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from commitments.api import commands, schemas
from commitments.api.dependencies import Metadata, Reader, Service, Writer
from commitments.api.routes import etag
from commitments.application.revisions import PlanRevisions, Revision
from commitments.domain.plan import RevisePlan
from shared.contracts.commitments import SectionData, SectionMove
from shared.contracts.common import LocalText, translations
from shared.http.problems import problem_responses

router = APIRouter(prefix="/v1")

Title = str | dict[str, str]


class MoveIn(schemas.Body):
    commitment: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="The id of a commitment of this plan."
    )
    section: schemas.Code = Field(description="The section of the new tree it moves to.")


class RevisionIn(schemas.Body):
    as_of: date = Field(description="The day the revised text takes effect.")
    reason: schemas.Reason
    sections: list[schemas.SectionIn] = Field(
        max_length=5000, description="The whole new tree: a section left out is retired."
    )
    moves: list[MoveIn] = Field(default_factory=list, max_length=5000)


class TreeSectionOut(BaseModel):
    code: str
    title: Title
    parent: str | None
    kind: str


class RenamedOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    code: str
    before: Title = Field(alias="from")
    after: Title = Field(alias="to")


class ReparentedOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    code: str
    before: str | None = Field(alias="from")
    after: str | None = Field(alias="to")


class MoveOut(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    commitment: str
    before: str | None = Field(alias="from", description="The section it was in.")
    section: str = Field(description="The section it is in from this revision on.")


class RevisionOut(BaseModel):
    """One revision (0: the plan as created) and what it changed from the one before."""

    plan: str
    revision: int
    as_of: date | None
    reason: str | None
    recorded_at: datetime
    sections: list[TreeSectionOut]
    added: list[TreeSectionOut]
    renamed: list[RenamedOut]
    retired: list[TreeSectionOut]
    reparented: list[ReparentedOut]
    moves: list[MoveOut]


def _title(text: LocalText) -> Title:
    return text if isinstance(text, str) else translations(text)


def _section(s: SectionData) -> TreeSectionOut:
    return TreeSectionOut(code=s.code, title=_title(s.title), parent=s.parent, kind=s.kind)


def revision_out(r: Revision) -> RevisionOut:
    c = r.changes
    return RevisionOut(
        plan=r.plan_id,
        revision=r.revision,
        as_of=r.as_of,
        reason=r.reason,
        recorded_at=r.recorded_at,
        sections=[_section(s) for s in r.sections],
        added=[_section(s) for s in c.added],
        renamed=[
            RenamedOut(code=x.code, before=_title(x.before), after=_title(x.after))
            for x in c.renamed
        ],
        retired=[_section(s) for s in c.retired],
        reparented=[
            ReparentedOut(code=x.code, before=x.before, after=x.after) for x in c.reparented
        ],
        moves=[
            MoveOut(commitment=m.commitment_id, before=m.before, section=m.after) for m in r.moved
        ],
    )


def revise_command(body: RevisionIn) -> RevisePlan:
    return RevisePlan(
        as_of=body.as_of,
        reason=body.reason,
        sections=commands.sections(body.sections),
        moves=tuple(SectionMove(commitment_id=m.commitment, section=m.section) for m in body.moves),
    )


@router.post(
    "/plans/{plan_id}/revisions",
    status_code=201,
    response_model=RevisionOut,
    tags=["plans"],
    responses=problem_responses(403, 404),
)
async def revise_plan(
    plan_id: str,
    body: RevisionIn,
    service: Service,
    principal: Writer,
    meta: Metadata,
    response: Response,
) -> RevisionOut:
    """Revise the plan's text from ``as_of`` on: the whole new section tree (sections
    added, renamed, merged or retired) and the commitments moved. A retired section
    must not keep commitments (move them; a merge is a retirement whose commitments
    move to the section it merges into). The answer is the plan's latest revision:
    the same revision sent again changes nothing."""
    revisions = PlanRevisions(service)
    plan = await revisions.revise(plan_id, revise_command(body), meta, principal.write_scope)
    history = await revisions.history(plan_id)
    etag(response, plan.version)
    response.headers["Location"] = f"/v1/plans/{plan_id}/revisions"
    return revision_out(history[-1])


@router.get(
    "/plans/{plan_id}/revisions",
    response_model=list[RevisionOut],
    tags=["plans"],
    responses=problem_responses(404),
)
async def plan_revisions(plan_id: str, service: Service, _: Reader) -> list[RevisionOut]:
    """Every revision of the plan in order, revision 0 being the plan as created, each
    with its date, reason, record time and what it changed."""
    return [revision_out(r) for r in await PlanRevisions(service).history(plan_id)]
