"""The revisions view: what each revision changed, and what changed between any two
as a whole, from rows without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from reporting.application import revisions
from reporting.application.errors import InvalidQuery, InvalidRange, NotFound
from reporting.application.models import ReportDates
from reporting.application.revision_tables import revisions_table
from tests.unit.reporting.fakes import FakeCommitments

DATES = ReportDates(as_of=date(2020, 6, 1), known_at=datetime(2020, 6, 1, 12, tzinfo=UTC))
A, B, C = (
    {"code": c, "title": t} for c, t in (("A", "Energy"), ("B", "Transport"), ("C", "Cities"))
)
PLAN = {"plan_id": "p1", "code": "NAP", "title": "Plan", "language": "en", "period": None}


def revision(n: int, sections: list[dict[str, Any]], *moves: tuple[str, str]) -> dict[str, Any]:
    return {
        "plan_id": "p1",
        "revision": n,
        "as_of": date(2017 + n, 1, 1),
        "reason": None if n == 0 else f"review {n}",
        "sections": sections,
        "moves": [{"commitment_id": c, "section": s} for c, s in moves],
        "recorded_at": datetime(2017 + n, 1, 2, tzinfo=UTC),
    }


def reader() -> FakeCommitments:
    """Revision 1 renames A and adds C; revision 2 retires B, moving b1 to C, and moves
    a1 to C and back to A over revisions 1 and 2."""
    renamed = {**A, "title": "Energy and climate"}
    return FakeCommitments(
        plan_rows={"p1": {**PLAN, "sections": [A, B]}},
        commitment_rows=[
            {"commitment_id": "a1", "plan_id": "p1", "section": "A"},
            {"commitment_id": "b1", "plan_id": "p1", "section": "B"},
        ],
        revision_rows=[
            revision(0, [A, B]),
            revision(1, [renamed, B, C], ("a1", "C")),
            revision(2, [renamed, C], ("b1", "C"), ("a1", "A")),
        ],
    )


async def test_every_revision_lists_what_it_changed_and_the_whole_what_changed_since_0() -> None:
    view = await revisions.revisions(reader(), "p1", DATES)
    assert (view.first, view.last) == (0, 2)
    one, two = view.revisions
    assert [s.code for s in one.added] == ["C"] and one.reason == "review 1"
    assert [(r.code, r.before, r.after) for r in one.renamed] == [
        ("A", "Energy", "Energy and climate")
    ]
    assert [(m.commitment, m.before, m.after) for m in one.moved] == [("a1", "A", "C")]
    assert [s.code for s in two.retired] == ["B"]
    assert [(m.commitment, m.before, m.after) for m in two.moved] == [
        ("b1", "B", "C"),
        ("a1", "C", "A"),
    ]
    assert [s.code for s in view.added] == ["C"] and [s.code for s in view.retired] == ["B"]
    assert [(m.commitment, m.before, m.after) for m in view.moved] == [("b1", "B", "C")]
    assert [s.code for s in view.sections] == ["A", "C"]
    dumped = view.model_dump(mode="json")
    assert dumped["from"] == 0 and dumped["to"] == 2
    assert dumped["renamed"] == [{"code": "A", "from": "Energy", "to": "Energy and climate"}]
    assert ("retired", "B", None, "Transport", None) in revisions_table(view).rows


async def test_between_two_revisions_only_those_after_the_first_count() -> None:
    view = await revisions.revisions(reader(), "p1", DATES, 1, 2)
    assert [r.revision for r in view.revisions] == [2]
    assert view.added == [] and view.renamed == []
    assert [(m.commitment, m.before, m.after) for m in view.moved] == [
        ("b1", "B", "C"),
        ("a1", "C", "A"),
    ]
    same = await revisions.revisions(reader(), "p1", DATES, 1, 1)
    assert same.revisions == [] and same.moved == [] and same.retired == []


@pytest.mark.parametrize(
    ("first", "last", "error", "parameter"),
    [
        (3, None, InvalidQuery, "from"),
        (0, 5, InvalidQuery, "to"),
        (2, 1, InvalidRange, "from"),
    ],
)
async def test_a_revision_the_plan_does_not_have_is_refused_naming_the_parameter(
    first: int, last: int | None, error: type[InvalidQuery], parameter: str
) -> None:
    with pytest.raises(error) as refused:
        await revisions.revisions(reader(), "p1", DATES, first, last)
    assert refused.value.parameter == parameter


async def test_an_unknown_plan_is_not_found() -> None:
    with pytest.raises(NotFound):
        await revisions.revisions(reader(), "p2", DATES)
