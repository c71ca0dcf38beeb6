"""A recurring deadline is due once per period, each period overdue on its own until
a progress report dated in it (or after it) covers it."""

from __future__ import annotations

from datetime import date

from reporting.application.progress import CommitmentRow, due_on, is_overdue
from reporting.application.views import deadline_class

YEARLY = {"every": "year", "from": "2019-01-01", "until": "2024-12-31"}


def test_a_plain_deadline_is_due_on_its_end() -> None:
    assert due_on(date(2020, 6, 30), None, None, date(2021, 1, 1)) == date(2020, 6, 30)
    assert due_on(None, None, None, date(2021, 1, 1)) is None


def test_with_no_report_the_first_period_is_due() -> None:
    assert due_on(date(2024, 12, 31), YEARLY, None, date(2021, 6, 1)) == date(2019, 12, 31)


def test_a_report_covers_the_period_it_is_dated_in_and_those_before() -> None:
    # Reported during 2020: 2019 and 2020 are covered, 2021 is next.
    assert due_on(None, YEARLY, date(2020, 3, 1), date(2021, 6, 1)) == date(2021, 12, 31)
    # Reported on the last day of 2019: 2020 is due, and overdue by mid-2021.
    assert due_on(None, YEARLY, date(2019, 12, 31), date(2021, 6, 1)) == date(2020, 12, 31)


def test_every_period_covered_leaves_nothing_due() -> None:
    assert due_on(None, YEARLY, date(2024, 2, 1), date(2025, 3, 1)) is None


def test_quarters_follow_their_start() -> None:
    quarterly = {"every": "quarter", "from": "2021-06-01", "until": None}
    assert due_on(None, quarterly, None, date(2021, 7, 1)) == date(2021, 8, 31)
    # Reported in September: June-August and September-November are covered.
    assert due_on(None, quarterly, date(2021, 9, 15), date(2022, 1, 10)) == date(2022, 2, 28)


def test_a_recurring_commitment_is_overdue_between_reports() -> None:
    row = CommitmentRow("1", "launched", False, date(2024, 12, 31), YEARLY, None)
    assert is_overdue(row, date(2020, 1, 1))
    assert not is_overdue(row, date(2019, 12, 31))
    reported = CommitmentRow("1", "launched", False, date(2024, 12, 31), YEARLY, date(2019, 7, 15))
    assert not is_overdue(reported, date(2020, 6, 1))
    assert is_overdue(reported, date(2021, 1, 1))  # 2020 was not reported on.


def test_the_deadline_lists_count_days_from_the_uncovered_period() -> None:
    row = {
        "deadline_end": date(2024, 12, 31),
        "recurrence": YEARLY,
        "reported_on": None,
        "status": "launched",
    }
    assert deadline_class(row, date(2020, 1, 10), 30) == ("overdue", 10)
    covered = {**row, "reported_on": date(2019, 5, 1)}
    assert deadline_class(covered, date(2020, 12, 11), 30) == ("upcoming", 20)
    assert deadline_class({**row, "status": "completed"}, date(2022, 1, 1), 30) is None


def test_a_recurrence_at_the_end_of_the_calendar_does_not_fail_a_view() -> None:
    late = {"every": "quarter", "from": "9999-12-01", "until": None}
    assert due_on(None, late, None, date(2020, 1, 1)) is None
    assert due_on(None, YEARLY, None, date(9999, 12, 31)) == date(2019, 12, 31)
