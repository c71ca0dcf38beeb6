"""A person's path through the dashboard in real headless Chromium (Debian's), driven
by Playwright: sign in, overview, a demo plan, a commitment; the numbers on screen
equal the API's; the interface in English or French, as asked, remembered or as the
browser prefers; issue 21's acceptance in French (find, filter, page, download)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.platform import KEY, ROOT, Platform, poll
from tests.e2e.test_seeds import progress

CHROMIUM = os.environ.get("PACTSTREAM_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = ROOT / ".local" / "test-artifacts"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def figures(page: Page) -> dict[str, str]:
    """The first figure of each kind on the page (the page's own totals)."""
    found: dict[str, str] = {}
    for el in page.locator("[data-figure]").all():
        found.setdefault(el.get_attribute("data-figure") or "", el.inner_text().strip())
    return found


def percent(value: float, lang: str = "en") -> str:
    """As the page writes it: ``12.5%`` in English, ``12,5 %`` (no-break space) in French."""
    if lang == "fr":
        return f"{value:g}".replace(".", ",") + "\u00a0%"
    return f"{value:g}%"


def as_shown(totals: dict[str, Any], lang: str = "en") -> dict[str, str]:
    return {
        "commitments": str(totals["commitments"]),
        "completed_pct": percent(totals["completed_pct"], lang),
        "overdue": str(totals["overdue"]),
    }


def test_a_person_signs_in_and_clicks_through_to_a_commitment(
    seeded: Platform,
    browser: Browser,
) -> None:
    base = seeded.url("reporting")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/plans/mines-metallurgie-2018?as_of=2019-06-30")
    assert "/login" in page.url, "an anonymous visitor is asked to sign in"
    page.fill("#key", KEY)
    page.click("button[type=submit]")
    page.wait_for_url("**/plans/mines-metallurgie-2018?as_of=2019-06-30")

    page.goto(f"{base}/?as_of=2019-06-30")
    cards = page.locator("article.card")
    assert cards.count() == 2
    titles = [c.locator("h2").inner_text() for c in cards.all()]
    assert "Contrat stratégique de la filière Mines et métallurgie 2018-2022" in titles
    mines_api = progress(seeded, "mines-metallurgie-2018", 17, "2019-06-30")
    mines_card = next(c for c in cards.all() if "Mines" in c.locator("h2").inner_text())
    shown = {
        el.get_attribute("data-figure"): el.inner_text().strip()
        for el in mines_card.locator("[data-figure]").all()
    }
    assert shown == as_shown(mines_api["totals"])

    mines_card.locator("h2 a").click()
    page.wait_for_url("**/plans/mines-metallurgie-2018*")
    assert page.locator("h1").inner_text() == mines_api["plan"]["title"]
    shown = figures(page)
    assert {k: shown[k] for k in ("commitments", "completed_pct", "overdue")} == as_shown(
        mines_api["totals"]
    )
    assert shown["priority"] == str(mines_api["totals"]["priority"])
    assert "CO₂" in page.inner_text("nav.tree")
    assert "€2,580,000.00" in page.inner_text("#funding-h + div")
    assert page.locator("html").get_attribute("lang") == "en", "English unless asked"
    assert page.locator("svg.chart").count() >= 1

    page.click("a.figure:has([data-figure=overdue])")
    page.wait_for_url("**/plans/mines-metallurgie-2018?*overdue=true*")
    assert "as_of=2019-06-30" in page.url, "a figure's link keeps the page's date"
    listed = page.locator("#list-h ~ table tbody tr").count()
    assert listed == mines_api["totals"]["overdue"], "the overdue figure lists its commitments"
    page.go_back()

    page.click("text=A4-FILIERE")
    page.wait_for_url("**/commitments/mines-2018-a4-filiere*")
    with seeded.client("reporting") as c:
        api_view = c.get(
            "/v1/commitments/mines-2018-a4-filiere", params={"as_of": "2019-06-30"}
        ).json()
    assert page.locator("[data-figure=status]").inner_text() == api_view["status"]
    assert api_view["title"] in page.locator("h1").inner_text()
    assert "€20,000,000.00" in page.inner_text("main")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "commitment.png"), full_page=True)
    page.goto(f"{base}/plans/valletta-2015?as_of=2017-01-15")
    page.screenshot(path=str(SHOTS / "valletta.png"), full_page=False)
    assert (SHOTS / "commitment.png").stat().st_size > 10_000
    page.close()


def test_an_invited_reader_signs_in_with_a_password_and_is_signed_out_when_revoked(
    seeded: Platform, browser: Browser
) -> None:
    from tests.e2e.test_people import PASSWORD, invite

    person = invite(seeded)
    page = browser.new_page()
    page.goto(person["invitation_url"])
    page.fill("#password", PASSWORD)
    page.fill("#again", PASSWORD)
    page.click("button[type=submit]")
    assert "Your password is set" in page.inner_text("main")

    base = seeded.url("reporting")

    def sign_in() -> bool:
        page.goto(f"{base}/login?next=/")
        page.fill("#name", person["name"])
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return "/login" not in page.url

    poll(sign_in, bool, interval=0.3)  # Once reporting has the person.
    assert page.locator("article.card").count() == 2
    assert page.locator("form[action='/logout'] button").is_visible()
    assert page.locator("form[method=post]").count() == 1, "a reader has nothing to post"
    with seeded.client("commitments") as c:
        assert c.delete(f"/v1/access/people/{person['id']}").status_code == 204

    def signed_out() -> bool:
        page.goto(f"{base}/")
        return "/login" in page.url

    poll(signed_out, bool, timeout=5, interval=0.3)
    page.close()


def sign_in(page: Page, base: str, target: str) -> None:
    page.goto(f"{base}{target}")
    page.fill("#key", KEY)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{target}")


def test_a_person_asks_for_french_and_keeps_it_from_page_to_page(
    seeded: Platform, browser: Browser
) -> None:
    base = seeded.url("reporting")
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{base}/login?lang=fr&next=/")
    assert page.locator("h1").inner_text() == "Se connecter", "asked before signing in"
    sign_in(page, base, "/?as_of=2019-06-30&lang=fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Plans d’action"
    mines_api = progress(seeded, "mines-metallurgie-2018", 17, "2019-06-30")
    mines_card = page.locator("article.card", has_text="Mines")
    assert mines_card.locator("h2").get_attribute("lang") == "fr"
    assert "engagements" in mines_card.inner_text()
    valletta = page.locator("article.card", has_text="Valletta")
    assert valletta.locator("h2").get_attribute("lang") == "en", "a plan keeps its language"

    mines_card.locator("h2 a").click()  # The link carries no ?lang: the cookie does.
    page.wait_for_url("**/plans/mines-metallurgie-2018?as_of=2019-06-30")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("#funding-h").inner_text() == "Financement"
    assert page.locator("#totals-h").inner_text() == "Avancement"
    assert "2\u202f580\u202f000,00\u00a0€" in page.inner_text("#funding-h + div")
    shown = figures(page)
    assert {k: shown[k] for k in ("commitments", "completed_pct", "overdue")} == as_shown(
        mines_api["totals"], "fr"
    )
    assert page.locator("h1").get_attribute("lang") == "fr"
    assert page.locator("#list-h + form button[type=submit]").inner_text() == "Rechercher"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "plan-fr.png"), full_page=True)

    page.goto(f"{base}/plans/valletta-2015?as_of=2017-01-15")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").get_attribute("lang") == "en"
    page.click("nav.languages a[hreflang=en]")
    page.wait_for_url("**/plans/valletta-2015?as_of=2017-01-15&lang=en")
    assert page.locator("#funding-h").inner_text() == "Funding"
    page.goto(f"{base}/?as_of=2019-06-30")
    assert page.locator("h1").inner_text() == "Action plans", "switching back is remembered"
    context.close()


def test_the_browser_s_preferred_language_is_the_default(
    seeded: Platform, browser: Browser
) -> None:
    base = seeded.url("reporting")
    french = browser.new_context(extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    page = french.new_page()
    page.goto(f"{base}/login")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("label[for=password]").inner_text() == "Mot de passe"
    french.close()
    with seeded.client("reporting") as c:
        english = c.get("/plans/mines-metallurgie-2018", params={"as_of": "2019-06-30"})
        asked = c.get(
            "/plans/mines-metallurgie-2018",
            params={"as_of": "2019-06-30"},
            headers={"Accept-Language": "fr-FR,fr;q=0.9"},
        )
    assert '<html lang="en">' in english.text and ">Funding</h2>" in english.text
    assert "€2,580,000.00" in english.text
    assert '<html lang="fr">' in asked.text and ">Financement</h2>" in asked.text
    assert "2\u202f580\u202f000,00\u00a0€" in asked.text
    assert asked.headers["content-language"] == "fr"


def _rows_shown(page: Page) -> list[tuple[str, str]]:
    """The finder's list as the page shows it: each row's code and title (the title
    cut at 160 characters, as the page cuts it)."""
    rows = page.locator("#list-h ~ table tbody tr").all()
    return [
        (
            row.locator("td").nth(0).locator("a").inner_text().strip(),
            row.locator("td").nth(1).inner_text().strip().removesuffix("..."),
        )
        for row in rows
    ]


def _rows_in(header: list[str], rows: list[list[str]]) -> list[tuple[str, str]]:
    code, title = header.index("code"), header.index("title")
    return [(str(row[code]), str(row[title])) for row in rows]


def _downloaded(page: Page, link: str, folder: Path) -> Path:
    """The file the page's ``link`` downloads, under the name the server gave it."""
    with page.expect_download() as download:
        page.click(f"[data-downloads=commitments] a:text-is('{link}')")
    name = download.value.suggested_filename
    assert name.startswith("mines-metallurgie-2018-commitments-")
    assert name.endswith(f".{link.lower()}")
    download.value.save_as(folder / name)
    return folder / name


def _same_rows(shown: list[tuple[str, str]], filed: list[tuple[str, str]]) -> None:
    assert [code for code, _ in filed] == [code for code, _ in shown]
    for (_, title), (_, whole) in zip(shown, filed, strict=True):
        assert whole.startswith(title), (title, whole)


def _xlsx_rows(path: Path) -> list[tuple[str, str]]:
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book["commitments"]
    header, *rows = [[str(v) if v is not None else "" for v in r] for r in sheet.values]
    book.close()
    return _rows_in(header, rows)


def _csv_rows(path: Path) -> list[tuple[str, str]]:
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    header, *rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return _rows_in(header, rows)


def test_in_french_the_state_s_overdue_mines_commitments_are_found_paged_and_downloaded(
    seeded: Platform, browser: Browser, tmp_path: Path
) -> None:
    """Issue 21's acceptance, as a new user tries it: in French, find the Mines plan
    from the overview by typing "métallurgie", filter its commitments to the State's
    (``Etat``, as the plan names it) overdue ones, page through them with the page's
    own links, download them as XLSX and CSV with the page's own links, and find the
    same rows in both files as on the pages."""
    with seeded.client("reporting") as c:
        expected = c.get(
            "/v1/plans/mines-metallurgie-2018/commitments",
            params={"party": "Etat", "overdue": "true", "sort": "code"},
        ).json()
    assert len(expected) > 5, "more than a page of five, so that paging happens"
    base = seeded.url("reporting")
    french = {"Accept-Language": "fr-FR,fr;q=0.9"}
    context = browser.new_context(locale="fr-FR", extra_http_headers=french, accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.fill("#q", "métallurgie")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**/?*q=m%C3%A9tallurgie*")
    cards = page.locator("article.card")
    assert cards.count() == 1 and "1 plan correspondant" in page.inner_text("main")
    cards.locator("h2 a").click()
    page.wait_for_url("**/plans/mines-metallurgie-2018?*")

    page.select_option("#f-party", label="Etat")
    page.check("#list-h + form input[name=overdue]")
    assert page.locator("label[for=f-limit]").inner_text() == "Par page"
    page.select_option("#f-limit", "5")
    page.click("#list-h + form button[type=submit]")
    page.wait_for_url("**party=Etat*")
    shown = _rows_shown(page)
    pages = 1
    while (following := page.locator("a[rel=next][data-list=commitments]")).count():
        assert len(shown) == 5 * pages, "full pages of five before the last"
        assert following.inner_text() == "Page suivante"
        following.click()
        page.wait_for_load_state()
        for kept in ("party=Etat", "overdue=true", "limit=5"):
            assert kept in page.url, f"the next page keeps {kept}"
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.locator("a[data-list=commitments]", has_text="Première page").count() == 1
        shown += _rows_shown(page)
        pages += 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "plan-fr-state-overdue.png"), full_page=True)
    assert pages == 2 and len(shown) == len(expected)
    assert [code for code, _ in shown] == [c["code"] for c in expected]

    _same_rows(shown, _xlsx_rows(_downloaded(page, "XLSX", tmp_path)))
    _same_rows(shown, _csv_rows(_downloaded(page, "CSV", tmp_path)))
    assert "Télécharger tous les engagements" in page.inner_text("[data-downloads=commitments]")
    context.close()
