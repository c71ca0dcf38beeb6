"""Deadlines that name one stretch of the calendar, in English and French, and the texts
refused: unreadable, impossible, or ambiguous with their readings."""

from datetime import date

import pytest

from shared.deadlines import AmbiguousPeriod, PlanCalendar, read_deadline
from shared.periods import InvalidPeriod, parse_period

from .test_periods import PERIODS

CALENDAR = PlanCalendar()
APRIL = PlanCalendar(fiscal_year_start=4)
JULY = PlanCalendar(fiscal_year_start=7)
JANUARY = PlanCalendar(fiscal_year_start=1)


def dates(label: str, plan: PlanCalendar = CALENDAR) -> tuple[date | None, date | None]:
    deadline = read_deadline(label, plan=plan, field="/deadline")
    assert deadline is not None and deadline.label == label
    assert not (deadline.recurrence or deadline.pending or deadline.open_ended)
    return deadline.start, deadline.end


def test_every_period_parse_period_reads_is_read_the_same_as_a_deadline() -> None:
    for label, _, _ in PERIODS:
        period = parse_period(label)
        assert dates(label, APRIL) == (period.start, period.end), label


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("by autumn 2019", date(2019, 9, 1), date(2019, 11, 30)),
        ("autumn 2019", date(2019, 9, 1), date(2019, 11, 30)),
        ("fall 2019", date(2019, 9, 1), date(2019, 11, 30)),
        ("spring 2020", date(2020, 3, 1), date(2020, 5, 31)),
        ("in spring 2020", date(2020, 3, 1), date(2020, 5, 31)),
        ("au printemps 2020", date(2020, 3, 1), date(2020, 5, 31)),
        ("summer 2018", date(2018, 6, 1), date(2018, 8, 31)),
        ("été 2018", date(2018, 6, 1), date(2018, 8, 31)),
        ("ete 2018", date(2018, 6, 1), date(2018, 8, 31)),
        ("d'ici l'automne 2021", date(2021, 9, 1), date(2021, 11, 30)),
        ("d’ici l’automne 2021", date(2021, 9, 1), date(2021, 11, 30)),
        ("avant l'été 2018", date(2018, 6, 1), date(2018, 8, 31)),
        ("winter 2019", date(2019, 12, 1), date(2020, 2, 29)),
        ("winter 2020", date(2020, 12, 1), date(2021, 2, 28)),
        ("hiver 2019-20", date(2019, 12, 1), date(2020, 2, 29)),
        ("hiver 2019-2020", date(2019, 12, 1), date(2020, 2, 29)),
        ("end of summer 2019", date(2019, 8, 31), date(2019, 8, 31)),
        ("fin de l'été 2019", date(2019, 8, 31), date(2019, 8, 31)),
        ("spring 2020 to autumn 2021", date(2020, 3, 1), date(2021, 11, 30)),
        ("du printemps 2020 à l'automne 2021", date(2020, 3, 1), date(2021, 11, 30)),
    ],
)
def test_seasons_are_the_northern_meteorological_ones(label: str, start: date, end: date) -> None:
    assert dates(label) == (start, end)


@pytest.mark.parametrize(
    ("label", "plan", "start", "end"),
    [
        ("fiscal year 2019-20", APRIL, date(2019, 4, 1), date(2020, 3, 31)),
        ("FY2020/21", APRIL, date(2020, 4, 1), date(2021, 3, 31)),
        ("FY 2020-21", APRIL, date(2020, 4, 1), date(2021, 3, 31)),
        ("FY20/21", APRIL, date(2020, 4, 1), date(2021, 3, 31)),
        ("by FY2020/21", APRIL, date(2020, 4, 1), date(2021, 3, 31)),
        ("financial year 2020-21", JULY, date(2020, 7, 1), date(2021, 6, 30)),
        ("exercice 2020-2021", APRIL, date(2020, 4, 1), date(2021, 3, 31)),
        ("exercice budgétaire 2020-2021", JULY, date(2020, 7, 1), date(2021, 6, 30)),
        ("d'ici l'exercice 2023-24", PlanCalendar(fiscal_year_start=3), date(2023, 3, 1),
         date(2024, 2, 29)),
        ("end of FY2019-20", APRIL, date(2020, 3, 31), date(2020, 3, 31)),
        ("fin de l'exercice 2020-2021", APRIL, date(2021, 3, 31), date(2021, 3, 31)),
        ("FY2020", JANUARY, date(2020, 1, 1), date(2020, 12, 31)),
        ("exercice 2020", JANUARY, date(2020, 1, 1), date(2020, 12, 31)),
        ("2019-20", CALENDAR, date(2019, 1, 1), date(2020, 12, 31)),
        ("2019/20", JANUARY, date(2019, 1, 1), date(2020, 12, 31)),
        ("2018-22", APRIL, date(2018, 1, 1), date(2022, 12, 31)),
        ("2019-2020", APRIL, date(2019, 1, 1), date(2020, 12, 31)),
        ("2011-12", CALENDAR, date(2011, 12, 1), date(2011, 12, 31)),
        ("2019-2020 fiscal year", APRIL, date(2019, 4, 1), date(2020, 3, 31)),
        ("Q1 FY2022-23", APRIL, date(2022, 4, 1), date(2022, 6, 30)),
        ("by FY2022-23 Q4", APRIL, date(2023, 1, 1), date(2023, 3, 31)),
        ("T3 de l'exercice 2022-2023", JULY, date(2023, 1, 1), date(2023, 3, 31)),
    ],
)  # fmt: skip
def test_fiscal_years_start_on_the_plans_fiscal_year_start_month(
    label: str, plan: PlanCalendar, start: date, end: date
) -> None:
    assert dates(label, plan) == (start, end)


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("by March 2021", date(2021, 3, 1), date(2021, 3, 31)),
        ("d'ici mars 2021", date(2021, 3, 1), date(2021, 3, 31)),
        ("mi-2019", date(2019, 6, 30), date(2019, 6, 30)),
        ("mi-mars 2021", date(2021, 3, 15), date(2021, 3, 15)),
        ("à la mi-mars 2021", date(2021, 3, 15), date(2021, 3, 15)),
        ("mid-March 2021", date(2021, 3, 15), date(2021, 3, 15)),
        ("by mid March 2021", date(2021, 3, 15), date(2021, 3, 15)),
        ("fin mars 2021", date(2021, 3, 31), date(2021, 3, 31)),
        ("fin février 2024", date(2024, 2, 29), date(2024, 2, 29)),
        ("end of February 2023", date(2023, 2, 28), date(2023, 2, 28)),
        ("by the end of March 2021", date(2021, 3, 31), date(2021, 3, 31)),
        ("late March 2021", date(2021, 3, 31), date(2021, 3, 31)),
        ("début avril 2021", date(2021, 4, 1), date(2021, 4, 10)),
        ("early April 2021", date(2021, 4, 1), date(2021, 4, 10)),
        ("fin du premier trimestre 2020", date(2020, 3, 31), date(2020, 3, 31)),
        ("15 March 2021", date(2021, 3, 15), date(2021, 3, 15)),
        ("March 15, 2021", date(2021, 3, 15), date(2021, 3, 15)),
        ("le 1er mars 2021", date(2021, 3, 1), date(2021, 3, 1)),
        ("d'ici le 29 février 2024", date(2024, 2, 29), date(2024, 2, 29)),
        ("31/03/2021", date(2021, 3, 31), date(2021, 3, 31)),
        ("12/31/2021", date(2021, 12, 31), date(2021, 12, 31)),
        ("04/04/2021", date(2021, 4, 4), date(2021, 4, 4)),
        ("2021/03/04", date(2021, 3, 4), date(2021, 3, 4)),
        ("de mi-mars 2021 à fin juin 2021", date(2021, 3, 15), date(2021, 6, 30)),
        ("avant fin 2016, au plus tard", date(2016, 12, 31), date(2016, 12, 31)),
        ("courant 2020", date(2020, 1, 1), date(2020, 12, 31)),
        ("avant la fin de l'année 2022", date(2022, 12, 31), date(2022, 12, 31)),
        ("by the year 2030", date(2030, 1, 1), date(2030, 12, 31)),
        ("2021 Q3", date(2021, 7, 1), date(2021, 9, 30)),
        ("Q3/2021", date(2021, 7, 1), date(2021, 9, 30)),
        ("fin du 1er semestre 2021", date(2021, 6, 30), date(2021, 6, 30)),
        ("31.03.2021", date(2021, 3, 31), date(2021, 3, 31)),
    ],
)
def test_months_days_and_parts_of_months_in_both_languages(
    label: str, start: date, end: date
) -> None:
    assert dates(label) == (start, end)


@pytest.mark.parametrize(
    ("label", "plan", "readings"),
    [
        ("03/04/2021", CALENDAR, ["2021-04-03", "2021-03-04"]),
        ("by 03/04/2021", CALENDAR, ["2021-04-03", "2021-03-04"]),
        ("FY2020", APRIL, ["FY2020-21 (2020-04-01 to 2021-03-31)",
                           "FY2019-20 (2019-04-01 to 2020-03-31)"]),
        ("exercice 2020", JULY, ["FY2020-21 (2020-07-01 to 2021-06-30)",
                                 "FY2019-20 (2019-07-01 to 2020-06-30)"]),
        ("2019-20", APRIL, ["FY2019-20 (2019-04-01 to 2020-03-31)",
                            "2019 to 2020 (2019-01-01 to 2020-12-31)"]),
        ("2019/20", JULY, ["FY2019-20 (2019-07-01 to 2020-06-30)",
                           "2019 to 2020 (2019-01-01 to 2020-12-31)"]),
        ("2011-12", APRIL, ["December 2011 (2011-12-01 to 2011-12-31)",
                            "FY2011-12 (2011-04-01 to 2012-03-31)"]),
        ("June 2021 and June 2022", CALENDAR, [
            "two milestones, June 2021 and June 2022",
            "from June 2021 to June 2022 (2021-06-01 to 2022-06-30)"]),
        ("biannually", CALENDAR, ["every half-year (twice a year)", "every two years"]),
        ("Q1 FY2022", APRIL, ["Q1 of FY2022-23 (2022-04-01 to 2022-06-30)",
                              "Q1 of FY2021-22 (2021-04-01 to 2021-06-30)"]),
    ],
)  # fmt: skip
def test_a_text_that_stays_ambiguous_is_refused_with_its_readings(
    label: str, plan: PlanCalendar, readings: list[str]
) -> None:
    with pytest.raises(AmbiguousPeriod) as raised:
        read_deadline(label, plan=plan, field="/commitments/3/deadline")
    assert raised.value.readings == readings
    assert raised.value.label == label
    assert raised.value.field == "/commitments/3/deadline"
    assert all(reading in raised.value.reason for reading in readings)


@pytest.mark.parametrize(
    ("label", "plan", "reason"),
    [
        ("fiscal year 2019-20", CALENDAR, "plan sets no fiscal_year_start"),
        ("FY2020/21", CALENDAR, "plan sets no fiscal_year_start"),
        ("exercice 2020-2021", CALENDAR, "plan sets no fiscal_year_start"),
        ("FY2020", CALENDAR, "plan sets no fiscal_year_start"),
        ("each fiscal year", CALENDAR, "plan sets no fiscal_year_start"),
        ("FY2019-21", APRIL, "two consecutive years"),
        ("FY2019-20", JANUARY, "calendar year"),
        ("soon", CALENDAR, "not a deadline this platform understands; try"),
        ("at the earliest convenience", CALENDAR, "leave it empty when there is none"),
        ("by March", CALENDAR, "'by March 2021'"),
        ("2016-13", CALENDAR, "not a real date"),
        ("30 février 2021", CALENDAR, "not a real date"),
        ("31/02/2021", CALENDAR, "not a real date"),
        ("2020/2017", CALENDAR, "ends"),
        ("autumn 2021 to spring 2020", CALENDAR, "ends"),
        ("spring 2020-21", CALENDAR, "not a deadline"),
        ("each year by 31 March", CALENDAR, "a recurrence this platform does not read"),
        ("every 2 years", CALENDAR, "a year, a half-year, a quarter or a month"),
        ("tous les deux ans", CALENDAR, "a recurrence this platform does not read"),
        ("x" * 301, CALENDAR, "at most 300 characters"),
    ],
)
def test_an_unreadable_deadline_is_refused_with_a_reason_and_its_field(
    label: str, plan: PlanCalendar, reason: str
) -> None:
    with pytest.raises(InvalidPeriod) as raised:
        read_deadline(label, plan=plan, field="/deadline")
    assert not isinstance(raised.value, AmbiguousPeriod)
    assert reason in raised.value.reason
    assert raised.value.field == "/deadline"


@pytest.mark.parametrize(
    "label",
    [
        None,
        "",
        "   ",
        "none",
        "None.",
        "N/A",
        "aucune",
        "Sans objet",
        "sans échéance",
        "-",
        "TBD",
        "To be determined",
        "à définir",
        "À préciser",
    ],
)
def test_a_commitment_may_have_no_deadline(label: str | None) -> None:
    assert read_deadline(label, plan=APRIL) is None


def test_a_fiscal_year_start_is_a_month() -> None:
    with pytest.raises(ValueError, match=r"1\.\.12"):
        PlanCalendar(fiscal_year_start=13)
