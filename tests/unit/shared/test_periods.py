from datetime import date

import pytest

from shared.periods import InvalidPeriod, parse_period

PERIODS = [
    ("2016-12-31", date(2016, 12, 31), date(2016, 12, 31)),
    ("2016", date(2016, 1, 1), date(2016, 12, 31)),
    ("2016-Q1", date(2016, 1, 1), date(2016, 3, 31)),
    ("2016-Q4", date(2016, 10, 1), date(2016, 12, 31)),
    ("2016-H1", date(2016, 1, 1), date(2016, 6, 30)),
    ("2016-H2", date(2016, 7, 1), date(2016, 12, 31)),
    ("2016-01-01/2016-06-30", date(2016, 1, 1), date(2016, 6, 30)),
    ("2017/2020", date(2017, 1, 1), date(2020, 12, 31)),
    ("end 2016", date(2016, 12, 31), date(2016, 12, 31)),
    ("by end 2016", date(2016, 12, 31), date(2016, 12, 31)),
    ("by the end of 2016", date(2016, 12, 31), date(2016, 12, 31)),
    ("first half of 2016", date(2016, 1, 1), date(2016, 6, 30)),
    ("second half of 2016", date(2016, 7, 1), date(2016, 12, 31)),
    ("mid-2016", date(2016, 6, 30), date(2016, 6, 30)),
    ("by mid-2016", date(2016, 6, 30), date(2016, 6, 30)),
    ("Q1 2016", date(2016, 1, 1), date(2016, 3, 31)),
    ("first quarter of 2016", date(2016, 1, 1), date(2016, 3, 31)),
    ("by 2030", date(2030, 1, 1), date(2030, 12, 31)),
    ("fin 2016", date(2016, 12, 31), date(2016, 12, 31)),
    ("d'ici fin 2016", date(2016, 12, 31), date(2016, 12, 31)),
    ("début 2019", date(2019, 1, 1), date(2019, 3, 31)),
    ("T1 2019", date(2019, 1, 1), date(2019, 3, 31)),
    ("T4 2019", date(2019, 10, 1), date(2019, 12, 31)),
    ("S1 2019", date(2019, 1, 1), date(2019, 6, 30)),
    ("S2 2019", date(2019, 7, 1), date(2019, 12, 31)),
    ("2017 à 2020", date(2017, 1, 1), date(2020, 12, 31)),
    ("de 2017 à 2020", date(2017, 1, 1), date(2020, 12, 31)),
    ("2018-2022", date(2018, 1, 1), date(2022, 12, 31)),
    ("premier trimestre 2019", date(2019, 1, 1), date(2019, 3, 31)),
    ("January 2017", date(2017, 1, 1), date(2017, 1, 31)),
    ("février 2016", date(2016, 2, 1), date(2016, 2, 29)),
    ("by end 2016 at the latest", date(2016, 12, 31), date(2016, 12, 31)),
]


@pytest.mark.parametrize(("label", "start", "end"), PERIODS)
def test_a_period_label_resolves_to_its_dates_and_keeps_the_label(
    label: str, start: date, end: date
) -> None:
    period = parse_period(label)
    assert (period.label, period.start, period.end) == (label, start, end)


@pytest.mark.parametrize("label", ["", "   ", "soon", "2016-13", "Q5 2016", "2020/2017", "S3 2019"])
def test_an_unreadable_period_is_refused_with_its_label(label: str) -> None:
    with pytest.raises(InvalidPeriod) as raised:
        parse_period(label)
    assert raised.value.label == label
