"""A person's path through the dashboard in real headless Chromium (Debian's), driven
by Playwright: sign in, overview, a demo plan, a commitment; the numbers on screen
equal the API's; the interface in English or French, as asked, remembered or as the
browser prefers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

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
