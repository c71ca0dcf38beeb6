"""Titles, section titles and narratives in several languages, end to end: posted to
commitments as language maps (over REST and as a partner's CloudEvent), answered there
and in reporting's views in the ``Accept-Language`` language (else the first given),
every language in the exports, and a bad map refused naming the field."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.e2e.platform import Platform, poll
from tests.e2e.test_commitment_history import STRUCTURED, cloudevent
from tests.e2e.test_slice import create_plan, make_commitment

PLAN = {"en": "Digital plan", "fr": "Plan numérique"}
DOMAIN = {"en": "Skills", "fr": "Compétences"}
ACTION = {"fr": "Former", "en": "Training"}
TITLE = {"en": "Train civil servants", "fr": "Former les agents publics"}
SECTIONS = [
    {"code": "1", "title": DOMAIN, "kind": "domain"},
    {"code": "1.1", "title": ACTION, "parent": "1"},
    {"code": "2", "title": "Plain section"},
    {"code": "3", "title": {"fr": "Seulement en français"}},
]
#: Accept-Language → the language expected of a map given English first, and of one
#: given French first (a language not given: the first given).
ASKED = {
    "fr": ("fr", "fr"),
    "fr-FR;q=0.9, en;q=0.5": ("fr", "fr"),
    "de;q=0.2, en": ("en", "en"),
    "de": ("en", "fr"),
    None: ("en", "fr"),
}


def _headers(asked: str | None) -> dict[str, str]:
    return {} if asked is None else {"Accept-Language": asked}


def _made(platform: Platform) -> tuple[dict[str, Any], dict[str, Any]]:
    plan = create_plan(platform, title=PLAN, sections=SECTIONS)
    made = make_commitment(platform, plan["id"], code="L1", section="1.1", title=TITLE)
    assert made.status_code == 201, made.text
    plain = make_commitment(platform, plan["id"], code="L2", section="2", title="Plain one")
    assert plain.status_code == 201, plain.text
    platform.await_listed(plan["id"], 2)
    return plan, made.json()


def test_commitments_answers_in_the_callers_language_with_every_language(
    platform: Platform,
) -> None:
    plan, made = _made(platform)
    assert plan["title"] == "Digital plan" and plan["titles"] == PLAN
    assert list(plan["titles"]) == ["en", "fr"], "the order given"
    assert made["title"] == "Train civil servants" and made["titles"] == TITLE
    with platform.client("commitments") as c:
        for asked, (lang, french_first) in ASKED.items():
            got = c.get(f"/v1/plans/{plan['id']}", headers=_headers(asked)).json()
            assert got["title"] == PLAN[lang], asked
            sections = {s["code"]: s for s in got["sections"]}
            assert sections["1"]["title"] == DOMAIN[lang]
            assert sections["1.1"]["title"] == ACTION[french_first]
            assert sections["2"]["title"] == "Plain section" and "titles" not in sections["2"]
            answer = c.get(f"/v1/commitments/{made['id']}", headers=_headers(asked))
            assert answer.headers["vary"] == "Accept-Language"
            one = answer.json()
            assert one["title"] == TITLE[lang] and one["titles"] == TITLE
        answered = c.post(
            f"/v1/plans/{plan['id']}/commitments",
            json={"code": "L3", "section": "1", "title": TITLE},
            headers={"Accept-Language": "fr"},
        )
    assert answered.status_code == 201 and answered.json()["title"] == TITLE["fr"]


def test_reporting_views_answer_in_the_readers_language(platform: Platform) -> None:
    plan, made = _made(platform)
    pid, cid = plan["id"], made["id"]
    with platform.client("commitments") as c:
        report = c.post(
            f"/v1/commitments/{cid}/progress",
            json={"as_of": "2016-05-01", "completion": "limited", "narrative": TITLE},
        )
        assert report.status_code == 201, report.text
    with platform.client("reporting") as r:
        poll(lambda: r.get(f"/v1/commitments/{cid}").json(), lambda v: v.get("reports"))
        for asked, (lang, french_first) in ASKED.items():
            headers = _headers(asked)
            answer = r.get(f"/v1/plans/{pid}/progress", headers=headers)
            assert "Accept-Language" in answer.headers["vary"]
            progress = answer.json()
            assert progress["plan"]["title"] == PLAN[lang], asked
            assert progress["plan"]["titles"] == PLAN
            domain = progress["sections"][0]
            assert domain["title"] == DOMAIN[lang] and domain["titles"] == DOMAIN
            assert domain["sections"][0]["title"] == ACTION[french_first]
            listed = r.get(f"/v1/plans/{pid}/commitments", headers=headers).json()
            assert [c["title"] for c in listed] == [TITLE[lang], "Plain one"]
            assert "titles" not in listed[1]
            view = r.get(f"/v1/commitments/{cid}", headers=headers).json()
            assert view["title"] == TITLE[lang] and view["titles"] == TITLE
            assert view["reports"][0]["narrative"] == TITLE[lang]
            plans = r.get("/v1/plans", params={"q": "numérique"}, headers=headers).json()
            assert pid in [p["id"] for p in plans]
            assert {p["title"] for p in plans} == {PLAN[lang]}
        found = r.get(f"/v1/plans/{pid}/commitments", params={"q": "agents publics"}).json()
        assert [c["code"] for c in found] == ["L1"], "search finds a word in any language"


def test_exports_carry_every_language(platform: Platform) -> None:
    plan, _ = _made(platform)
    with platform.client("reporting") as r:
        answer = r.get(f"/v1/plans/{plan['id']}/commitments.csv", headers={"Accept-Language": "fr"})
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    header = list(rows[0])
    assert header[header.index("title") : header.index("title") + 3] == [
        "title",
        "title_en",
        "title_fr",
    ]
    assert [(r["title"], r["title_en"], r["title_fr"]) for r in rows] == [
        (TITLE["en"], TITLE["en"], TITLE["fr"]),
        ("Plain one", "", ""),
    ]


def test_a_partners_amendment_takes_a_map_and_a_bad_map_is_refused_naming_the_field(
    platform: Platform,
) -> None:
    plan, made = _made(platform)
    cid = made["id"]
    amended = {"en": "Train every civil servant", "fr": "Former tous les agents"}
    with platform.client("commitments") as c:
        bad = c.post(
            f"/v1/plans/{plan['id']}/commitments",
            json={"code": "BAD", "section": "1", "title": {"fr": "Former", "english": "x"}},
        )
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert [e["pointer"] for e in bad.json()["errors"]] == ["/title"]
        empty = c.post(
            f"/v1/plans/{plan['id']}/commitments",
            json={"code": "BAD", "section": "1", "title": {}},
        )
        assert empty.status_code == 422 and empty.json()["errors"][0]["pointer"] == "/title"
        refused = c.post(
            "/v1/events",
            json=cloudevent("amended", cid, {"reason": "typo", "title": {"fr": " "}}),
            headers=STRUCTURED,
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["pointer"] == "/data/title"
        assert c.get(f"/v1/commitments/{cid}").json()["version"] == made["version"]
        taken = c.post(
            "/v1/events",
            json=cloudevent("amended", cid, {"reason": "wider", "title": amended}),
            headers=STRUCTURED,
        )
        assert taken.status_code == 201, taken.text
        assert (
            c.get(f"/v1/commitments/{cid}", headers={"Accept-Language": "fr"}).json()["title"]
            == amended["fr"]
        )
    with platform.client("reporting") as r:
        view = poll(
            lambda: r.get(f"/v1/commitments/{cid}", headers={"Accept-Language": "fr"}).json(),
            lambda v: v["title"] == amended["fr"],
        )
        assert view["titles"] == amended
        listed = r.get(f"/v1/plans/{plan['id']}/commitments").json()
        assert [c["code"] for c in listed] == ["L1", "L2"], "the bad one was not made"
        assert listed[0]["title"] == amended["en"]


def test_the_dashboard_shows_each_text_in_the_pages_language_marked_with_its_own(
    platform: Platform,
) -> None:
    plan, made = _made(platform)
    with platform.client("reporting") as r:  # ?lang= is remembered in a cookie
        french = r.get(f"/plans/{plan['id']}", params={"lang": "fr"})
    with platform.client("reporting") as r:
        english = r.get(f"/plans/{plan['id']}", headers={"Accept-Language": "en"})
        german = r.get(f"/commitments/{made['id']}", headers={"Accept-Language": "de"})
    assert french.status_code == english.status_code == german.status_code == 200
    assert f'<h1 lang="fr">{PLAN["fr"]}</h1>' in french.text
    assert f'<span lang="fr">{DOMAIN["fr"]}</span>' in french.text
    assert f'<h1 lang="en">{PLAN["en"]}</h1>' in english.text
    assert f'<span lang="en">{ACTION["en"]}</span>' in english.text
    assert '<span lang="fr">Seulement en français</span>' in english.text, "the only one, marked"
    assert '<html lang="en">' in german.text, "no German interface: English"
    assert f'<h1 class="long" lang="en">{TITLE["en"]}</h1>' in german.text
