"""People who use the dashboard: invited by operators (``/v1/access/people``), they set
a password on the page their invitation link opens (``/invitations/…``, in
``api/invitations.py``), then sign in to reporting's dashboard by name. API keys stay
for machines."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from commitments.adapters.people import PeopleRegistry
from commitments.api.access import ScopesIn
from commitments.domain.people import Person
from shared.http.dependencies import Metadata, Operator

router = APIRouter(tags=["access"])


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: Literal["partner", "reader", "operator"]
    scopes: ScopesIn | None = None


class PersonOut(BaseModel):
    id: str
    name: str
    role: str
    scopes: ScopesIn
    password_set: bool
    revoked: bool


class InvitedOut(BaseModel):
    """A new person: ``invitation_url`` opens the page where they set their password,
    once; hand it to them over a channel you trust."""

    id: str
    name: str
    role: str
    scopes: ScopesIn
    invitation_url: str
    version: int = 1


def _people(request: Request) -> PeopleRegistry:
    people: PeopleRegistry = request.app.state.people
    return people


def _out(p: Person) -> PersonOut:
    return PersonOut(
        id=p.person_id,
        name=p.name,
        role=p.role,
        scopes=ScopesIn(plans=list(p.plans), parties=list(p.parties)),
        password_set=p.password_set,
        revoked=p.revoked,
    )


@router.post("/v1/access/people", status_code=201, response_model=InvitedOut)
async def invite_person(
    body: PersonIn, request: Request, _: Operator, meta: Metadata, response: Response
) -> InvitedOut:
    """Invite a person to the dashboard by name and role."""
    scopes = body.scopes or ScopesIn()
    person, token = await _people(request).invite(
        body.name, body.role, tuple(scopes.plans), tuple(scopes.parties), meta
    )
    base = request.app.state.settings.public_url or str(request.base_url)
    response.headers["Location"] = f"/v1/access/people/{person.person_id}"
    response.headers["Cache-Control"] = "no-store"
    return InvitedOut(
        id=person.person_id,
        name=person.name,
        role=person.role,
        scopes=scopes,
        invitation_url=f"{base.rstrip('/')}/invitations/{person.person_id}/{token}",
    )


@router.get("/v1/access/people/{person_id}", response_model=PersonOut)
async def get_person(person_id: str, request: Request, _: Operator) -> PersonOut:
    return _out(await _people(request).get(person_id))


@router.delete("/v1/access/people/{person_id}", status_code=204)
async def revoke_person(person_id: str, request: Request, _: Operator, meta: Metadata) -> Response:
    """Revoke the person for good: they cannot sign in, and their sessions end."""
    await _people(request).revoke(person_id, meta)
    return Response(status_code=204)
