"""The page an invitation link opens (``/invitations/{person}/{token}``): the invited
person sets their password there, once. It is in English and French, chosen as the
dashboard's pages are (``shared.http.translations``: ``?lang=`` and the EN / FR links,
then the ``pactstream_lang`` cookie, then ``Accept-Language``), with its own gettext
catalogue in ``locales/`` (README, "Languages", says how to extract and update it)."""

from __future__ import annotations

import gettext
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from commitments.adapters.people import PeopleRegistry
from commitments.domain.errors import NotFound, RuleViolated
from commitments.domain.people import (
    InvitationExpired,
    InvitationUsed,
    Person,
    invitation_open,
)
from shared.http import translations
from shared.http.forms import form_fields
from shared.passwords import MAX_LENGTH, MIN_LENGTH

#: The page's languages, the default (the source text's) first.
LANGUAGES: Final = ("en", "fr")
#: The names in the language switch, each in its own language.
NAMES: Final = {"en": "English", "fr": "Français"}
CURRENT: Final = ' aria-current="true"'

router = APIRouter(tags=["access"])


def catalogues() -> Traversable:
    """The folder of ``messages.pot`` and ``<language>/LC_MESSAGES/messages.po``."""
    return files("commitments.api").joinpath("locales")


def load_languages(folder: Traversable | None = None) -> Mapping[str, gettext.NullTranslations]:
    """Each language's messages, compiled in memory (by the composition root)."""
    return translations.load_catalogues(folder or catalogues(), LANGUAGES)


class Html(str):
    """Markup made here, put into a message as it is (other values are escaped)."""


@dataclass(frozen=True, slots=True)
class Page:
    """The answer to one request, in the language it asks for."""

    request: Request
    code: str
    messages: gettext.NullTranslations

    def gettext(self, message: str, **values: str | int) -> Html:
        """``message`` in the page's language, as HTML: its values escaped unless they
        are :class:`Html`."""
        text = escape(self.messages.gettext(message), quote=False)
        safe = {k: v if isinstance(v, Html | int) else escape(v) for k, v in values.items()}
        return Html(text % safe if values else text)

    def answer(self, title: str, body: str, status: int = 200) -> HTMLResponse:
        switch = " ".join(
            f'<a href="{escape(translations.in_language(self.request, code))}" lang="{code}" '
            f'hreflang="{code}" title="{NAMES[code]}"'
            f"{CURRENT if code == self.code else ''}>{code.upper()}</a>"
            for code in LANGUAGES
        )
        language = self.gettext("Language")
        html = (
            f'<!doctype html><html lang="{self.code}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title} · Pactstream</title></head>"
            '<body style="font-family:system-ui;max-width:32rem;margin:3rem auto">'
            f'<nav aria-label="{language}" style="text-align:right">{switch}</nav>'
            f"<main><h1>{title}</h1>{body}</main></body></html>"
        )
        headers = {
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
            "Content-Language": self.code,
        }
        response = HTMLResponse(html, status_code=status, headers=headers)
        translations.remember(self.request, response, LANGUAGES)
        return response

    def gone(self) -> HTMLResponse:
        """The invitation is not one (used and revoked alike, or mistyped): 404."""
        text = self.gettext("This invitation is not valid: it was used, revoked or mistyped.")
        return self.answer(self.gettext("Invitation"), f"<p>{text}</p>", 404)

    def closed(self, why: RuleViolated) -> HTMLResponse:
        """The invitation was used or has expired: 410."""
        if isinstance(why, InvitationExpired):
            text = self.gettext("This invitation has expired; ask an operator for another.")
        else:
            text = self.gettext("This invitation has been used; ask an operator for another.")
        return self.answer(self.gettext("Invitation"), f"<p>{text}</p>", 410)

    def form(self, person: Person, token: str, error: str = "", status: int = 200) -> HTMLResponse:
        """The form that sets the password, with ``error`` (HTML) above its fields."""
        alert = f'<p role="alert">{error}</p>' if error else ""
        welcome = self.gettext(
            "Welcome, %(name)s. Choose the password you will sign in to the dashboard "
            "with (at least %(num)d characters).",
            name=person.name,
            num=MIN_LENGTH,
        )
        password, again = self.gettext("Password"), self.gettext("Password again")
        button = self.gettext("Set my password")
        # Messages are written outside the f-strings: Babel finds no call inside one.
        body = (
            f'<p>{welcome}</p><form method="post">{alert}'
            f'<input type="hidden" name="csrf" value="{_csrf(token)}">'
            f'<p><label for="password">{password}</label><br>'
            '<input id="password" name="password" type="password" autocomplete="new-password" '
            f'minlength="{MIN_LENGTH}" required></p>'
            f'<p><label for="again">{again}</label><br>'
            '<input id="again" name="again" type="password" autocomplete="new-password" required>'
            f'</p><p><button type="submit">{button}</button></p></form>'
        )
        return self.answer(self.gettext("Set your password"), body, status)

    def password_problem(self, password: str, again: str) -> str:
        """Why the form's passwords are refused (the rules of ``shared.passwords``,
        in the page's language), or ``""``."""
        if password != again:
            return self.gettext("The two passwords differ.")
        if len(password) < MIN_LENGTH:
            return self.gettext("A password has at least %(num)d characters.", num=MIN_LENGTH)
        if len(password) > MAX_LENGTH:
            return self.gettext("A password has at most %(num)d characters.", num=MAX_LENGTH)
        if not password.strip():
            return self.gettext("A password is not only spaces.")
        return ""

    def done(self, person: Person) -> HTMLResponse:
        dashboard = self.request.app.state.settings.dashboard_url
        where = self.gettext("the dashboard")
        if dashboard:
            where = Html(f'<a href="{escape(dashboard.rstrip("/"))}/login">{where}</a>')
        text = self.gettext(
            "Your password is set. Sign in to %(dashboard)s as %(name)s.",
            dashboard=where,
            name=Html(f"<b>{escape(person.name)}</b>"),
        )
        return self.answer(self.gettext("Password set"), f"<p>{text}</p>")


def _page(request: Request) -> Page:
    code = translations.language_code(request, LANGUAGES)
    messages: Mapping[str, gettext.NullTranslations] = request.app.state.invitation_languages
    return Page(request, code, messages[code])


def _people(request: Request) -> PeopleRegistry:
    people: PeopleRegistry = request.app.state.people
    return people


def _csrf(token: str) -> str:
    """The form's token: bound to the invitation, which only its holder knows."""
    return hmac.new(token.encode(), b"set-password", hashlib.sha256).hexdigest()


async def _open_invitation(request: Request, person_id: str, token: str) -> Person | HTMLResponse:
    """The person the invitation is for while it may set a password, else the page
    that says why not."""
    try:
        person = await _people(request).invitation(person_id, token)
    except NotFound:
        return _page(request).gone()
    try:
        invitation_open(person, request.app.state.clock())
    except RuleViolated as closed:
        return _page(request).closed(closed)
    return person


@router.get("/invitations/{person_id}/{token}", response_class=HTMLResponse)
async def invitation_page(person_id: str, token: str, request: Request) -> HTMLResponse:
    found = await _open_invitation(request, person_id, token)
    return found if isinstance(found, HTMLResponse) else _page(request).form(found, token)


@router.post("/invitations/{person_id}/{token}", response_class=HTMLResponse)
async def set_password(person_id: str, token: str, request: Request) -> HTMLResponse:
    form = await form_fields(request)
    field = {name: form.get(name, "") for name in ("csrf", "password", "again")}
    found = await _open_invitation(request, person_id, token)
    if isinstance(found, HTMLResponse):
        return found
    page = _page(request)
    if not hmac.compare_digest(field["csrf"], _csrf(token)):
        return page.form(found, token, page.gettext("Please try again."), 403)
    if problem := page.password_problem(field["password"], field["again"]):
        return page.form(found, token, problem, 422)
    try:
        await _people(request).set_password(person_id, token, field["password"])
    except NotFound:  # Revoked meanwhile.
        return page.gone()
    except (InvitationUsed, InvitationExpired) as closed:  # Meanwhile.
        return page.closed(closed)
    except RuleViolated as refused:  # A rule of the registry's the page does not know.
        return page.form(found, token, f'<span lang="en">{escape(refused.detail)}</span>', 422)
    return page.done(found)
