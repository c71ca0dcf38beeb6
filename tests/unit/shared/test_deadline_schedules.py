"""Deadlines that are more than one stretch of the calendar: open, recurring, relative to
a plan's key date, and several milestones in one text; their due dates and JSON."""

from datetime import date

import pytest

from shared.deadlines import (
    Deadline,
    Milestone,
    PlanCalendar,
    Recurrence,
    milestone_objects,
    period_object,
    read_deadline,
)
from shared.periods import InvalidPeriod

PLAN = PlanCalendar(
    fiscal_year_start=4,
    key_dates={"Summit": date(2021, 8, 31), "adoption": None, "la COP 26": date(2021, 10, 31)},
    start=date(2019, 1, 1),
    end=date(2023, 12, 31),
)
UNBOUNDED = PlanCalendar(key_dates={"summit": date(2020, 1, 31)})


def read(label: str, plan: PlanCalendar = PLAN) -> Deadline:
    deadline = read_deadline(label, plan=plan, field="/deadline")
    assert deadline is not None and deadline.label == label
    return deadline


@pytest.mark.parametrize(
    ("label", "plan", "start", "end"),
    [
        ("ongoing", PLAN, date(2019, 1, 1), date(2023, 12, 31)),
        ("Ongoing.", PLAN, date(2019, 1, 1), date(2023, 12, 31)),
        ("en continu", PLAN, date(2019, 1, 1), date(2023, 12, 31)),
        ("en permanence", PLAN, date(2019, 1, 1), date(2023, 12, 31)),
        ("throughout the plan", PLAN, date(2019, 1, 1), date(2023, 12, 31)),
        ("from June 2021 and ongoing", PLAN, date(2021, 6, 1), date(2023, 12, 31)),
        ("ongoing from June 2021", PLAN, date(2021, 6, 1), date(2023, 12, 31)),
        ("à partir de juin 2021 et en continu", PLAN, date(2021, 6, 1), date(2023, 12, 31)),
        ("en continu à partir de juin 2021", PLAN, date(2021, 6, 1), date(2023, 12, 31)),
        ("dès mars 2019", PLAN, date(2019, 3, 1), date(2023, 12, 31)),
        ("des mars 2019", PLAN, date(2019, 3, 1), date(2023, 12, 31)),
        ("à partir de mars 2019", PLAN, date(2019, 3, 1), date(2023, 12, 31)),
        ("à compter du 15 mars 2019", PLAN, date(2019, 3, 15), date(2023, 12, 31)),
        ("from March 2019", PLAN, date(2019, 3, 1), date(2023, 12, 31)),
        ("starting in spring 2020", PLAN, date(2020, 3, 1), date(2023, 12, 31)),
        ("2021 onwards", PLAN, date(2021, 1, 1), date(2023, 12, 31)),
        ("ongoing until 2022", PLAN, date(2019, 1, 1), date(2022, 12, 31)),
        ("by 2021 and ongoing", PLAN, date(2021, 1, 1), date(2023, 12, 31)),
        ("2020-2022 then ongoing", PLAN, date(2020, 1, 1), date(2023, 12, 31)),
        ("continuous from 2020", PLAN, date(2020, 1, 1), date(2023, 12, 31)),
        ("dès mars 2019", UNBOUNDED, date(2019, 3, 1), None),
        ("ongoing", UNBOUNDED, None, None),
    ],
)
def test_an_open_deadline_starts_and_ends_with_the_plan_unless_it_says_otherwise(
    label: str, plan: PlanCalendar, start: date | None, end: date | None
) -> None:
    deadline = read(label, plan)
    assert (deadline.start, deadline.end, deadline.open_ended) == (start, end, True)
    assert deadline.recurrence is None and deadline.pending is None


def test_an_open_deadline_is_due_only_when_the_plan_ends() -> None:
    assert read("from June 2021 and ongoing").due_dates(date(2023, 12, 30)) == []
    assert read("from June 2021 and ongoing").due_dates(date(2024, 1, 1)) == [date(2023, 12, 31)]
    assert read("ongoing", UNBOUNDED).due_dates(date(2100, 1, 1)) == []


def test_a_start_after_the_plan_ends_is_refused() -> None:
    with pytest.raises(InvalidPeriod, match="after the plan ends"):
        read("dès 2025")


@pytest.mark.parametrize(
    ("label", "every", "start", "until"),
    [
        ("each year", "year", date(2019, 1, 1), date(2023, 12, 31)),
        ("every year", "year", date(2019, 1, 1), date(2023, 12, 31)),
        ("annually", "year", date(2019, 1, 1), date(2023, 12, 31)),
        ("chaque année", "year", date(2019, 1, 1), date(2023, 12, 31)),
        ("tous les ans", "year", date(2019, 1, 1), date(2023, 12, 31)),
        ("annuellement", "year", date(2019, 1, 1), date(2023, 12, 31)),
        ("twice a year", "half-year", date(2019, 1, 1), date(2023, 12, 31)),
        ("semestriellement", "half-year", date(2019, 1, 1), date(2023, 12, 31)),
        ("tous les six mois", "half-year", date(2019, 1, 1), date(2023, 12, 31)),
        ("quarterly", "quarter", date(2019, 1, 1), date(2023, 12, 31)),
        ("chaque trimestre", "quarter", date(2019, 1, 1), date(2023, 12, 31)),
        ("monthly", "month", date(2019, 1, 1), date(2023, 12, 31)),
        ("tous les mois", "month", date(2019, 1, 1), date(2023, 12, 31)),
        ("each year from 2021", "year", date(2021, 1, 1), date(2023, 12, 31)),
        ("from June 2021, each year", "year", date(2021, 6, 1), date(2023, 12, 31)),
        ("quarterly from Q2 2021", "quarter", date(2021, 4, 1), date(2023, 12, 31)),
        ("chaque année jusqu'en 2021", "year", date(2019, 1, 1), date(2021, 12, 31)),
        ("annually 2020-2022", "year", date(2020, 1, 1), date(2022, 12, 31)),
        ("monthly from March 2020 until June 2020", "month", date(2020, 3, 1), date(2020, 6, 30)),
        ("each year, ongoing", "year", date(2019, 1, 1), date(2023, 12, 31)),
        ("each fiscal year", "year", date(2018, 4, 1), date(2023, 12, 31)),
        ("chaque exercice à partir de 2020", "year", date(2019, 4, 1), date(2023, 12, 31)),
    ],
)
def test_a_recurring_deadline_runs_from_its_start_until_the_plan_ends(
    label: str, every: str, start: date, until: date
) -> None:
    deadline = read(label)
    assert deadline.recurrence == Recurrence(every=every, start=start, until=until)
    assert (deadline.start, deadline.end) == (start, until)


@pytest.mark.parametrize(
    ("label", "count", "first", "last"),
    [
        ("each year", 5, date(2019, 12, 31), date(2023, 12, 31)),
        ("twice a year", 10, date(2019, 6, 30), date(2023, 12, 31)),
        ("quarterly", 20, date(2019, 3, 31), date(2023, 12, 31)),
        ("monthly", 60, date(2019, 1, 31), date(2023, 12, 31)),
        ("each year from June 2021", 3, date(2022, 5, 31), date(2023, 12, 31)),
        ("each fiscal year", 6, date(2019, 3, 31), date(2023, 12, 31)),
    ],
)
def test_a_recurrence_is_due_at_the_end_of_each_period_until_the_plan_ends(
    label: str, count: int, first: date, last: date
) -> None:
    due = read(label).due_dates(date(2030, 1, 1))
    assert (len(due), due[0], due[-1]) == (count, first, last)
    assert due == sorted(set(due))


def test_each_due_date_of_a_recurrence_comes_on_its_own() -> None:
    quarterly = read("quarterly")
    assert quarterly.due_dates(date(2019, 3, 30)) == []
    assert quarterly.due_dates(date(2019, 7, 1)) == [date(2019, 3, 31), date(2019, 6, 30)]
    monthly = Recurrence("month", date(2020, 1, 31), date(2020, 4, 30))
    assert monthly.due_dates(date(2021, 1, 1)) == [
        date(2020, 2, 28), date(2020, 3, 30), date(2020, 4, 29), date(2020, 4, 30)
    ]  # fmt: skip
    assert Recurrence("year", None, None).due_dates(date(2030, 1, 1)) == []
    assert read("each year", UNBOUNDED).due_dates(date(2030, 1, 1)) == []


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("within 18 months of the summit", date(2021, 8, 31), date(2023, 2, 28)),
        ("within eighteen months of Summit", date(2021, 8, 31), date(2023, 2, 28)),
        ("within six months of the summit", date(2021, 8, 31), date(2022, 2, 28)),
        ("within a year and a half of the summit", date(2021, 8, 31), date(2023, 2, 28)),
        ("within two years of the summit", date(2021, 8, 31), date(2023, 8, 31)),
        ("within 90 days of the summit", date(2021, 8, 31), date(2021, 11, 29)),
        ("no later than 6 weeks after the summit", date(2021, 8, 31), date(2021, 10, 12)),
        ("dans les dix-huit mois suivant la COP26", date(2021, 10, 31), date(2023, 4, 30)),
        ("d'ici 6 mois après la COP 26", date(2021, 10, 31), date(2022, 4, 30)),
        ("dans un délai de vingt-quatre mois à compter de la COP-26", date(2021, 10, 31),
         date(2023, 10, 31)),
        ("un an après la cop 26", date(2021, 10, 31), date(2022, 10, 31)),
        ("six mois avant la COP 26", date(2021, 4, 30), date(2021, 4, 30)),
        ("three months before the summit", date(2021, 5, 31), date(2021, 5, 31)),
        ("by the summit", date(2021, 8, 31), date(2021, 8, 31)),
        ("lors de la COP 26", date(2021, 10, 31), date(2021, 10, 31)),
        ("dans un délai d'un an à compter de la COP 26", date(2021, 10, 31),
         date(2022, 10, 31)),
        ("dans l'année suivant la COP 26", date(2021, 10, 31), date(2022, 10, 31)),
        ("within the month following the summit", date(2021, 8, 31), date(2021, 9, 30)),
    ],
)  # fmt: skip
def test_a_deadline_after_a_dated_key_date_is_resolved(label: str, start: date, end: date) -> None:
    deadline = read(label)
    assert (deadline.start, deadline.end, deadline.pending) == (start, end, None)


@pytest.mark.parametrize(
    "label",
    [
        "dans les deux ans suivant l'adoption",
        "within 18 months of adoption",
        "within 18 months of the adoption of the plan",
        "dans les 18 mois suivant l'adoption du plan",
        "d'ici l'adoption",
    ],
)
def test_a_deadline_after_a_key_date_not_yet_dated_is_pending(label: str) -> None:
    deadline = read(label)
    assert (deadline.start, deadline.end, deadline.pending) == (None, None, "adoption")
    assert deadline.due_dates(date(2100, 1, 1)) == []
    assert period_object(deadline) == {
        "label": label, "start": None, "end": None, "pending": "adoption"
    }  # fmt: skip


def test_a_pending_deadline_resolves_once_the_plan_dates_its_key_date() -> None:
    dated = PlanCalendar(key_dates={"adoption": date(2020, 2, 29)})
    deadline = read("dans les deux ans suivant l'adoption", dated)
    assert (deadline.start, deadline.end, deadline.pending) == (
        date(2020, 2, 29), date(2022, 2, 28), None
    )  # fmt: skip


def test_a_key_date_the_plan_does_not_have_is_refused_with_the_ones_it_has() -> None:
    with pytest.raises(InvalidPeriod) as raised:
        read("within 6 months of the elections")
    assert "'the elections' is not a key date" in raised.value.reason
    assert "'Summit', 'adoption', 'la COP 26'" in raised.value.reason


def test_two_key_dates_with_one_name_are_ambiguous() -> None:
    twice = PlanCalendar(key_dates={"Summit": date(2021, 1, 1), "the summit": None})
    with pytest.raises(InvalidPeriod, match="ambiguous"):
        read("within 6 months of the summit", twice)


def test_several_deadlines_in_one_text_are_milestones_and_the_last_is_the_deadline() -> None:
    label = "by June 2021 for the first report and June 2022 for the second"
    deadline = read(label)
    assert deadline.milestones == (
        Milestone("the first report", "by June 2021", date(2021, 6, 1), date(2021, 6, 30)),
        Milestone("the second", "June 2022", date(2022, 6, 1), date(2022, 6, 30)),
    )
    assert (deadline.start, deadline.end) == (date(2022, 6, 1), date(2022, 6, 30))
    assert deadline.due_dates(date(2022, 1, 1)) == [date(2021, 6, 30)]
    assert milestone_objects(deadline, ["M1", "M2"])[0] == {
        "code": "M1",
        "title": "the first report",
        "planned": {"label": "by June 2021", "start": "2021-06-01", "end": "2021-06-30"},
        "reached_on": None,
    }


@pytest.mark.parametrize(
    ("label", "titles", "ends"),
    [
        ("d'ici juin 2021 pour le premier rapport et juin 2022 pour le second",
         ["le premier rapport", "le second"], [date(2021, 6, 30), date(2022, 6, 30)]),
        ("first report by March 2021; second report: mid-2022",
         ["first report", "second report"], [date(2021, 3, 31), date(2022, 6, 30)]),
        ("the report and the plan by 2021, the review by 2022",
         ["the report and the plan", "the review"], [date(2021, 12, 31), date(2022, 12, 31)]),
        ("June 2021 (draft), June 2022 (final)",
         ["draft", "final"], [date(2021, 6, 30), date(2022, 6, 30)]),
        ("15 March 2021; 15 June 2021; autumn 2021",
         ["15 March 2021", "15 June 2021", "autumn 2021"],
         [date(2021, 3, 15), date(2021, 6, 15), date(2021, 11, 30)]),
        ("draft within 6 months of the summit, final by FY2023-24",
         ["draft", "final"], [date(2022, 2, 28), date(2024, 3, 31)]),
    ],
)  # fmt: skip
def test_milestones_keep_their_titles_as_written(
    label: str, titles: list[str], ends: list[date]
) -> None:
    deadline = read(label)
    assert [m.title for m in deadline.milestones] == titles
    assert [m.end for m in deadline.milestones] == ends
    assert deadline.end == max(ends)


def test_milestones_wait_while_one_of_them_waits_for_its_key_date() -> None:
    deadline = read("draft by 2021; final within a year of adoption")
    assert (deadline.start, deadline.end, deadline.pending) == (None, None, "adoption")
    assert deadline.milestones[1].pending == "adoption"
    assert deadline.due_dates(date(2030, 1, 1)) == [date(2021, 12, 31)]


def test_the_period_object_follows_the_contract() -> None:
    assert period_object(read("quarterly from Q2 2021")) == {
        "label": "quarterly from Q2 2021",
        "start": "2021-04-01",
        "end": "2023-12-31",
        "recurrence": {"every": "quarter", "from": "2021-04-01", "until": "2023-12-31"},
    }
    assert period_object(read("by autumn 2019")) == {
        "label": "by autumn 2019", "start": "2019-09-01", "end": "2019-11-30"
    }  # fmt: skip
    assert read("by autumn 2019").period() is not None
    assert read("ongoing", UNBOUNDED).period() is None


@pytest.mark.parametrize(
    ("label", "start", "end", "pending", "open_ended"),
    [
        ("by the end of the plan", date(2023, 12, 31), date(2023, 12, 31), None, False),
        ("d'ici la fin du plan", date(2023, 12, 31), date(2023, 12, 31), None, False),
        ("from March 2019 until the end of the plan", date(2019, 3, 1), date(2023, 12, 31),
         None, False),
        ("from the summit onwards", date(2021, 8, 31), date(2023, 12, 31), None, True),
        ("dès l'adoption", None, date(2023, 12, 31), "adoption", True),
        ("ongoing until the summit", date(2019, 1, 1), date(2021, 8, 31), None, True),
        ("by June 2021 for the first report", date(2021, 6, 1), date(2021, 6, 30), None, False),
        ("June 2021 (draft)", date(2021, 6, 1), date(2021, 6, 30), None, False),
    ],
)  # fmt: skip
def test_key_dates_and_the_plans_end_bound_open_deadlines_and_ranges(
    label: str, start: date | None, end: date | None, pending: str | None, open_ended: bool
) -> None:
    deadline = read(label)
    assert (deadline.start, deadline.end, deadline.pending) == (start, end, pending)
    assert deadline.open_ended is open_ended and deadline.milestones == ()


def test_a_recurrence_from_a_key_date_not_yet_dated_waits_for_it() -> None:
    deadline = read("each year from the adoption")
    assert deadline.pending == "adoption"
    assert deadline.recurrence == Recurrence("year", None, date(2023, 12, 31))
    assert deadline.due_dates(date(2030, 1, 1)) == []


def test_the_plans_end_is_refused_on_a_plan_without_one() -> None:
    with pytest.raises(InvalidPeriod, match="the plan has no end date"):
        read("by the end of the plan", UNBOUNDED)


def test_a_range_to_a_key_date_is_dated_and_refused_when_it_runs_backwards() -> None:
    deadline = read("from 2020 until the summit")
    assert (deadline.start, deadline.end, deadline.open_ended) == (
        date(2020, 1, 1), date(2021, 8, 31), False
    )  # fmt: skip
    assert read("from 2020 until the adoption").pending == "adoption"
    with pytest.raises(InvalidPeriod, match="after it ends"):
        read("dès 2022 jusqu'à 2020")
