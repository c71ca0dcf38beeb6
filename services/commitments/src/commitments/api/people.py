"""People who use the dashboard: invited by operators (``/v1/access/people``), they set
a password on the page their invitation link opens (``/invitations/…``), then sign in
to reporting's dashboard by name. API keys stay for machines."""

from __future__ import annotations

import hashlib
import hmac
from html import escape
from typing import Annotated, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from commitments.adapters.people import PeopleRegistry
from commitments.api.access import ScopesIn
from commitments.domain.errors import NotFound, RuleViolated
from commitments.domain.people import (
    InvitationExpired,
    InvitationUsed,
    Person,
    invitation_open,
)
from shared.http.dependencies import Metadata, Operator
from shared.http.forms import form_fields

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


def _csrf(token: str) -> str:
    """The form's token: bound to the invitation, which only its holder knows."""
    return hmac.new(token.encode(), b"set-password", hashlib.sha256).hexdigest()


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · Pactstream</title></head>"
        f'<body style="font-family:system-ui;max-width:32rem;margin:3rem auto">'
        f"<main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return HTMLResponse(html, status_code=status, headers=headers)


def _form(person: Person, token: str, error: str | None = None) -> str:
    alert = f'<p role="alert">{escape(error)}</p>' if error else ""
    return (
        f"<p>Welcome, {escape(person.name)}. Choose the password you will sign in to the "
        "dashboard with (at least 12 characters).</p>"
        f'<form method="post">{alert}'
        f'<input type="hidden" name="csrf" value="{_csrf(token)}">'
        '<p><label for="password">Password</label><br>'
        '<input id="password" name="password" type="password" autocomplete="new-password" '
        'minlength="12" required></p>'
        '<p><label for="again">Password again</label><br>'
        '<input id="again" name="again" type="password" autocomplete="new-password" required>'
        '</p><p><button type="submit">Set my password</button></p></form>'
    )


_GONE = "This invitation is not valid: it was used, revoked or mistyped."


@router.get("/invitations/{person_id}/{token}", response_class=HTMLResponse)
async def invitation_page(person_id: str, token: str, request: Request) -> HTMLResponse:
    try:
        person = await _people(request).invitation(person_id, token)
    except NotFound:
        return _page("Invitation", f"<p>{_GONE}</p>", 404)
    try:
        invitation_open(person, request.app.state.clock())
    except RuleViolated as closed:
        return _page("Invitation", f"<p>{escape(closed.detail)}</p>", 410)
    return _page("Set your password", _form(person, token))


@router.post("/invitations/{person_id}/{token}", response_class=HTMLResponse)
async def set_password(person_id: str, token: str, request: Request) -> HTMLResponse:
    form = await form_fields(request)
    field = {name: form.get(name, "") for name in ("csrf", "password", "again")}
    people = _people(request)
    try:
        person = await people.invitation(person_id, token)
    except NotFound:
        return _page("Invitation", f"<p>{_GONE}</p>", 404)
    try:
        invitation_open(person, request.app.state.clock())
    except RuleViolated as closed:
        return _page("Invitation", f"<p>{escape(closed.detail)}</p>", 410)
    if not hmac.compare_digest(field["csrf"], _csrf(token)):
        return _page("Set your password", _form(person, token, "Please try again."), 403)
    if field["password"] != field["again"]:
        error = "The two passwords differ."
        return _page("Set your password", _form(person, token, error), 422)
    try:
        await people.set_password(person_id, token, field["password"])
    except (InvitationUsed, InvitationExpired) as closed:
        return _page("Invitation", f"<p>{escape(closed.detail)}</p>", 410)
    except NotFound:  # Revoked meanwhile.
        return _page("Invitation", f"<p>{_GONE}</p>", 404)
    except RuleViolated as refused:
        return _page("Set your password", _form(person, token, refused.detail), 422)
    dashboard = request.app.state.settings.dashboard_url
    where = (
        f'<a href="{escape(dashboard.rstrip("/"))}/login">the dashboard</a>'
        if dashboard
        else "the dashboard"
    )
    text = f"<p>Your password is set. Sign in to {where} as <b>{escape(person.name)}</b>.</p>"
    return _page("Password set", text)
