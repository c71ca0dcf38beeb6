"""The dashboard's language: which one a request gets, and how each language writes
dates, numbers and money."""

from __future__ import annotations

import gettext
from datetime import UTC, date, datetime

import pytest

from reporting.application.models import Money
from reporting.web.charts import indicator_chart
from reporting.web.languages import Language, accepted, load_languages, negotiate

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.fixture(scope="module")
def languages() -> dict[str, Language]:
    return load_languages()


def test_accept_language_ranges_come_most_wanted_first_by_q_value() -> None:
    assert accepted("fr-FR,fr;q=0.9,en;q=0.8") == ["fr-FR", "fr", "en"]
    assert accepted("en;q=0.5, fr") == ["fr", "en"]
    assert accepted("de;q=0.7, en;q=0.7, fr;q=0.1") == ["de", "en", "fr"], "ties keep order"


def test_ranges_not_wanted_or_malformed_are_left_out() -> None:
    assert accepted("fr;q=0, en") == ["en"]
    assert accepted("fr;q=high, en;q=2, de") == ["de"]
    assert accepted("") == accepted(None) == []
    assert accepted(" , ;q=1") == []


@pytest.mark.parametrize(
    ("asked", "remembered", "header", "expected"),
    [
        (None, None, None, "en"),
        (None, None, "fr-FR,fr;q=0.9", "fr"),
        (None, None, "fr-CA", "fr"),
        (None, None, "de-DE, fr;q=0.5, en;q=0.4", "fr"),
        (None, None, "en;q=0.5, fr", "fr"),
        (None, None, "de, it", "en"),
        (None, None, "*", "en"),
        (None, None, "fr;q=0, en;q=0.1", "en"),
        (None, "fr", "en", "fr"),
        ("en", "fr", "fr", "en"),
        ("FR", None, None, "fr"),
        ("de", "fr", "en", "fr"),
        ("de", "xx", "fr", "fr"),
    ],
)
def test_a_page_asks_then_the_cookie_remembers_then_the_browser_says(
    asked: str | None, remembered: str | None, header: str | None, expected: str
) -> None:
    assert negotiate(asked, remembered, header) == expected


def test_french_money_has_narrow_spaces_between_groups_and_a_decimal_comma(
    languages: dict[str, Language],
) -> None:
    # Babel (CLDR) groups French digits with narrow no-break spaces (U+202F) and puts a
    # no-break space (U+00A0) before the currency sign: "2 580 000,00 €" on screen.
    fr, en = languages["fr"], languages["en"]
    figure = Money(amount="2580000.00", currency="EUR")
    assert fr.money(figure) == f"2{NNBSP}580{NNBSP}000,00{NBSP}€"
    assert en.money(figure) == "€2,580,000.00"
    assert fr.money({"amount": "-12.5", "currency": "USD"}) == f"-12,50{NBSP}$US"
    assert fr.money({"amount": "not money", "currency": "EUR"}) == "—"


def test_numbers_and_percentages_keep_their_decimals_in_each_language(
    languages: dict[str, Language],
) -> None:
    fr, en = languages["fr"], languages["en"]
    assert fr.number("1234567.5") == f"1{NNBSP}234{NNBSP}567,5"
    assert en.number("1234567.5") == "1,234,567.5"
    assert fr.number(12.0) == "12"
    assert fr.number("high") == "high", "a measurement that is a word is shown as written"
    assert fr.percent(12.5) == f"12,5{NBSP}%"
    assert en.percent(12.5) == "12.5%"
    assert en.percent(100.0) == "100%"
    assert en.percent(None) == "—"


def test_dates_and_record_times_are_written_the_language_s_way(
    languages: dict[str, Language],
) -> None:
    fr, en = languages["fr"], languages["en"]
    assert fr.long_day(date(2019, 6, 30)) == "30 juin 2019"
    assert en.long_day(date(2019, 6, 30)) == "June 30, 2019"
    assert fr.day(date(2019, 1, 5)) == "5 janv. 2019"
    assert fr.moment(datetime(2019, 6, 30, 14, 5, 9, tzinfo=UTC)) == "30 juin 2019, 14:05:09 UTC"
    assert en.day(None) == "—"


def test_french_messages_and_plurals_come_from_the_catalogue(
    languages: dict[str, Language],
) -> None:
    fr = languages["fr"]
    assert fr.gettext("Funding") == "Financement"
    assert fr.ngettext("commitment", "commitments", 1) == "engagement"
    assert fr.ngettext("commitment", "commitments", 0) == "engagement", "French: 0 is singular"
    assert fr.ngettext("commitment", "commitments", 2) == "engagements"
    assert languages["en"].gettext("Funding") == "Funding"


def test_a_chart_speaks_the_interface_language(languages: dict[str, Language]) -> None:
    svg = indicator_chart(
        "Taux",
        "%",
        (date(2018, 1, 1), "10"),
        (date(2022, 12, 31), "80.5"),
        [(date(2019, 6, 30), "42.5")],
        date(2019, 6, 30),
        languages["fr"],
    )
    assert f"Taux{NBSP}: cible de 80,5 % d’ici le 31 déc. 2022" in svg
    assert "dernière valeur 42,5 le 30 juin 2019" in svg
    assert f"<title>30 juin 2019{NBSP}: 42,5 %</title>" in svg
    assert ">target" not in svg


def test_an_untranslated_catalogue_falls_back_to_english() -> None:
    plain = Language("fr", gettext.NullTranslations())
    assert plain.gettext("Funding") == "Funding"
