"""Titles and narratives in several languages on the commitments API: which bodies are
accepted (a string or a language map), how a refused one is named, and which language
an answer shows (``Accept-Language`` with q-values, ``fr-FR`` finding ``fr``, else the
first given) with the whole map beside it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from pydantic import ValidationError

from commitments.api import changes, schemas
from commitments.api.events import Refusal, _parse
from commitments.api.local_text import local, shown
from commitments.api.routes import commitment_out
from commitments.domain.commitment import (
    AddMilestone,
    Amend,
    Commitment,
    Milestone,
    ReportProgress,
)
from shared.cloudevents import StructuredEvent
from shared.contracts.common import LocalText, Translation, text_in
from shared.decider import Versioned
from shared.http.languages import accepted

MAP = {"en": "Clean water", "fr": "Eau propre"}


def commitment_body(title: Any) -> dict[str, Any]:
    return {"code": "C1", "section": "1", "title": title}


def test_a_title_is_a_string_or_a_language_map_kept_in_the_order_given() -> None:
    assert schemas.CommitmentIn.model_validate(commitment_body(" Water ")).title == "Water"
    body = schemas.CommitmentIn.model_validate(commitment_body({"fr-CA": " Eau ", "en": "Water"}))
    assert body.title == {"fr-CA": "Eau", "en": "Water"}
    assert local(body.title) == (
        Translation(lang="fr-CA", text="Eau"),
        Translation(lang="en", text="Water"),
    )


@pytest.mark.parametrize(
    ("title", "detail"),
    [
        ({}, "at least one language"),
        ({"english": "Water"}, "not a language tag"),
        ({"e n": "Water"}, "not a language tag"),
        ({"en": "  "}, "en: must not be empty"),
        ({"en": "Water", "EN": "Water"}, "given twice"),
        ({"en": 3}, "en: must be a string"),
        ({"en": "x" * 2001}, "at most 2000"),
        ("", "must not be empty"),
        (["Water"], "a string or a language map"),
    ],
)
def test_a_bad_title_is_refused_naming_the_field(title: Any, detail: str) -> None:
    with pytest.raises(ValidationError) as refused:
        schemas.CommitmentIn.model_validate(commitment_body(title))
    (error,) = refused.value.errors()
    assert error["loc"] == ("title",)
    assert detail in error["msg"]


def test_every_title_and_narrative_of_a_body_takes_a_map() -> None:
    plan = schemas.PlanIn.model_validate(
        {"code": "P", "title": MAP, "sections": [{"code": "1", "title": MAP}]}
    )
    assert plan.title == plan.sections[0].title == MAP
    indicator = {"code": "i", "title": MAP, "unit": "%", "direction": "increase"}
    indicator["target"] = {"value": 1}
    assert local(schemas.IndicatorIn.model_validate(indicator).title)[0].text == "Clean water"  # type: ignore[index]
    milestone = changes.MILESTONE.command(schemas.MilestoneIn(code="m", title=MAP))  # type: ignore[arg-type]
    assert isinstance(milestone, AddMilestone) and milestone.title == local(MAP)
    report = changes.PROGRESS.command(
        schemas.ProgressIn.model_validate(
            {"as_of": "2016-01-01", "completion": "limited", "narrative": MAP}
        )
    )
    assert isinstance(report, ReportProgress) and report.narrative == local(MAP)
    amended = changes.AMENDMENT.command(
        schemas.AmendmentIn.model_validate({"reason": "typo", "title": MAP})
    )
    assert isinstance(amended, Amend) and amended.title == local(MAP)
    with pytest.raises(ValidationError):
        schemas.ProgressIn.model_validate(
            {"as_of": "2016-01-01", "completion": "limited", "narrative": {"fr": ""}}
        )


def test_a_partner_event_with_a_bad_map_is_refused_naming_the_field() -> None:
    event = StructuredEvent(
        id="e1",
        source="/ministry",
        type="org.pactstream.commitment.amended",
        subject="c1",
        time=None,
        data={"reason": "typo", "title": {"fr": ""}},
    )
    refused = _parse(event)
    assert isinstance(refused, Refusal) and refused.status == 422
    assert refused.item["problem"]["errors"][0]["pointer"] == "/data/title"
    good = _parse(replace(event, data={"reason": "typo", "title": MAP}))
    assert not isinstance(good, Refusal)
    assert isinstance(good[1], Amend) and good[1].title == local(MAP)


def test_accept_language_ranks_by_quality() -> None:
    assert accepted("de;q=0.5, fr-FR;q=0.9, en;q=0.1") == ["fr-FR", "de", "en"]
    assert accepted("fr;q=0, en") == ["en"]
    assert accepted(None) == []


@pytest.mark.parametrize(
    ("languages", "shown_text"),
    [
        ((), "Clean water"),
        (("fr",), "Eau propre"),
        (("fr-FR",), "Eau propre"),
        (("de", "fr"), "Eau propre"),
        (("de",), "Clean water"),
        (("EN",), "Clean water"),
    ],
)
def test_text_in_the_best_language_else_the_first_given(
    languages: tuple[str, ...], shown_text: str
) -> None:
    assert text_in(local(MAP), languages) == shown_text
    assert shown(local(MAP), languages) == {"title": shown_text, "titles": MAP}


def test_a_plain_title_answers_without_a_map() -> None:
    assert shown("Water", ("fr",)) == {"title": "Water", "titles": None}


def a_commitment(title: LocalText) -> Commitment:
    return Commitment(
        commitment_id="c1",
        plan_id="p1",
        code="C1",
        section="1",
        title=title,
        parties=(),
        deadline=None,
        priority=False,
        made_on=None,
        indicators=(),
        milestones=(Milestone("m1", local({"fr": "Étape", "en": "Step"}), None),),
    )


def test_a_commitment_answers_in_the_callers_language_with_every_language() -> None:
    answer = commitment_out(Versioned(a_commitment(local(MAP)), 1), ["fr"]).model_dump(mode="json")
    assert answer["title"] == "Eau propre"
    assert list(answer["titles"].items()) == list(MAP.items())
    assert answer["milestones"][0]["title"] == "Étape"
    first = commitment_out(Versioned(a_commitment(local(MAP)), 1)).model_dump(mode="json")
    assert first["title"] == "Clean water"
    assert first["milestones"][0]["title"] == "Étape", "the first given, without a language"
    plain = commitment_out(Versioned(a_commitment("Water"), 1), ["fr"]).model_dump(mode="json")
    assert plain["title"] == "Water" and "titles" not in plain
