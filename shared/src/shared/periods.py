"""Periods as people write them in action plans, in English and French.

A period keeps its label as written and resolves it to inclusive start and end dates.
Deadlines are checked against ``end``. The forms, for any year ``Y``:

- ISO: ``Y-MM-DD``, ``Y-MM``, ``Y``, ``Y-Q1``..``Y-Q4``, ``Y-H1``/``Y-H2``, ranges ``A/B``
  of any of these (``2016-01-01/2016-06-30``, ``2017/2020``).
- Quarters and halves: ``Q1 Y``, ``first quarter of Y``; ``H1 Y``, ``first half of Y``,
  ``second half of Y``; French ``T1 Y`` (trimestre), ``S1 Y`` (semestre),
  ``premier trimestre Y``, ``second semestre Y``.
- Points in a year: ``end Y``/``fin Y``/``late Y`` → 31 December; ``mid-Y``/``mi-Y`` →
  30 June; ``early Y``/``beginning of Y``/``début Y`` → the first quarter.
- Months: ``January 2017``, ``janvier 2017``.
- Ranges in words: ``2017 à 2020``, ``de 2017 à 2020``, ``from 2017 to 2020``, ``2017-2020``.
- Leading ``by``, ``by the``, ``no later than``, ``d'ici``, ``avant``, ``at the latest`` are
  deadline words: ``by end 2016`` is ``end 2016``.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date


class InvalidPeriod(ValueError):
    """A label that is not a period; ``field`` is the JSON pointer of its input."""

    def __init__(self, label: str, reason: str, field: str | None = None) -> None:
        self.label = label
        self.reason = reason
        self.field = field
        super().__init__(f"{label!r}: {reason}")


@dataclass(frozen=True, slots=True)
class Period:
    label: str
    start: date
    end: date


MONTHS: dict[str, int] = {
    name: i
    for i, names in enumerate(
        [
            (),
            ("january", "jan", "janvier", "janv"),
            ("february", "feb", "fevrier", "fevr"),
            ("march", "mar", "mars"),
            ("april", "apr", "avril", "avr"),
            ("may", "mai"),
            ("june", "jun", "juin"),
            ("july", "jul", "juillet", "juil"),
            ("august", "aug", "aout"),
            ("september", "sep", "sept", "septembre"),
            ("october", "oct", "octobre"),
            ("november", "nov", "novembre"),
            ("december", "dec", "decembre"),
        ]
    )
    for name in names
}
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "premier": 1,
    "1er": 1,
    "1ere": 1,
    "premiere": 1,
    "second": 2,
    "2nd": 2,
    "deuxieme": 2,
    "2e": 2,
    "2eme": 2,
    "seconde": 2,
    "third": 3,
    "3rd": 3,
    "troisieme": 3,
    "3e": 3,
    "3eme": 3,
    "fourth": 4,
    "4th": 4,
    "quatrieme": 4,
    "4e": 4,
    "4eme": 4,
    "last": 4,
    "dernier": 4,
}
_DEADLINE_WORDS = re.compile(
    r"^(?:(?:by|before|until|no later than|not later than|at the latest by|d'ici|d’ici|"
    r"avant|au plus tard|jusqu'a|jusqu’a)\s+)+(?:the\s+)?"
)
_TRAILING_WORDS = re.compile(r"\s*,?\s*(?:at the latest|au plus tard)$")
_YEAR = r"(\d{4})"


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _quarter(year: int, q: int) -> tuple[date, date]:
    return date(year, 3 * q - 2, 1), _month_end(year, 3 * q)


def _half(year: int, h: int) -> tuple[date, date]:
    return (
        (date(year, 1, 1), date(year, 6, 30)) if h == 1 else (date(year, 7, 1), date(year, 12, 31))
    )


def _span(text: str) -> tuple[date, date] | None:
    """One period without range syntax, or ``None`` when the text is not one."""
    t = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t):
        day = date(int(m[1]), int(m[2]), int(m[3]))
        return day, day
    if m := re.fullmatch(r"(\d{4})-(\d{2})", t):
        year, month = int(m[1]), int(m[2])
        return date(year, month, 1), _month_end(year, month)
    if m := re.fullmatch(_YEAR, t):
        return date(int(m[1]), 1, 1), date(int(m[1]), 12, 31)
    if m := re.fullmatch(r"(\d{4})-?([qt])([1-4])", t) or re.fullmatch(
        r"([qt])([1-4])\s*(\d{4})", t
    ):
        year, q = (int(m[1]), int(m[3])) if m[1].isdigit() else (int(m[3]), int(m[2]))
        return _quarter(year, q)
    if m := re.fullmatch(r"(\d{4})-?([hs])([12])", t) or re.fullmatch(r"([hs])([12])\s*(\d{4})", t):
        year, h = (int(m[1]), int(m[3])) if m[1].isdigit() else (int(m[3]), int(m[2]))
        return _half(year, h)
    ordinal = "|".join(sorted(_ORDINALS, key=len, reverse=True))
    if m := re.fullmatch(
        rf"(?:the\s+|le\s+)?({ordinal})\s+(quarter|trimestre)\s+(?:of\s+|de\s+|d')?{_YEAR}", t
    ):
        return _quarter(int(m[3]), _ORDINALS[m[1]])
    if m := re.fullmatch(
        rf"(?:the\s+|le\s+)?({ordinal})\s+(half|semestre)\s+(?:of\s+|de\s+|d')?{_YEAR}", t
    ):
        n = _ORDINALS[m[1]]
        if n > 2 and m[1] not in {"last", "dernier"}:
            return None
        return _half(int(m[3]), 1 if n == 1 else 2)
    if m := re.fullmatch(
        rf"(?:the\s+)?(?:end|fin|late|the end)(?:\s+of|\s+de|\s+d')?[\s-]*{_YEAR}", t
    ):
        day = date(int(m[1]), 12, 31)
        return day, day
    if m := re.fullmatch(rf"(?:mid|mi|middle of|milieu|milieu de)[\s-]*{_YEAR}", t):
        day = date(int(m[1]), 6, 30)
        return day, day
    if m := re.fullmatch(
        rf"(?:the\s+)?(?:early|beginning of|start of|the beginning of|debut|debut de|debut d')"
        rf"[\s-]*{_YEAR}",
        t,
    ):
        return _quarter(int(m[1]), 1)
    if m := re.fullmatch(rf"([a-z]+)\.?\s+{_YEAR}", t):
        named = MONTHS.get(m[1])
        if named is not None:
            return date(int(m[2]), named, 1), _month_end(int(m[2]), named)
    return None


def parse_period(label: str, field: str | None = None) -> Period:
    """Resolve ``label``; raise :class:`InvalidPeriod` naming what was not understood
    and, when given, the ``field`` it came from."""
    try:
        return _parse(label)
    except InvalidPeriod as exc:
        raise InvalidPeriod(exc.label, exc.reason, field) from None
    except ValueError as exc:  # A well-shaped label with an impossible date: 2016-13.
        raise InvalidPeriod(str(label), f"not a real date: {exc}", field) from None


def fold(label: str) -> str:
    """``label`` without accents, case, curly apostrophes or repeated spaces: the text
    every reader of periods and deadlines matches its patterns against."""
    text = _strip_accents(label).lower().strip().replace("\u2019", "'")
    return re.sub(r"\s+", " ", text)


def read_period(text: str) -> tuple[date, date] | None:
    """The first and last day of a :func:`fold`-ed text without deadline words, or
    ``None`` when it is none of the forms above. A well-shaped text naming an impossible
    date (``2016-13``) raises ``ValueError``; the end may come before the start."""
    if (one := _span(text)) is not None:
        return one
    for pattern in (
        r"(.+?)\s*/\s*(.+)",
        r"(?:de\s+|from\s+|du\s+|between\s+|entre\s+)?(.+?)\s+(?:a|to|au|until|through|-|–|and|et)\s+(.+)",
        r"(\d{4})\s*[-–]\s*(\d{4})",
    ):
        if m := re.fullmatch(pattern, text):
            first, last = _span(m[1]), _span(m[2])
            if first is not None and last is not None:
                return first[0], last[1]
    return None


def _parse(label: str) -> Period:
    if not isinstance(label, str) or not label.strip():
        raise InvalidPeriod(str(label), "a period cannot be empty")
    if len(label) > 100:
        raise InvalidPeriod(label[:100], "a period label is at most 100 characters")
    text = _TRAILING_WORDS.sub("", _DEADLINE_WORDS.sub("", fold(label)))
    if (span := read_period(text)) is not None:
        return _checked(label, span[0], span[1])
    raise InvalidPeriod(
        label,
        "not a period this platform understands; try 2016-12-31, 2016, 2016-Q1, 2016-H1, "
        "2017/2020, 'by end 2016', 'mid-2016', 'first quarter of 2016', 'T1 2019', 'S1 2019', "
        "'début 2019' or '2017 à 2020'",
    )


def _checked(label: str, start: date, end: date) -> Period:
    if end < start:
        raise InvalidPeriod(label, f"the period ends ({end}) before it starts ({start})")
    return Period(label=label, start=start, end=end)
