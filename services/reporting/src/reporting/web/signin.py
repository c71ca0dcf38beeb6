"""Signing in to the dashboard: people by name and password, machines and operators
by API key (or the bearer header on every request). The session lives server-side
(:mod:`reporting.adapters.sessions`); the browser holds only its token, in a cookie
that is HttpOnly, SameSite=Lax and Secure behind HTTPS. Every form that changes
something carries a CSRF token: the sign-in form a double-submit one, the sign-out
form the session's."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reporting.adapters.sessions import COOKIE, Sessions, Started
from reporting.web.templates import language_of, remember, render
from reporting.web.terms import N_
from shared.http.auth import KeyAuthenticator, Principal, bearer_key, client_address
from shared.http.forms import form_fields
from shared.http.problems import Problem

router = APIRouter(include_in_schema=False)
#: The sign-in form's double-submit token, for that form only.
LOGIN_COOKIE = "pactstream_login"
TOO_MANY = N_("Too many failed attempts from your address; please wait a minute and try again.")


async def principal(request: Request) -> Principal | None:
    """The caller of a page, or ``None`` (then the page asks to sign in)."""
    sessions: Sessions = request.app.state.sessions
    try:
        found = await sessions.caller(
            bearer_key(request), request.cookies.get(COOKIE), client_address(request)
        )
    except Problem as problem:
        if problem.status == 429:
            raise
        return None
    if found is None:
        return None
    request.state.csrf = found.csrf or None
    return found.principal


def sign_in_again(request: Request) -> RedirectResponse:
    """To the sign-in form, and back here after; a language asked for on this page is
    remembered for the form too."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    remember(request, response)
    return response


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _form(request: Request, target: str, error: str | None = None, status: int = 200) -> Response:
    """The sign-in form; ``error`` is an English message marked for translation."""
    token = secrets.token_urlsafe(24)
    shown = language_of(request).gettext(error) if error else None
    page = render(request, "login.html", status, next=target, error=shown, login_csrf=token)
    page.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return page


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/") -> Response:
    return _form(request, next)


async def _start(request: Request, form: dict[str, str]) -> Started | str:
    """A new session, or why not."""
    sessions: Sessions = request.app.state.sessions
    auth: KeyAuthenticator = request.app.state.authenticator
    client = client_address(request)
    name, key = form.get("name", "").strip(), form.get("key", "").strip()
    if name:
        auth.check_failures(client)
        person_id = await sessions.person(name, form.get("password", ""))
        if person_id is None:
            auth.failed(client)
            return N_("That name and password do not match.")
        return await sessions.start(person_id=person_id)
    if key:
        try:
            await auth.authenticate(key, client)
        except Problem as problem:
            if problem.status == 429:
                raise
            return N_("That key is not valid.")
        return await sessions.start(key=key)
    return N_("Give your name and password.")


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    form = await form_fields(request)
    target = form.get("next", "") or "/"
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(form.get("csrf", ""), expected):
        return _form(request, target, N_("The form had expired; please sign in again."), 403)
    try:
        started = await _start(request, form)
    except Problem as problem:  # Too many failures from this address.
        page = _form(request, target, TOO_MANY, problem.status)
        page.headers.update(problem.headers)
        return page
    if isinstance(started, str):
        return _form(request, target, started, 401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        started.token,
        max_age=started.max_age,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout", response_model=None)
async def logout(request: Request) -> Response:
    """End the session (its CSRF token is the form's), then back to sign-in."""
    sessions: Sessions = request.app.state.sessions
    token = request.cookies.get(COOKIE, "")
    session = await sessions.find(token) if token else None
    form = await form_fields(request)
    if session is not None:
        if not hmac.compare_digest(form.get("csrf", ""), session.csrf):
            expired = language_of(request).gettext("The sign-out form had expired.")
            return Response(expired, status_code=403, media_type="text/plain")
        await sessions.end(token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
