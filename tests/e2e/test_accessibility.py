"""Every dashboard page, in English and in French, checked by axe-core in Debian's
Chromium: no violation of impact "serious" or "critical".

axe-core is the npm package pinned in ``tests/browser/package-lock.json``, installed
into ``.local/axe`` on first use (``pactstream_cli.infra.axe``) and injected into each
page by Playwright. The pages are listed by the route they render, and a test fails
when a GET route of the dashboard has no page here."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page

from pactstream_cli.infra.axe import AxeUnavailable, ensure_axe
from tests.e2e.platform import KEY, ROOT, Platform, poll
from tests.e2e.test_browser import browser
from tests.e2e.test_public_plans import listed_anonymously, visibility
from tests.e2e.test_slice import create_plan, make_commitment, progress

__all__ = ["browser"]  # The module-scoped Chromium of the browser test.

BLOCKING = frozenset({"serious", "critical"})
STATUSES = ("planned", "launched", "completed", "suspended", "cancelled")
DAY = "2019-06-30"
MINES = "mines-metallurgie-2018"
VALLETTA = "valletta-2015"
#: The dashboard's pages as (the route it renders, a URL of it, its status), signed
#: in; ``{party}`` is a party of a Mines commitment, ``{plan}`` a plan with a
#: commitment in each status (the demo's are all planned) and ``{commitment}`` its
#: completed one. The sign-in page is checked signed out, in ``test_every_page``, and
#: so are ``VISITOR_PAGES``.
PAGES: list[tuple[str, str, int]] = [
    ("/", f"/?as_of={DAY}", 200),
    ("/", f"/?as_of={DAY}&q=m%C3%A9tallurgie", 200),
    ("/", f"/?as_of={DAY}&q=nothing-has-this-title", 200),
    ("/plans/{plan_id}", f"/plans/{MINES}?as_of={DAY}", 200),
    (
        "/plans/{plan_id}",
        f"/plans/{MINES}?as_of={DAY}&status=launched&overdue=true&sort=deadline",
        200,
    ),
    # The finder's list in pages of five, with its next-page and download links.
    ("/plans/{plan_id}", f"/plans/{MINES}?party=Etat&overdue=true&limit=5", 200),
    ("/plans/{plan_id}", f"/plans/{VALLETTA}?as_of=2017-01-15", 200),
    ("/plans/{plan_id}", f"/plans/{VALLETTA}?as_of=2017-01-15&q=migration&priority=true", 200),
    ("/commitments/{commitment_id}", f"/commitments/mines-2018-a4-filiere?as_of={DAY}", 200),
    ("/parties/{name}", f"/parties/{{party}}?as_of={DAY}", 200),
    ("/plans/{plan_id}", "/plans/{plan}?as_of=2017-06-30", 200),
    ("/commitments/{commitment_id}", "/commitments/{commitment}?as_of=2017-06-30", 200),
    ("/parties/{name}", "/parties/EU?as_of=2017-06-30", 200),
    ("/plans/{plan_id}/changes", "/plans/{plan}/changes?from=2016-01-01&to=2017-06-30", 200),
    ("/plans/{plan_id}/changes", f"/plans/{VALLETTA}/changes?from=2016-01-01&to=2017-01-15", 200),
    ("/plans/{plan_id}/changes", f"/plans/{MINES}/changes?from=2018-01-01&to={DAY}", 200),
    (
        "/plans/{plan_id}/flows",
        f"/plans/{MINES}/flows?as_of={DAY}&currency=EUR&figure=committed",
        200,
    ),
    ("/plans/{plan_id}/flows", f"/plans/{MINES}/flows?as_of={DAY}&currency=EUR&figure=agreed", 200),
    ("(an error)", f"/plans/no-such-plan?as_of={DAY}", 404),
    ("(an error)", f"/plans/{MINES}?as_of=not-a-date", 400),
]
SIGN_IN = ("/login", "/login?next=/", 200)
#: What a visitor (no key, no session) sees of ``{plan}``, made public.
VISITOR_PAGES = [
    "/?as_of=2017-06-30",
    "/plans/{plan}?as_of=2017-06-30",
    "/commitments/{commitment}?as_of=2017-06-30",
]


@pytest.fixture(scope="module")
def every_status(seeded: Platform) -> dict[str, str]:
    """A public plan whose commitments are in every status, one completed with a
    report."""
    plan = create_plan(seeded)
    made = {s: make_commitment(seeded, plan["id"]).json()["id"] for s in STATUSES}
    steps = {
        "launched": ["launched"],
        "completed": ["launched", "completed"],
        "suspended": ["launched", "suspended"],
        "cancelled": ["cancelled"],
    }
    with seeded.client("commitments") as c:
        for status, path in steps.items():
            for day, step in zip(("2016-03-01", "2016-09-01"), path, strict=False):
                answer = c.post(
                    f"/v1/commitments/{made[status]}/status", json={"status": step, "as_of": day}
                )
                assert answer.status_code == 200, answer.text
        answer = c.post(
            f"/v1/commitments/{made['completed']}/progress",
            json={"as_of": "2016-10-01", "completion": "complete", "narrative": "Done."},
        )
        assert answer.status_code in (200, 201), answer.text

    def by_status() -> dict[str, int]:
        shown = progress(seeded, plan["id"], as_of="2017-06-30").json()
        return shown["totals"]["by_status"] if "totals" in shown else {}

    poll(by_status, lambda found: all(found.get(s) == 1 for s in STATUSES))
    assert visibility(seeded, plan["id"], True).status_code == 200
    poll(lambda: listed_anonymously(seeded), lambda ids: plan["id"] in ids)
    return {"plan": plan["id"], "commitment": made["completed"]}


@pytest.fixture(scope="module")
def axe() -> Path:
    try:
        return ensure_axe(ROOT)
    except AxeUnavailable as why:
        pytest.fail(f"the accessibility check cannot run: {why}", pytrace=False)


def with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def results(page: Page, axe: Path) -> dict[str, list[dict[str, Any]]]:
    """axe-core's violations, and what it could not decide (``incomplete``), on the
    page as it is now."""
    page.add_script_tag(path=str(axe))
    found: dict[str, list[dict[str, Any]]] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations', 'incomplete']})"
    )
    return found


def violations(page: Page, axe: Path) -> list[dict[str, Any]]:
    return results(page, axe)["violations"]


def described(url: str, found: list[dict[str, Any]]) -> list[str]:
    """Each violation as a line to fix from: rule, impact, help, the failing nodes."""
    return [
        f"{url}: {v['id']} ({v['impact']}) {v['help']} <{v['helpUrl']}>\n"
        + "\n".join(f"    {n['target']}: {n.get('failureSummary', '')}" for n in v["nodes"])
        for v in found
    ]


class Audit:
    """The serious and critical violations of every page visited, kept to report all
    at once; the lesser ones, and what axe could not decide, are printed (``-s``
    shows them)."""

    def __init__(self, axe: Path) -> None:
        self.axe = axe
        self.blocking: list[str] = []
        self.visited = 0

    def check(self, page: Page, url: str | None = None, status: int = 200) -> None:
        """The page at ``url`` (answered with ``status``), or as it stands (a form's
        answer) without one."""
        if url is not None:
            response = page.goto(url)
            assert response is not None
            assert response.status == status, url
        page.wait_for_load_state()
        # What a person can reveal is checked too: the charts' tables are in <details>.
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true })")
        url = url or f"{page.url} (as answered)"
        found = results(page, self.axe)
        self.visited += 1
        wrong = found["violations"]
        self.blocking += described(url, [v for v in wrong if v["impact"] in BLOCKING])
        for line in described(url, [v for v in wrong if v["impact"] not in BLOCKING]):
            print(f"accessibility, minor or moderate: {line}")
        for line in described(url, found["incomplete"]):
            print(f"accessibility, for a person to review: {line}")

    def assert_clean(self) -> None:
        assert not self.blocking, "axe-core found serious or critical violations:\n" + "\n".join(
            self.blocking
        )


def test_axe_reports_what_it_should(seeded: Platform, browser: Browser, axe: Path) -> None:
    """The check can fail: a page with a nameless link and an image without a text
    alternative has serious and critical violations. (``seeded`` first: the platform
    must start, and so stop, outside Playwright's event loop.)"""
    page = browser.new_page()
    page.set_content('<!doctype html><title>t</title><main><a href="/"></a><img src="x.png">')
    found = {v["id"]: v["impact"] for v in violations(page, axe)}
    assert found["link-name"] == "serious"
    assert found["image-alt"] == "critical"
    page.close()


def test_every_get_route_of_the_dashboard_has_a_page_checked() -> None:
    from reporting.web import routes, signin

    served = {
        route.path
        for router in (routes.router, signin.router)
        for route in router.routes
        if "GET" in getattr(route, "methods", set())
    }
    checked = {route for route, _, _ in [*PAGES, SIGN_IN] if route.startswith("/")}
    assert served == checked, "add the new page to PAGES in tests/e2e/test_accessibility.py"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_page_has_no_serious_or_critical_violation(
    seeded: Platform, every_status: dict[str, str], browser: Browser, axe: Path, lang: str
) -> None:
    audit = Audit(axe)
    base = seeded.url("reporting")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    audit.check(page, base + with_lang(SIGN_IN[1], lang))
    page.fill("#key", "not a key")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    audit.check(page)  # The form again, with its error.
    for url in VISITOR_PAGES:
        audit.check(page, base + with_lang(url.format(**every_status), lang))
        assert "/login" not in page.url, "a visitor sees a public plan"
    page.goto(f"{base}/login?next=/plans/{MINES}")  # A visitor sees public plans unasked.
    page.fill("#key", KEY)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/plans/{MINES}")
    with seeded.client("reporting") as c:
        party = c.get("/v1/commitments/mines-2018-a4-filiere").json()["parties"][0]["name"]
    names = {**every_status, "party": quote(party)}
    for _, url, status in PAGES:
        audit.check(page, base + with_lang(url.format(**names), lang), status)
        assert "/login" not in page.url, "checked signed in"
    assert page.locator("html").get_attribute("lang") == lang
    assert audit.visited == len(PAGES) + len(VISITOR_PAGES) + 2
    context.close()
    audit.assert_clean()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_invitation_page_has_no_serious_or_critical_violation(
    seeded: Platform, browser: Browser, axe: Path, lang: str
) -> None:
    """The page an invited person sets their password on (the commitments service's),
    in each language: the form, the form with its error, the page once the password is
    set, and the page of an invitation that is not valid."""
    from tests.e2e.test_people import PASSWORD, invite

    person = invite(seeded)
    audit = Audit(axe)
    page = browser.new_page()
    audit.check(page, with_lang(person["invitation_url"], lang))
    assert page.locator("html").get_attribute("lang") == lang
    page.fill("#password", PASSWORD)
    page.fill("#again", PASSWORD + "!")
    page.click("button[type=submit]")
    audit.check(page)  # The form again, with its error.
    assert page.locator("[role=alert]").count() == 1
    page.fill("#password", PASSWORD)
    page.fill("#again", PASSWORD)
    page.click("button[type=submit]")
    audit.check(page)  # The password is set.
    assert page.locator("html").get_attribute("lang") == lang
    audit.check(page, with_lang(person["invitation_url"] + "-mistyped", lang), 404)
    assert page.locator("html").get_attribute("lang") == lang
    page.close()
    audit.assert_clean()
