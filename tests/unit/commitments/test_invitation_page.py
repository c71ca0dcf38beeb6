"""The invitation page in English and French: its catalogue is complete and current, and
its language is chosen as the dashboard's is (``?lang=``, then the cookie, then
``Accept-Language``), form, errors and all."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi import FastAPI

from commitments.api.invitations import LANGUAGES, catalogues, load_languages
from commitments.api.invitations import router as invitations
from commitments.domain.errors import NotFound
from commitments.domain.people import Person
from shared.http.translations import COOKIE

SERVICE = Path(__file__).parents[3] / "services" / "commitments"
API = SERVICE / "src" / "commitments" / "api"
NOW = datetime(2026, 3, 1, tzinfo=UTC)
TOKEN = "the-token"
URL = f"/invitations/ana/{TOKEN}"


def _ids(catalogue: Catalog) -> set[str]:
    return {str(m.id) for m in catalogue if m.id}


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def test_the_template_holds_every_message_of_the_page() -> None:
    """Fails when a message was added, changed or removed without `pybabel extract`
    (README, "Languages")."""
    with (SERVICE / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    extracted = {m for _, _, m, _, _ in extract_from_dir(str(API), method_map, options_map)}
    assert extracted == _ids(_read(API / "locales" / "messages.pot")), "run pybabel extract"
    assert "Set my password" in extracted, "the form's words are extracted too"


@pytest.mark.parametrize("code", LANGUAGES[1:])
def test_every_message_is_translated_and_none_is_fuzzy(code: str) -> None:
    catalogue = _read(API / "locales" / code / "LC_MESSAGES" / "messages.po", code)
    assert _ids(catalogue) == _ids(_read(API / "locales" / "messages.pot")), "run pybabel update"
    assert [m.id for m in catalogue if m.id and (m.fuzzy or not m.string)] == []
    assert [(m.id, errors) for m, errors in catalogue.check()] == [], "placeholders as in English"
    assert catalogues().joinpath(code, "LC_MESSAGES", "messages.po").is_file()


class People:
    """The registry's two reads the page makes, over one invited person."""

    def __init__(self, person: Person) -> None:
        self.person = person
        self.passwords: list[str] = []

    async def invitation(self, person_id: str, token: str) -> Person:
        if (person_id, token) != (self.person.person_id, TOKEN):
            raise NotFound("invitation", "")
        return self.person

    async def set_password(self, person_id: str, token: str, password: str) -> Person:
        self.passwords.append(password)
        return self.person


def client(password_set: bool = False, expires: timedelta = timedelta(days=7)) -> httpx.AsyncClient:
    app = FastAPI()
    app.include_router(invitations)
    person = Person("ana", "Ana Souza", "reader", (), (), "digest", NOW + expires, password_set)
    app.state.people = People(person)
    app.state.clock = lambda: NOW
    app.state.settings = SimpleNamespace(dashboard_url="http://dash.example")
    app.state.invitation_languages = load_languages()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


async def test_the_page_is_in_english_unless_asked() -> None:
    async with client() as c:
        page = await c.get(URL)
    assert page.status_code == 200
    assert '<html lang="en">' in page.text and "<h1>Set your password</h1>" in page.text
    assert '<label for="password">Password</label>' in page.text
    assert page.headers["content-language"] == "en"
    assert "Accept-Language" in page.headers["vary"]
    assert COOKIE not in page.cookies


async def test_the_browser_s_language_gives_the_page_and_its_form_in_french() -> None:
    async with client() as c:
        page = await c.get(URL, headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr">' in page.text
    assert "<h1>Choisissez votre mot de passe</h1>" in page.text
    assert "Bienvenue, Ana Souza." in page.text and "(au moins 12 caractères)" in page.text
    assert '<label for="password">Mot de passe</label>' in page.text
    assert '<label for="again">Mot de passe, une seconde fois</label>' in page.text
    assert ">Enregistrer mon mot de passe</button>" in page.text
    assert '<nav aria-label="Langue"' in page.text
    assert page.headers["content-language"] == "fr"


async def test_a_language_asked_on_the_page_is_remembered_and_outranks_the_browser() -> None:
    async with client() as c:
        asked = await c.get(f"{URL}?lang=fr", headers={"Accept-Language": "en"})
        assert '<html lang="fr">' in asked.text
        assert f"{COOKIE}=fr" in asked.headers["set-cookie"]
        assert 'hreflang="en" title="English">EN</a>' in asked.text
        assert f'href="{URL}?lang=en"' in asked.text, "the switch keeps the invitation"
        again = await c.get(URL, headers={"Accept-Language": "en"})
        assert '<html lang="fr">' in again.text, "the cookie (the dashboard's too) holds"
        back = await c.get(f"{URL}?lang=en")
        assert '<html lang="en">' in back.text


@pytest.mark.parametrize(
    ("password", "again", "status", "english", "french"),
    [
        ("short", "short", 422, "A password has at least 12 characters.", "au moins 12"),
        ("a" * 20, "b" * 20, 422, "The two passwords differ.", "Les deux mots de passe diffèrent."),
        (" " * 20, " " * 20, 422, "A password is not only spaces.", "que d’espaces"),
    ],
)
async def test_the_form_s_errors_are_in_the_page_s_language(
    password: str, again: str, status: int, english: str, french: str
) -> None:
    for lang, expected in (("en", english), ("fr", french)):
        async with client() as c:
            form = await c.get(f"{URL}?lang={lang}")
            data = {"csrf": csrf(form), "password": password, "again": again}
            answer = await c.post(f"{URL}?lang={lang}", data=data)
        assert answer.status_code == status
        assert f'<html lang="{lang}">' in answer.text
        alert = re.search(r'<p role="alert">(.*?)</p>', answer.text)
        assert alert is not None and expected in alert.group(1)


async def test_a_forged_form_is_refused_in_french() -> None:
    async with client() as c:
        answer = await c.post(
            f"{URL}?lang=fr", data={"csrf": "forged", "password": "x" * 20, "again": "x" * 20}
        )
    assert answer.status_code == 403 and "Veuillez réessayer." in answer.text


async def test_setting_the_password_says_so_in_french_with_the_dashboard_s_link() -> None:
    async with client() as c:
        form = await c.get(URL, headers={"Accept-Language": "fr"})
        data = {"csrf": csrf(form), "password": "x" * 20, "again": "x" * 20}
        done = await c.post(URL, data=data, headers={"Accept-Language": "fr"})
    assert done.status_code == 200
    assert "<h1>Mot de passe enregistré</h1>" in done.text
    assert (
        'Connectez-vous à <a href="http://dash.example/login">votre tableau de bord</a> '
        "sous le nom <b>Ana Souza</b>." in done.text
    )


async def test_an_invitation_not_valid_says_so_in_each_language() -> None:
    async with client() as c:
        english = await c.get(URL + "-mistyped")
        french = await c.get(URL + "-mistyped?lang=fr")
    assert english.status_code == french.status_code == 404
    assert "This invitation is not valid: it was used, revoked or mistyped." in english.text
    assert '<html lang="fr">' in french.text
    assert "Cette invitation n’est pas valable\u00a0: elle a servi" in french.text


async def test_a_used_or_expired_invitation_says_so_in_french() -> None:
    async with client(password_set=True) as c:
        used = await c.get(URL, headers={"Accept-Language": "fr"})
    async with client(expires=timedelta(days=-1)) as c:
        expired = await c.get(URL, headers={"Accept-Language": "fr"})
        posted = await c.post(URL, data={"csrf": "x"}, headers={"Accept-Language": "fr"})
    assert used.status_code == 410 and "Cette invitation a déjà servi" in used.text
    assert expired.status_code == posted.status_code == 410
    assert "Cette invitation a expiré" in expired.text and "a expiré" in posted.text
