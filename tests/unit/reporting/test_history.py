"""A plan month by month: the days its charts are drawn on, and the points filled
from per-day counts and sums."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from reporting.application.history import history_table, month_days, plan_history
from reporting.application.models import ReportDates
from tests.unit.reporting.fakes import FakeCommitments, FakeFunding, readers
from tests.unit.reporting.test_queries import PLAN


def test_every_month_ends_a_point_and_the_last_point_is_as_of() -> None:
    assert month_days(date(2019, 11, 15), date(2020, 2, 10)) == [
        date(2019, 11, 30),
        date(2019, 12, 31),
        date(2020, 1, 31),
        date(2020, 2, 10),
    ]
    assert month_days(date(2020, 2, 1), date(2020, 2, 29))[-1] == date(2020, 2, 29)
    assert month_days(date(2021, 1, 1), date(2020, 6, 1)) == [date(2020, 6, 1)]
    ten_years = month_days(date(2000, 1, 1), date(2020, 6, 1))
    assert len(ten_years) == 120 and ten_years[0] == date(2010, 7, 31)


async def test_the_history_counts_every_status_each_month_and_money_from_zero() -> None:
    dates = ReportDates(as_of=date(2016, 3, 15), known_at=datetime(2020, 1, 1, tzinfo=UTC))
    commitments = FakeCommitments(
        plan_rows={"p1": PLAN},
        status_days=[
            {"day": date(2016, 1, 31), "status": "planned", "n": 2},
            {"day": date(2016, 2, 29), "status": "planned", "n": 1},
            {"day": date(2016, 2, 29), "status": "launched", "n": 1},
            {"day": date(2016, 3, 15), "status": "completed", "n": 2},
        ],
    )
    funding = FakeFunding(
        money_days=[
            {
                "day": date(2016, 3, 15),
                "currency": "EUR",
                "pledged": Decimal("1000"),
                "committed": Decimal("400.5"),
                "disbursed": None,
                "spent": None,
            }
        ]
    )
    view = await plan_history(readers(commitments, funding), "p1", dates)
    assert [m.day for m in view.statuses] == [date(2016, 1, 31), date(2016, 2, 29), dates.as_of]
    assert [m.commitments for m in view.statuses] == [2, 2, 2]
    assert view.statuses[1].by_status == {
        "planned": 1,
        "launched": 1,
        "completed": 0,
        "suspended": 0,
        "cancelled": 0,
    }
    (eur,) = view.money
    assert eur.currency == "EUR"
    assert [(m.pledged, m.committed, m.spent) for m in eur.months] == [
        ("0.00", "0.00", "0.00"),
        ("0.00", "0.00", "0.00"),
        ("1000.00", "400.50", "0.00"),
    ]


async def test_the_history_table_has_a_row_per_day_and_a_column_per_currency_sum() -> None:
    dates = ReportDates(as_of=date(2016, 1, 10), known_at=datetime(2020, 1, 1, tzinfo=UTC))
    commitments = FakeCommitments(
        plan_rows={"p1": PLAN},
        status_days=[{"day": date(2016, 1, 10), "status": "launched", "n": 3}],
    )
    money_row = {"pledged": Decimal(5), "committed": None, "disbursed": None, "spent": None}
    funding = FakeFunding(
        money_days=[
            {"day": date(2016, 1, 10), "currency": "XOF", **money_row},
            {"day": date(2016, 1, 10), "currency": "EUR", **money_row},
        ]
    )
    table = history_table(await plan_history(readers(commitments, funding), "p1", dates))
    assert table.columns[:4] == ("day", "commitments", "planned", "launched")
    assert table.columns[7:9] == ("EUR pledged", "EUR committed")
    assert table.columns[-4] == "XOF pledged"
    assert table.rows == [
        (
            date(2016, 1, 10),
            3,
            0,
            3,
            0,
            0,
            0,
            *[Decimal(x) for x in ["5.00", "0.00", "0.00", "0.00", "5", "0", "0", "0"]],
        )
    ]
