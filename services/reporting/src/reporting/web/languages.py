"""The dashboard's languages: which one a request gets, its gettext catalogue and its
formats (dates, numbers, money) through Babel.

The interface language is chosen as ``shared.http.translations`` says (``?lang=`` on
the page, then remembered in a cookie for a year; that cookie; the best match of
``Accept-Language``; English). It governs the interface only: what partners wrote (titles,
narratives, section and party names) stays in the plan's own language, and the
templates mark it with that plan's ``lang``.

Catalogues are the ``.po`` files under ``locales/`` (``messages.pot`` is their
template, extracted with ``pybabel extract -F babel.cfg``); they are compiled in memory
(``shared.http.translations``) when the composition root builds the templates."""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Final

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from shared.http import translations
from shared.http.languages import accepted as accepted
from shared.http.translations import COOKIE as COOKIE

#: The interface's languages, the default first.
LANGUAGES: Final = ("en", "fr")
DEFAULT: Final = "en"
#: The names in the language switch, each in its own language.
NAMES: Final = {"en": "English", "fr": "Français"}


def negotiate(asked: str | None, remembered: str | None, header: str | None) -> str:
    """The interface language of a request: asked on the page, else remembered, else
    the best of ``Accept-Language`` (``fr-FR`` matches ``fr``), else English."""
    return translations.negotiate(asked, remembered, header, LANGUAGES)


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@dataclass(frozen=True, slots=True)
class Language:
    """One interface language: its messages and its formats. Values that are not
    numbers are shown as they are (a measurement may be a word)."""

    code: str
    translations: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def money(self, money: object) -> str:
        """A money object (``amount``, ``currency``), e.g. ``2 580 000,00 €`` in French
        (narrow no-break spaces between groups, a no-break space before the sign)."""
        amount = getattr(money, "amount", None)
        currency = getattr(money, "currency", None)
        if isinstance(money, Mapping):
            amount, currency = money.get("amount"), money.get("currency")
        number = _decimal(amount)
        if number is None or not currency:
            return "—"
        return format_currency(number, str(currency), locale=self.code)

    def number(self, value: object) -> str:
        number = _decimal(value)
        if number is None:
            return "—" if value is None else str(value)
        return format_decimal(number, locale=self.code, decimal_quantization=False)

    def percent(self, value: object) -> str:
        """A percentage given in percent (``12.5`` → ``12.5%``, ``12,5 %``), its
        decimals kept."""
        number = _decimal(value)
        if number is None:
            return "—"
        return format_percent(number / 100, locale=self.code, decimal_quantization=False)

    def day(self, value: dt.date | None) -> str:
        return "—" if value is None else format_date(value, "medium", locale=self.code)

    def long_day(self, value: dt.date | None) -> str:
        return "—" if value is None else format_date(value, "long", locale=self.code)

    def moment(self, value: dt.datetime | None) -> str:
        """A record time, in UTC, to the second."""
        if value is None:
            return "—"
        utc = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return format_datetime(utc, "medium", tzinfo=dt.UTC, locale=self.code) + " UTC"


def catalogues() -> Traversable:
    """The folder of ``messages.pot`` and ``<language>/LC_MESSAGES/messages.po``."""
    return files("reporting.web").joinpath("locales")


def load_languages(folder: Traversable | None = None) -> dict[str, Language]:
    """Every interface language with its messages; English is the source text."""
    loaded = translations.load_catalogues(folder or catalogues(), LANGUAGES)
    return {code: Language(code, messages) for code, messages in loaded.items()}
