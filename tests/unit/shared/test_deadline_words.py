"""The arithmetic and the numbers deadlines are written with."""

from datetime import date

import pytest

from shared.deadlines.words import add_months, key_name, number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("18", 18), ("a", 1), ("an", 1), ("un", 1), ("une", 1), ("two", 2), ("deux", 2),
        ("six", 6), ("twelve", 12), ("douze", 12), ("eighteen", 18), ("dix-huit", 18),
        ("dix huit", 18), ("twenty-four", 24), ("twenty four", 24), ("vingt-quatre", 24),
        ("vingt et un", 21), ("thirty-six", 36), ("trente-six", 36), ("soixante", 60),
        ("zillion", None), ("twenty twenty", None),
    ],
)  # fmt: skip
def test_counts_are_read_in_digits_and_in_english_and_french_words(
    text: str, value: int | None
) -> None:
    assert number(text) == value


@pytest.mark.parametrize(
    ("day", "months", "moved"),
    [
        (date(2021, 3, 15), 18, date(2022, 9, 15)),
        (date(2021, 8, 31), 6, date(2022, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2020, 2, 29), 12, date(2021, 2, 28)),
        (date(2021, 10, 31), -6, date(2021, 4, 30)),
        (date(2021, 1, 15), -1, date(2020, 12, 15)),
        (date(2021, 12, 1), 0, date(2021, 12, 1)),
    ],
)
def test_n_months_after_a_day_is_the_same_day_clamped_to_the_month_end(
    day: date, months: int, moved: date
) -> None:
    assert add_months(day, months) == moved


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("the summit", "summit"), ("Summit", "summit"), ("la COP 26", "cop26"),
        ("COP-26", "cop26"), ("l'adoption du plan", "adoption"),
        ("the adoption of the plan", "adoption"), ("les Élections", "elections"),
        ("legislative elections", "legislativeelections"),
    ],
)  # fmt: skip
def test_key_date_names_compare_without_case_accents_articles_or_spacing(
    written: str, name: str
) -> None:
    assert key_name(written) == name
