"""Titles, section titles and narratives given in several languages, in reporting's
views: the read models' rows keep the first given and the whole map; a view answers in
the reader's language (``fr-FR`` finds ``fr``), else in the first given; search finds a
word in any language; exports carry every language; the IATI file one narrative each."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest

from reporting.application import plans
from reporting.application.iati import Publisher, to_xml
from reporting.application.iati_plan import plan_file
from reporting.application.lists import CommitmentFilter
from reporting.application.models import Change, Changes, ReportDates
from reporting.application.tables import commitments_table, progress_table
from reporting.application.texts import (
    all_texts,
    fields,
    language_in,
    localised,
    stored,
)
from shared.contracts.common import Translation
from tests.iati import validated
from tests.unit.reporting.fakes import FakeCommitments, FakeFunding, readers
from tests.unit.reporting.test_iati import FakeIati

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
DATES = ReportDates(as_of=date(2019, 6, 30), known_at=NOW)
#: A map as the read models keep it: ordered translations.
PLAN_TITLE = [{"lang": "fr", "text": "Plan numérique"}, {"lang": "en", "text": "Digital plan"}]


def _plan() -> dict[str, Any]:
    return {
        "plan_id": "p1",
        "code": "PN",
        "title": "Plan numérique",
        "title_local": PLAN_TITLE,
        "language": "fr",
        "period": None,
        "adopted_on": date(2019, 1, 18),
        "parties": ["Etat"],
        "monitoring_bodies": [],
        "sections": [
            {
                "code": "A",
                "title": [{"lang": "en", "text": "Skills"}, {"lang": "fr", "text": "Compétences"}],
            },
            {"code": "B", "title": "Plain", "parent": None},
        ],
        "occurred_at": NOW,
        "commitments": 1,
        "priority": 0,
        "completed": 0,
    }


def _commitment(cid: str, title: str, local: list[dict[str, str]] | None) -> dict[str, Any]:
    return {
        "commitment_id": cid,
        "plan_id": "p1",
        "code": cid.upper(),
        "section": "A",
        "title": title,
        "title_local": local,
        "status": "planned",
        "priority": False,
        "made_on": None,
        "deadline": None,
        "deadline_end": None,
        "parties": [],
        "completion": None,
    }


def _reader() -> FakeCommitments:
    return FakeCommitments(
        plan_rows={"p1": _plan()},
        commitment_rows=[
            _commitment(
                "c1",
                "Former les agents",
                [
                    {"lang": "fr", "text": "Former les agents"},
                    {"lang": "en", "text": "Train staff"},
                ],
            ),
            _commitment("c2", "Only English", None),
        ],
    )


def test_a_row_gives_the_first_text_and_the_map_in_the_order_given() -> None:
    assert fields("Plan numérique", PLAN_TITLE) == {
        "title": "Plan numérique",
        "titles": {"fr": "Plan numérique", "en": "Digital plan"},
    }
    assert fields("Plain") == {"title": "Plain", "titles": None}
    assert fields(PLAN_TITLE, name="narrative")["narrative"] == "Plan numérique"
    assert stored(PLAN_TITLE) == (
        Translation(lang="fr", text="Plan numérique"),
        Translation(lang="en", text="Digital plan"),
    )
    assert all_texts("Plan numérique", PLAN_TITLE) == ["Plan numérique", "Digital plan"]


@pytest.mark.parametrize(
    ("languages", "lang"),
    [((), "fr"), (("en",), "en"), (("en-GB",), "en"), (("de", "en"), "en"), (("de",), "fr")],
)
def test_the_language_shown_is_the_best_asked_else_the_first_given(
    languages: tuple[str, ...], lang: str
) -> None:
    assert language_in({"fr": "x", "en": "y"}, languages) == lang
    assert language_in({"fr-CA": "x", "en": "y"}, ("fr",)) == "fr-CA"


@pytest.mark.parametrize(
    ("languages", "plan", "section", "commitment"),
    [
        ((), "Plan numérique", "Skills", "Former les agents"),
        (("en",), "Digital plan", "Skills", "Train staff"),
        (("fr-FR",), "Plan numérique", "Compétences", "Former les agents"),
        (("de",), "Plan numérique", "Skills", "Former les agents"),
    ],
)
def test_views_answer_in_the_readers_language(
    languages: tuple[str, ...], plan: str, section: str, commitment: str
) -> None:
    reader = _reader()
    progress = localised(asyncio.run(plans.progress(reader, "p1", DATES)), languages)
    assert progress.plan.title == plan
    assert progress.plan.titles == {"fr": "Plan numérique", "en": "Digital plan"}
    assert [s.title for s in progress.sections] == [section, "Plain"]
    assert progress.sections[1].titles is None
    page = asyncio.run(plans.commitment_page(reader, "p1", DATES, CommitmentFilter(), "code"))
    listed = localised(page.items, languages)
    assert [c.title for c in listed] == [commitment, "Only English"]
    assert "titles" not in listed[1].model_dump(mode="json")


def test_search_finds_a_word_in_any_language() -> None:
    reader = _reader()
    found = asyncio.run(plans.plans(reader, DATES, "digital"))
    assert [p.id for p in found] == ["p1"]
    assert asyncio.run(plans.plans(reader, DATES, "absent")) == []
    page = asyncio.run(
        plans.commitment_page(reader, "p1", DATES, CommitmentFilter(q="train"), "code")
    )
    assert [c.id for c in page.items] == ["c1"]


def test_event_data_in_a_view_answers_in_the_readers_language_with_its_map() -> None:
    change = Change(
        commitment="c1",
        kind="created",
        type="org.pactstream.commitment.made",
        event_id="e1",
        occurred_at=NOW,
        recorded_at=NOW,
        partner=None,
        correction=False,
        data={"title": PLAN_TITLE, "milestone": {"title": PLAN_TITLE}, "note": "kept"},
    )
    view = localised(Changes(plan="p1", changes=[change]), ("en",))
    data = view.changes[0].data
    assert data["title"] == data["milestone"]["title"] == "Digital plan"
    assert data["titles"] == {"fr": "Plan numérique", "en": "Digital plan"}
    assert data["note"] == "kept"


def test_exports_carry_every_language_beside_the_first_given() -> None:
    reader = _reader()
    page = asyncio.run(plans.commitment_page(reader, "p1", DATES, CommitmentFilter(), "code"))
    table = commitments_table(page.items)
    at = table.columns.index("title")
    assert table.columns[at : at + 3] == ("title", "title_fr", "title_en")
    assert [row[at : at + 3] for row in table.rows] == [
        ("Former les agents", "Former les agents", "Train staff"),
        ("Only English", None, None),
    ]
    progress = progress_table(asyncio.run(plans.progress(reader, "p1", DATES)))
    assert "title_fr" in progress.columns and "title_en" in progress.columns
    plain = commitments_table(page.items[1:])
    assert not any(c.startswith("title_") for c in plain.columns)


def test_the_iati_file_has_one_narrative_per_language() -> None:
    reader = _reader()
    doc = asyncio.run(
        plan_file(
            readers(reader, FakeFunding()),
            FakeIati(statuses=[], indicators=[], flows=[]),
            "p1",
            DATES,
            Publisher("XM-DAC-TEST", "Test publisher"),
            NOW,
        )
    )
    root = validated(to_xml(doc))
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    plan, c1, c2 = root
    titles = {n.get(lang): n.text for n in plan.find("title").iter("narrative")}
    assert titles == {"fr": "Plan numérique", "en": "Digital plan"}
    c1_titles = {n.get(lang): n.text for n in c1.find("title").iter("narrative")}
    assert c1_titles == {"fr": "Former les agents", "en": "Train staff"}
    description = {n.get(lang): n.text for n in c1.find("description").iter("narrative")}
    assert description == {"fr": "Plan numérique · A Compétences", "en": "Digital plan · A Skills"}
    assert [n.text for n in c2.find("title").iter("narrative")] == ["Only English"]
