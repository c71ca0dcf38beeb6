"""The language of a page a person reads, and its messages: one mechanism for every
service that serves pages (reporting's dashboard, commitments' invitation page), each
with a catalogue of its own.

A page's language is the first of: ``?lang=`` on the page (then remembered in the
``pactstream_lang`` cookie for a year, SameSite=Lax), that cookie, the best match of
``Accept-Language`` (q-values honoured, ``fr-FR`` counts as ``fr``), the default (the
first of the service's languages). Cookies are not bound to a port, so a choice made on
the dashboard also holds on the invitation page of the same host.

Catalogues are gettext ``.po`` files (``<folder>/<code>/LC_MESSAGES/messages.po``,
extracted with ``pybabel``); they are compiled in memory by Babel when the composition
root loads them, so no generated ``.mo`` file is kept in the repository or needed at
install time."""

from __future__ import annotations

import gettext
from collections.abc import Mapping, Sequence
from importlib.resources.abc import Traversable
from io import BytesIO
from typing import Final

from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request
from starlette.responses import Response

from shared.http.languages import accepted

#: Where a reader's choice is remembered (a year, SameSite=Lax).
COOKIE: Final = "pactstream_lang"
COOKIE_MAX_AGE: Final = 365 * 24 * 3600


def chosen(text: str | None, languages: Sequence[str]) -> str | None:
    """A language named by ``?lang=`` or the cookie, if the interface has it."""
    code = (text or "").strip().lower()
    return code if code in languages else None


def negotiate(
    asked: str | None, remembered: str | None, header: str | None, languages: Sequence[str]
) -> str:
    """The page language: asked on the page, else remembered, else the best of
    ``Accept-Language`` (``fr-FR`` matches ``fr``), else ``languages[0]``."""
    for choice in (asked, remembered):
        if (code := chosen(choice, languages)) is not None:
            return code
    wanted = [tag for tag in accepted(header) if tag != "*"]
    return negotiate_locale(wanted, list(languages), sep="-") or languages[0]


def language_code(request: Request, languages: Sequence[str]) -> str:
    """The language of the page ``request`` asks for."""
    return negotiate(
        request.query_params.get("lang"),
        request.cookies.get(COOKIE),
        request.headers.get("accept-language"),
        languages,
    )


def remember(request: Request, response: Response, languages: Sequence[str]) -> None:
    """Keep a language asked for with ``?lang=`` for the reader's next pages, and say
    that pages differ by language."""
    asked = chosen(request.query_params.get("lang"), languages)
    if asked is not None:
        response.set_cookie(
            COOKIE,
            asked,
            max_age=COOKIE_MAX_AGE,
            path="/",
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    response.headers["Vary"] = "Accept-Language, Cookie"


def in_language(request: Request, code: str) -> str:
    """This page in another language (the link of a language switch): its path and
    query, ``lang`` set to ``code``."""
    return f"{request.url.path}?{request.url.include_query_params(lang=code).query}"


def compile_catalogue(po: Traversable, code: str) -> Translations:
    """A ``.po`` file compiled in memory, fuzzy entries left out (they fall back to
    the source text until a translator confirms them)."""
    with po.open("rb") as source:
        catalogue = read_po(source, locale=code)
    compiled = BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled)


def load_catalogues(
    folder: Traversable, languages: Sequence[str]
) -> Mapping[str, gettext.NullTranslations]:
    """Each language's messages; the first language is the source text's."""
    found: dict[str, gettext.NullTranslations] = {languages[0]: gettext.NullTranslations()}
    for code in languages[1:]:
        found[code] = compile_catalogue(folder.joinpath(code, "LC_MESSAGES", "messages.po"), code)
    return found
