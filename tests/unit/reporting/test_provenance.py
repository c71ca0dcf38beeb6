"""The lists inside views, page by page, and the flows behind a plan's money figures,
computed from rows without HTTP or a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from reporting.application import changes, money, plans, provenance
from reporting.application.errors import InvalidCursor, InvalidQuery
from reporting.application.lists import Page
from reporting.application.provenance import FlowChoice
from tests.unit.reporting.fakes import FakeCommitments, FakeFunding, readers
from tests.unit.reporting.test_queries import DATES, PLAN, commitment

T0 = datetime(2019, 1, 1, 9, tzinfo=UTC)


def _late_plan(n: int) -> FakeCommitments:
    """``n`` commitments, the first the most late (1 day apart)."""
    return FakeCommitments(
        plan_rows={"p1": PLAN},
        commitment_rows=[
            commitment(f"c{i}", f"{i:02d}", date(2020, 1, 1) + timedelta(days=i)) for i in range(n)
        ],
    )


async def _every_page(fetch: Any, *, grow: Any = None) -> list[Any]:
    seen: list[Any] = []
    cursor = None
    while True:
        found: Page[Any] = await fetch(cursor)
        seen += found.items
        if found.next_cursor is None:
            return seen
        if grow is not None:
            grow()
        cursor = found.next_cursor


async def test_overdue_pages_follow_the_view_and_a_commitment_added_meanwhile_moves_nothing() -> (
    None
):
    reader = _late_plan(7)
    whole = (await plans.deadlines(reader, "p1", DATES, 0)).overdue
    added = iter(range(100))

    def grow() -> None:
        # Very late, so first in the order: already passed, it must not shift later pages.
        reader.commitment_rows.append(commitment(f"n{next(added)}", "00-new", date(2019, 1, 1)))

    paged = await _every_page(
        lambda cursor: plans.overdue_page(reader, "p1", DATES, cursor, 3), grow=grow
    )
    assert [c.code for c in paged] == [c.code for c in whole]
    assert len(whole) == 7


async def test_upcoming_pages_list_the_soonest_first_within_the_window() -> None:
    reader = _late_plan(0)
    reader.commitment_rows += [
        commitment(f"u{i}", f"U{i}", DATES.as_of + timedelta(days=10 * i)) for i in range(5)
    ]
    paged = await _every_page(
        lambda cursor: plans.upcoming_page(reader, "p1", DATES, 30, cursor, 2)
    )
    assert [(c.code, c.days_left) for c in paged] == [("U0", 0), ("U1", 10), ("U2", 20), ("U3", 30)]


def _event(cid: str, n: int, *, occurred: datetime | None = None) -> dict[str, Any]:
    return {
        "event_id": uuid4(),
        "commitment_id": cid,
        "type": "org.pactstream.commitment.progress_reported",
        "source": "urn:partner",
        "occurred_at": occurred or T0 + timedelta(days=n),
        "recorded_at": T0 + timedelta(days=n, hours=1),
        "partner": "ngo",
        "data": {"n": n},
    }


async def test_a_timeline_pages_by_business_time_then_record_time_with_provenance() -> None:
    reader = _late_plan(1)
    reader.timeline_rows = [_event("c0", n) for n in (3, 1, 2, 0, 4)]
    read = readers(reader)
    paged = await _every_page(
        lambda cursor: provenance.timeline_page(read, "c0", DATES, cursor, 2),
        grow=lambda: reader.timeline_rows.append(_event("c0", 9, occurred=T0)),
    )
    assert [t.data["n"] for t in paged if t.data["n"] != 9] == [0, 1, 2, 3, 4]
    assert {t.partner for t in paged} == {"ngo"}


async def test_a_timeline_cursor_is_not_a_flow_cursor() -> None:
    reader = _late_plan(1)
    reader.timeline_rows = [_event("c0", n) for n in range(3)]
    read = readers(reader)
    first = await provenance.timeline_page(read, "c0", DATES, None, 1)
    assert first.next_cursor is not None
    with pytest.raises(InvalidCursor) as raised:
        await provenance.flow_page(read, "c0", DATES, first.next_cursor, 1)
    assert raised.value.parameter == "cursor"


def _flow(fid: str, kind: str, amount: str, currency: str = "EUR", **extra: Any) -> dict[str, Any]:
    return {
        "agreement_id": "a1",
        "flow_id": fid,
        "type": kind,
        "direction": "outgoing",
        "iati_code": 2,
        "amount": Decimal(amount),
        "currency": currency,
        "date": date(2019, 3, int(fid[1:]) + 1),
        "source": "EIB",
        "reference": None,
        "illustrative": False,
        "partner": "bank",
        "reversed": False,
        "recorded_at": T0 + timedelta(days=int(fid[1:])),
        "event_id": uuid4(),
        "commitment_id": "c0",
        "plan_id": "p1",
        "section": "1",
        **extra,
    }


FLOWS = [
    _flow("f0", "commitment", "1000"),
    _flow("f1", "decommitment", "100"),
    _flow("f2", "disbursement", "400"),
    _flow("f3", "commitment", "50", "USD"),
    _flow("f4", "commitment", "70", section="2"),
]


def _sums(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the database's sums give for ``rows`` (plan totals and by section)."""
    out = []
    for currency in sorted({r["currency"] for r in rows}):
        mine = [r for r in rows if r["currency"] == currency]
        committed = sum(
            (r["amount"] if r["type"] == "commitment" else -r["amount"])
            for r in mine
            if r["type"] in ("commitment", "decommitment")
        )
        disbursed = sum(r["amount"] for r in mine if r["type"] == "disbursement")
        out.append(
            {"plan_id": "p1", "currency": currency, "committed": committed, "disbursed": disbursed}
        )
    return out


async def test_the_flows_behind_a_figure_add_up_to_it_with_their_provenance() -> None:
    funding = FakeFunding(flow_rows=FLOWS, sums=_sums(FLOWS))
    read = readers(FakeCommitments(plan_rows={"p1": PLAN}), funding)
    view = await money.plan_funding(read, "p1", DATES)
    for figure in ("committed", "disbursed"):
        found = await provenance.plan_flows(read, "p1", DATES, FlowChoice(figure, "EUR"))
        shown = getattr(view.totals["EUR"], figure).amount
        assert provenance.signed_total(found) == Decimal(shown)
    committed = await provenance.plan_flows(read, "p1", DATES, FlowChoice("committed", "EUR"))
    assert [f.id for f in committed] == ["f0", "f1", "f4"]
    assert all(f.partner == "bank" and f.event_id and f.recorded_at for f in committed)
    by_section = await provenance.plan_flows(
        read, "p1", DATES, FlowChoice("committed", "EUR", section="2")
    )
    assert [f.id for f in by_section] == ["f4"]


async def test_plan_flows_page_by_date_and_refuse_an_unknown_figure() -> None:
    read = readers(FakeCommitments(plan_rows={"p1": PLAN}), FakeFunding(flow_rows=FLOWS))
    paged = await _every_page(
        lambda cursor: provenance.plan_flow_page(read, "p1", DATES, FlowChoice(), cursor, 2)
    )
    assert [f.id for f in paged] == ["f0", "f1", "f2", "f3", "f4"]
    with pytest.raises(InvalidQuery) as raised:
        FlowChoice("agreed")
    assert raised.value.parameter == "figure"


async def test_changes_page_in_the_view_s_order_and_keep_its_fields() -> None:
    reader = FakeCommitments(plan_rows={"p1": PLAN})
    reader.event_rows = [
        {**_event("c0", n), "commitment_id": "c0", "type": "org.pactstream.commitment.made"}
        for n in range(5)
    ]
    window = changes.Window(date(2018, 1, 1), date(2020, 1, 1))
    whole = await changes.changes(reader, "p1", window, DATES)
    seen, cursor = [], None
    while True:
        view, cursor = await changes.change_page(reader, "p1", window, DATES, cursor, 2)
        assert view.from_ == date(2018, 1, 1)
        seen += view.changes
        if cursor is None:
            break
    assert seen == whole.changes and len(seen) == 5


async def test_agreed_leads_to_its_agreements_and_figures_are_shown_as_the_view_does() -> None:
    agreements = [
        {
            "agreement_id": f"a{n}",
            "code": f"A{n}",
            "title": "Agreement",
            "currency": currency,
            "period": None,
            "section": section,
            "total": Decimal(total),
            "contributions": [{"source": "EIB", "amount": total}],
            "illustrative": False,
            "signed_on": date(2019, 1, 1),
            "recorded_at": T0,
            "partner": "bank",
            "event_id": uuid4(),
        }
        for n, (currency, section, total) in enumerate(
            [("EUR", "1", "100"), ("EUR", "2", "50"), ("USD", "1", "10")]
        )
    ]
    funding = FakeFunding(agreement_rows=agreements, flow_rows=FLOWS, sums=_sums(FLOWS))
    read = readers(FakeCommitments(plan_rows={"p1": PLAN}), funding)
    view = await money.plan_funding(read, "p1", DATES)
    behind = provenance.agreements_behind(view, "EUR")
    assert [a.code for a in behind] == ["A0", "A1"]
    assert all(a.event_id and a.partner == "bank" and a.recorded_at for a in behind)
    shown = provenance.shown_figure(view, "agreed", "EUR")
    assert shown is not None
    assert sum(Decimal(a.total.amount) for a in behind) == Decimal(shown.amount) == 150
    assert [a.code for a in provenance.agreements_behind(view, "EUR", section="2")] == ["A1"]
    assert provenance.shown_figure(view, "committed", "EUR", "1", "EIB") is None
    none_here = provenance.shown_figure(view, "spent", "GBP")
    assert none_here is not None and none_here.amount == "0.00"
