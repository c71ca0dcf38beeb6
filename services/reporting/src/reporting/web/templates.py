"""The dashboard's Jinja environments, one per interface language, built once by the
composition root; :func:`render` picks the request's language and remembers a choice
made with ``?lang=``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import Response

from reporting.application.history import MONEY
from reporting.application.texts import language_in, localised
from reporting.web.history_charts import money_lines, status_bars
from reporting.web.languages import LANGUAGES, NAMES, Language, load_languages
from reporting.web.terms import STATUSES, event_name, flow_name, term
from shared.http import translations


def _environment(language: Language) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(files("reporting.web").joinpath("templates"))),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(  # type: ignore[attr-defined]
        language.translations, newstyle=True
    )
    gettext = language.gettext
    environment.filters.update(
        money=language.money,
        number=language.number,
        percent=language.percent,
        day=language.day,
        long_day=language.long_day,
        moment=language.moment,
        term=lambda code: gettext(term(code)),
        event=lambda event_type: gettext(event_name(event_type)),
        flow=lambda f: gettext(flow_name(f.direction, f.type)),
        lang_of=lambda item, fallback, field="titles": _lang_of(item, fallback, field, language),
    )
    environment.globals.update(
        lang=language.code,
        statuses=STATUSES,
        money_figures=MONEY,
        status_bars=status_bars,
        money_lines=money_lines,
    )
    return environment


def _lang_of(item: Any, fallback: str, field: str, language: Language) -> str:
    """The language of the text a page shows for ``item`` (its ``titles`` or other
    language map in the page's language, else the first given); ``fallback`` (the
    plan's language) for a text given as a plain string."""
    given = getattr(item, field, None)
    return language_in(given, (language.code,)) if given else fallback


@dataclass(frozen=True, slots=True)
class Templates:
    """The pages in every interface language."""

    languages: Mapping[str, Language]
    environments: Mapping[str, Environment]

    def language(self, code: str) -> Language:
        return self.languages[code]

    def environment(self, code: str) -> Environment:
        return self.environments[code]


def build_templates() -> Templates:
    languages = load_languages()
    return Templates(languages, {code: _environment(lang) for code, lang in languages.items()})


def language_code(request: Request) -> str:
    return translations.language_code(request, LANGUAGES)


def language_of(request: Request) -> Language:
    """The request's interface language, for text made outside a template."""
    templates: Templates = request.app.state.templates
    return templates.language(language_code(request))


def remember(request: Request, response: Response) -> None:
    """Keep a language asked for with ``?lang=`` for the visitor's next pages, and say
    that pages differ by language."""
    translations.remember(request, response, LANGUAGES)


def switch(request: Request) -> list[dict[str, str]]:
    """The language switch: this page in each language."""
    return [
        {
            "code": code,
            "name": NAMES[code],
            "href": translations.in_language(request, code),
        }
        for code in LANGUAGES
    ]


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the request's language, with the session's CSRF token for its forms
    when someone signed in, or a way to sign in for a visitor to a public plan."""
    templates: Templates = request.app.state.templates
    code = language_code(request)
    context.setdefault("csrf", getattr(request.state, "csrf", None))
    context.setdefault("visitor", getattr(request.state, "visitor", False))
    context = {key: localised(value, (code,)) for key, value in context.items()}
    context["switch"] = switch(request)
    page = templates.environment(code).get_template(name).render(**context)
    response = HTMLResponse(page, status_code=status, headers={"Content-Language": code})
    remember(request, response)
    return response
