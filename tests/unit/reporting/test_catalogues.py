"""The dashboard's catalogues are complete and current, every template renders in
every language, and a request's language is chosen and remembered as README says."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi import FastAPI
from starlette.requests import Request

from reporting.web.languages import COOKIE, LANGUAGES, catalogues
from reporting.web.signin import router as signin_router
from reporting.web.signin import sign_in_again
from reporting.web.templates import build_templates

SERVICE = Path(__file__).parents[3] / "services" / "reporting"
WEB = SERVICE / "src" / "reporting" / "web"

Key = tuple[str | None, str]


def _keys(catalogue: Catalog) -> set[Key]:
    return {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalogue if m.id}


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def test_the_template_holds_every_message_of_the_templates_and_the_web_code() -> None:
    """Fails when a string was added, changed or removed without `pybabel extract`
    (README, "Languages")."""
    with (SERVICE / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    extracted = {
        (context, message[0] if isinstance(message, tuple) else message)
        for _, _, message, _, context in extract_from_dir(str(WEB), method_map, options_map)
    }
    template = _keys(_read(WEB / "locales" / "messages.pot"))
    assert extracted - template == set(), "run pybabel extract: new messages"
    assert template - extracted == set(), "run pybabel extract: messages no longer used"


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != "en"])
def test_every_message_is_translated_and_none_is_fuzzy(code: str) -> None:
    catalogue = _read(WEB / "locales" / code / "LC_MESSAGES" / "messages.po", code)
    template = _keys(_read(WEB / "locales" / "messages.pot"))
    assert _keys(catalogue) == template, "run pybabel update"
    untranslated = [
        m.id
        for m in catalogue
        if m.id and (m.fuzzy or not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    assert untranslated == []
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue.check()]
    assert problems == [], "placeholders must match the English"


def test_the_catalogues_are_package_data_beside_the_code() -> None:
    assert catalogues().joinpath("fr", "LC_MESSAGES", "messages.po").is_file()


def test_every_template_compiles_in_every_language() -> None:
    templates = build_templates()
    for code in LANGUAGES:
        environment = templates.environment(code)
        for name in environment.list_templates():
            environment.get_template(name)


def client() -> httpx.AsyncClient:
    """The sign-in page's routes in process, with a browser's cookie jar."""
    app = FastAPI()
    app.state.templates = build_templates()
    app.include_router(signin_router)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_the_sign_in_page_is_in_english_by_default() -> None:
    async with client() as c:
        page = await c.get("/login")
    assert '<html lang="en">' in page.text
    assert "<h1>Sign in</h1>" in page.text
    assert page.headers["content-language"] == "en"
    assert COOKIE not in page.cookies


async def test_the_browser_s_language_gives_french() -> None:
    async with client() as c:
        page = await c.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr">' in page.text
    assert "<h1>Se connecter</h1>" in page.text
    assert "Accept-Language" in page.headers["vary"]


async def test_a_language_asked_on_a_page_is_remembered_for_a_year() -> None:
    async with client() as c:
        page = await c.get("/login?lang=fr&next=/plans/x", headers={"Accept-Language": "en"})
        assert '<html lang="fr">' in page.text
        cookie = page.headers["set-cookie"]
        assert f"{COOKIE}=fr" in cookie
        assert "Max-Age=31536000" in cookie and "SameSite=lax" in cookie
        again = await c.get("/login", headers={"Accept-Language": "en"})
        assert '<html lang="fr">' in again.text, "the cookie outranks the browser"
        back = await c.get("/login?lang=en")
        assert '<html lang="en">' in back.text
        assert '<html lang="en">' in (await c.get("/login")).text


async def test_every_page_has_a_switch_to_the_same_page_in_each_language() -> None:
    async with client() as c:
        page = (await c.get("/login?next=/plans/x")).text
    assert 'href="/login?next=%2Fplans%2Fx&amp;lang=fr" lang="fr" hreflang="fr"' in page
    assert 'lang="en" hreflang="en" title="English" aria-current="true">EN</a>' in page


def test_a_page_that_needs_a_sign_in_remembers_the_language_asked_for() -> None:
    request = Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/plans/x",
            "query_string": b"lang=fr",
            "headers": [],
            "scheme": "http",
            "server": ("test", 80),
        }
    )
    redirect = sign_in_again(request)
    assert redirect.headers["location"] == "/login?next=/plans/x%3Flang%3Dfr"
    assert f"{COOKIE}=fr" in redirect.headers["set-cookie"]


def test_an_error_page_marks_the_api_s_english_detail_inside_a_french_page() -> None:
    page = (
        build_templates()
        .environment("fr")
        .get_template("error.html")
        .render(title="Page introuvable", message="…", detail="no plan 'x'", switch=[])
    )
    assert '<html lang="fr">' in page
    assert '<p class="small muted" lang="en">no plan &#39;x&#39;</p>' in page
    assert "Tous les plans" in page
