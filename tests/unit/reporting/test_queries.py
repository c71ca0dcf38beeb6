"""The views, computed from rows without HTTP or a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from reporting.application import commitments, money, parties, plans
from reporting.application.dates import report_dates
from reporting.application.errors import InvalidCursor, InvalidQuery, InvalidRange, NotFound
from reporting.application.lists import CommitmentFilter, Sort
from reporting.application.models import ReportDates
from tests.unit.reporting.fakes import FakeCommitments, FakeFunding, readers

DATES = ReportDates(as_of=date(2020, 6, 1), known_at=datetime(2020, 6, 1, 12, tzinfo=UTC))
PLAN = {
    "plan_id": "p1",
    "code": "NAP",
    "title": "Plan",
    "language": "fr",
    "period": {"label": "2016/2020", "start": "2016-01-01", "end": "2020-12-31"},
    "sections": [{"code": "1", "title": "Énergie"}],
}


def commitment(cid: str, code: str, deadline_end: date | None, **extra: Any) -> dict[str, Any]:
    return {
        "commitment_id": cid,
        "plan_id": "p1",
        "code": code,
        "section": "1",
        "title": f"Commitment {code}",
        "status": "launched",
        "priority": False,
        "deadline": None,
        "deadline_end": deadline_end,
        "parties": [{"name": "Ministry", "role": "responsible"}],
        "completion": None,
        "made_on": None,
        **extra,
    }


def test_a_naive_known_at_is_utc_and_the_default_day_is_the_utc_date_of_the_clock() -> None:
    late_evening_west = datetime(2020, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    dates = report_dates(None, datetime(2019, 5, 1, 8), late_evening_west)
    assert dates.as_of == date(2020, 1, 2)
    assert dates.known_at == datetime(2019, 5, 1, 8, tzinfo=UTC)
    assert report_dates(None, None, late_evening_west).known_at == late_evening_west


def test_a_known_at_beyond_the_representable_range_is_an_invalid_query() -> None:
    with pytest.raises(InvalidQuery) as raised:
        report_dates(
            None, datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))), datetime.now(UTC)
        )
    assert raised.value.parameter == "known_at"


async def test_deadlines_list_the_most_late_first_and_the_soonest_next() -> None:
    reader = FakeCommitments(
        plan_rows={"p1": PLAN},
        commitment_rows=[
            commitment("a", "1.1", date(2020, 5, 1)),
            commitment("b", "1.2", date(2019, 1, 1)),
            commitment("c", "1.3", date(2020, 6, 20)),
            commitment("d", "1.4", date(2020, 6, 10)),
            commitment("e", "1.5", date(2019, 1, 1), status="completed"),
            commitment("f", "1.6", None),
        ],
    )
    view = await plans.deadlines(reader, "p1", DATES, within_days=30)
    assert [(c.code, c.days_overdue) for c in view.overdue] == [("1.2", 517), ("1.1", 31)]
    assert [(c.code, c.days_left) for c in view.upcoming] == [("1.4", 9), ("1.3", 19)]


async def test_an_unknown_plan_or_commitment_is_not_found() -> None:
    reader = FakeCommitments()
    with pytest.raises(NotFound, match="no plan 'nope'"):
        await plans.progress(reader, "nope", DATES)
    with pytest.raises(NotFound, match="no commitment 'c9'"):
        await commitments.commitment(readers(reader), "c9", DATES)


async def test_the_commitment_view_shows_each_indicator_s_way_to_its_target() -> None:
    reader = FakeCommitments(
        plan_rows={"p1": PLAN},
        commitment_rows=[commitment("a", "1.1", date(2020, 1, 1))],
        indicator_rows=[
            {
                "commitment_id": "a",
                "definition": {
                    "code": "share",
                    "title": "Share",
                    "unit": "%",
                    "direction": "increase",
                    "baseline": {"value": "10", "date": "2016-01-01"},
                    "target": {"value": "30", "date": None},
                },
                "latest_value": Decimal("15"),
                "latest_as_of": date(2019, 1, 1),
            }
        ],
    )
    view = await commitments.commitment(readers(reader), "a", DATES)
    assert view.overdue
    (indicator,) = view.indicators
    assert indicator.progress_pct == 25.0
    assert indicator.latest is not None and indicator.latest.value == "15"
    body = view.model_dump(mode="json")
    assert body["known_at"] == "2020-06-01T12:00:00+00:00"
    assert body["indicators"][0]["baseline"] == {"value": "10", "date": "2016-01-01"}


async def test_plan_funding_keeps_currencies_apart_and_names_each_source() -> None:
    reader = FakeCommitments(plan_rows={"p1": PLAN})
    funding = FakeFunding(
        sums=[
            {
                "plan_id": "p1",
                "currency": "EUR",
                "committed": Decimal("100"),
                "disbursed": Decimal("25"),
                "source": "EIB",
            },
            {"plan_id": "p1", "currency": "XOF", "committed": Decimal("5000"), "source": None},
        ],
        source_rows={"EIB": {"code": "EIB", "name": "European Investment Bank", "kind": "bank"}},
    )
    view = await money.plan_funding(readers(reader, funding), "p1", DATES)
    assert view.totals["EUR"].committed.amount == "100.00"
    assert view.totals["EUR"].absorption_pct == 25.0
    assert view.totals["XOF"].committed.amount == "5000"
    assert [(s.source, s.name) for s in view.by_source] == [("EIB", "European Investment Bank")]
    assert "converted" not in view.model_dump(mode="json")


async def test_a_scorecard_counts_a_party_s_commitments_by_role_and_plan() -> None:
    ministry_and_fund = [
        {"name": "Ministry", "role": "responsible"},
        {"name": "Fund", "role": "funder"},
    ]
    reader = FakeCommitments(
        plan_rows={"p1": PLAN},
        commitment_rows=[
            commitment("a", "1.1", date(2020, 1, 1)),
            commitment("b", "1.2", None, status="completed", parties=ministry_and_fund),
        ],
    )
    card = await parties.scorecard(readers(reader), "Ministry", DATES)
    assert card.by_role == {"responsible": 2}
    assert card.totals.commitments == 2 and card.totals.completed_pct == 50.0
    assert [(p.code, p.totals.commitments) for p in card.by_plan] == [("NAP", 2)]
    assert [c.overdue for c in card.commitments] == [True, False]
    with pytest.raises(NotFound):
        await parties.scorecard(readers(reader), "Nobody", DATES)


def _plan_with(rows: list[dict[str, Any]]) -> FakeCommitments:
    sections = [
        {"code": "1", "title": "Énergie"},
        {"code": "1.1", "title": "Solaire", "parent": "1"},
        {"code": "2", "title": "Mines"},
    ]
    return FakeCommitments(plan_rows={"p1": {**PLAN, "sections": sections}}, commitment_rows=rows)


FILTERED = [
    commitment("a", "A", date(2020, 1, 31), title="Réseau d'énergie numérique"),
    commitment("b", "B", date(2021, 1, 31), section="1.1", status="completed", priority=True),
    commitment("c", "C", None, section="2", parties=[{"name": "État", "role": "funder"}]),
    commitment("d", "D", date(2019, 5, 1), section="2", status="planned"),
]


@pytest.mark.parametrize(
    ("criteria", "codes"),
    [
        (CommitmentFilter(status=frozenset({"completed", "planned"})), ["B", "D"]),
        (CommitmentFilter(party="etat"), ["C"]),
        (CommitmentFilter(section="1"), ["A", "B"]),
        (CommitmentFilter(priority=True), ["B"]),
        (CommitmentFilter(overdue=True), ["A", "D"]),
        (CommitmentFilter(overdue=False), ["B", "C"]),
        (
            CommitmentFilter(deadline_from=date(2020, 1, 31), deadline_to=date(2021, 1, 31)),
            ["A", "B"],
        ),
        (CommitmentFilter(q="ENERGIE numerique"), ["A"]),
        (CommitmentFilter(q="energie num", section="2"), []),
    ],
)
async def test_commitments_are_found_by_every_criterion_given(
    criteria: CommitmentFilter, codes: list[str]
) -> None:
    found = await plans.commitment_page(_plan_with(FILTERED), "p1", DATES, criteria)
    assert [c.code for c in found.items] == codes


@pytest.mark.parametrize(
    ("sort", "codes"),
    [
        ("code", ["A", "B", "C", "D"]),
        ("deadline", ["D", "A", "B", "C"]),
        ("-deadline", ["B", "A", "D", "C"]),
        ("status", ["D", "A", "C", "B"]),
    ],
)
async def test_pages_follow_the_sort_and_their_cursors_neither_repeat_nor_skip(
    sort: Sort, codes: list[str]
) -> None:
    reader = _plan_with(FILTERED)
    seen: list[str] = []
    cursor = None
    for _ in range(4):
        found = await plans.commitment_page(reader, "p1", DATES, None, sort, cursor, limit=3)
        seen += [c.code for c in found.items]
        if found.next_cursor is None:
            break
        reader.commitment_rows.append(commitment("z", "0-new", date(2018, 1, 1)))
        cursor = found.next_cursor
    assert [c for c in seen if c != "0-new"] == codes


async def test_a_cursor_made_up_or_from_another_sort_is_refused_naming_it() -> None:
    reader = _plan_with(FILTERED)
    first = await plans.commitment_page(reader, "p1", DATES, None, "code", None, limit=1)
    assert first.next_cursor is not None
    for cursor, sort in (("not-a-cursor", "code"), (first.next_cursor, "deadline")):
        with pytest.raises(InvalidCursor) as raised:
            await plans.commitment_page(reader, "p1", DATES, None, sort, cursor, limit=1)
        assert raised.value.parameter == "cursor"


def test_unknown_statuses_and_reversed_ranges_are_refused_naming_the_parameter() -> None:
    with pytest.raises(InvalidQuery) as unknown:
        CommitmentFilter(status=frozenset({"launched", "done"}))
    assert unknown.value.parameter == "status"
    with pytest.raises(InvalidRange):
        CommitmentFilter(deadline_from=date(2021, 1, 1), deadline_to=date(2020, 1, 1))


async def test_plans_are_found_by_their_title_without_accents() -> None:
    reader = FakeCommitments(
        plan_rows={
            "p1": {**PLAN, "title": "Contrat stratégique de la filière Mines et Métallurgie"},
            "p2": {**PLAN, "plan_id": "p2", "code": "OTH", "title": "Other plan"},
        }
    )
    for row in reader.plan_rows.values():
        row.update(commitments=0, priority=0, completed=0)
    found = await plans.plan_page(reader, DATES, "metallurgie", None, 100)
    assert [p.id for p in found.items] == ["p1"]
