"""One stretch of the calendar, as a deadline writes it: every form
:func:`shared.periods.read_period` knows, and seasons, fiscal years, days, half-months,
"end of" anything, and ranges of these.

A reader answers every reading a text has: none when it is not its form, more than one
when it stays ambiguous. The ambiguous texts, and why:

- ``03/04/2021``: day/month or month/day; plans are written both ways in English, and a
  French deadline may sit on an English plan. ``31/03/2021`` has one reading.
- ``FY2020``, ``exercice 2020`` when the fiscal year does not start in January: fiscal
  years are named by the year they start in (Japan, Canada's "2020-21") or the year they
  end in (the US federal FY2020 ends 30 September 2020, Australia's 30 June 2020).
- ``2019-20``, ``2019/20`` on a plan with a fiscal year not starting in January: the
  fiscal year 2019-20 or the calendar years 2019 to 2020 (without a fiscal year, only
  the latter). ``2011-12`` is also December 2011, its ISO reading. ``2019-2020``, with
  both years in full, stays the range it has always been.

Not ambiguous, on purpose: ``2020`` and ``Q1 2020`` stay calendar periods on a plan with
a fiscal year, as :func:`shared.periods.parse_period` has always read them (a fiscal
quarter names its fiscal year: ``Q1 FY2020-21``); ``winter 2019`` is December 2019 to
February 2020, as the contract defines it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import product

from shared.deadlines.model import PlanCalendar
from shared.deadlines.words import SEASONS, add_months, day_before, month_end
from shared.periods import MONTHS, InvalidPeriod, read_period


@dataclass(frozen=True, slots=True)
class Reading:
    """One way of reading a text: ``description`` says it in refusals."""

    description: str
    start: date | None
    end: date | None
    pending: str | None = None


def describe(name: str, start: date, end: date) -> str:
    return start.isoformat() if start == end else f"{name} ({start} to {end})"


_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_SEASON = "|".join(SEASONS)
_FISCAL = (
    r"(?:fiscal year|financial year|budget year|fiscal|fy|exercice(?: budgetaire| financier|"
    r" fiscal)?|annee (?:budgetaire|fiscale))"
)
_MONTH_NAMES = [next(n for n, i in MONTHS.items() if i == k).capitalize() for k in range(1, 13)]
_ARTICLE = re.compile(r"^(?:(?:the|le|la|les) |l')")


def readings(text: str, plan: PlanCalendar) -> list[Reading]:
    """Every reading of a folded ``text``, ranges included; ``[]`` when it is none of
    these forms. Raises ``ValueError`` for an impossible date and
    :class:`InvalidPeriod` for a fiscal year the plan cannot place."""
    return single(text, plan) or _range(text, plan)


def single(text: str, plan: PlanCalendar) -> list[Reading]:
    text = _ARTICLE.sub("", text.strip(" ,.;:"))
    text = re.sub(r"^(?:the year|year|l'annee|annee) (?=\d{4}$)", "", text)  # l'année 2022
    text = re.sub(r"^(\d{4}) ([qtsh][1-4])$", r"\1-\2", text)  # 2021 Q3
    text = re.sub(r"^([qtsh][1-4])\s*/\s*(\d{4})$", r"\1 \2", text)  # Q3/2021
    readers: tuple[Callable[[str, PlanCalendar], list[Reading]], ...] = (
        _two_years, _fiscal, _period, _season, _day, _numeric_day, _in_month, _end_of,
    )  # fmt: skip
    for reader in readers:
        if found := reader(text, plan):
            return _distinct(found)
    return []


def _distinct(found: list[Reading]) -> list[Reading]:
    seen: dict[tuple[date | None, date | None], Reading] = {}
    for r in found:
        seen.setdefault((r.start, r.end), r)
    return list(seen.values())


def _period(text: str, plan: PlanCalendar) -> list[Reading]:
    span = read_period(text)
    return [] if span is None else [Reading(describe(text, *span), *span)]


def _two_years(text: str, plan: PlanCalendar) -> list[Reading]:
    """``2019-20``, ``2019/20``, ``2018-22``: see the module's note on ambiguity."""
    if not (m := re.fullmatch(r"(\d{4})\s*([-/])\s*(\d{2})", text)):
        return []
    first, second = int(m[1]), int(m[3])
    last = first // 100 * 100 + second + (100 if second <= first % 100 else 0)
    years = last - first <= 50  # "2019-18" names no second year
    found: list[Reading] = []
    if m[2] == "-" and 1 <= second <= 12:
        start, end = date(first, second, 1), month_end(first, second)
        found.append(
            Reading(describe(f"{_MONTH_NAMES[second - 1]} {first}", start, end), start, end)
        )
    fys = plan.fiscal_year_start
    if last == first + 1 and fys is not None and fys != 1:
        found.append(_fiscal_year(first, fys))
    if years and (m[2] == "/" or not 1 <= second <= 12):
        start, end = date(first, 1, 1), date(last, 12, 31)
        found.append(Reading(describe(f"{first} to {last}", start, end), start, end))
    return found


def _fiscal_year(first: int, fys: int) -> Reading:
    start = date(first, fys, 1)
    end = day_before(add_months(start, 12))
    return Reading(describe(f"FY{first}-{(first + 1) % 100:02d}", start, end), start, end)


def _fiscal(text: str, plan: PlanCalendar) -> list[Reading]:
    """``fiscal year 2019-20``, ``FY2020/21``, ``FY 2020-21``, ``exercice 2020-2021``,
    ``2019-2020 fiscal year``, ``FY2020``: the fiscal year starting on the 1st of the
    plan's fiscal_year_start month of the first year and ending the day before the same
    date a year later; ``Q1 FY2020-21``, ``FY2020-21 T3``: a quarter of it."""
    years = r"(?P<a>\d{4}|\d{2})(?:\s*[-/]\s*(?P<b>\d{4}|\d{2}))?"
    quarter = r"(?P<q>[qt][1-4])"
    m = re.fullmatch(rf"(?:{quarter}\s+(?:of\s+|de\s+l')?)?{_FISCAL}\s*{years}", text)
    m = m or re.fullmatch(rf"{_FISCAL}\s*{years}\s+{quarter}", text)
    m = m or re.fullmatch(rf"{years}\s+(?:fiscal year|financial year)", text)
    if not m:
        return []
    found = _fiscal_years(text, int(m["a"]) % 100 + 2000 if len(m["a"]) == 2 else int(m["a"]),
                          None if m["b"] is None else int(m["b"]), plan)  # fmt: skip
    if (q := m.groupdict().get("q")) is None:
        return found
    return [_quarter_of(r.description, r.start, int(q[1])) for r in found if r.start]


def _fiscal_years(text: str, first: int, second: int | None, plan: PlanCalendar) -> list[Reading]:
    fys = plan.fiscal_year_start
    if fys is None:
        raise InvalidPeriod(
            text,
            "a fiscal year, but the plan sets no fiscal_year_start (the month its fiscal "
            "year starts); set it on the plan, or write the dates (2019-04-01/2020-03-31)",
        )
    if second is not None:
        if second % 100 != (first + 1) % 100:
            raise InvalidPeriod(text, "a fiscal year spans two consecutive years: FY2019-20")
        if fys == 1:
            raise InvalidPeriod(
                text,
                "this plan's fiscal year is the calendar year (fiscal_year_start 1), so a "
                "fiscal year is named by one year: FY2019 or 2019",
            )
        return [_fiscal_year(first, fys)]
    if fys == 1:
        return [Reading(f"FY{first}", date(first, 1, 1), date(first, 12, 31))]
    return [_fiscal_year(first, fys), _fiscal_year(first - 1, fys)]


def _quarter_of(year: str, year_start: date, k: int) -> Reading:
    start = add_months(year_start, 3 * (k - 1))
    end = day_before(add_months(start, 3))
    return Reading(describe(f"Q{k} of {year.split(' ')[0]}", start, end), start, end)


def _season(text: str, plan: PlanCalendar) -> list[Reading]:
    """Northern meteorological seasons; winter Y runs from December Y to February Y+1
    (``winter 2019-20`` says the same)."""
    pattern = rf"({_SEASON})(?: of| de| d')?\s*(\d{{4}})(?:\s*[-/]\s*(\d{{4}}|\d{{2}}))?"
    if not (m := re.fullmatch(pattern, text)):
        return []
    month, year = SEASONS[m[1]], int(m[2])
    if m[3] is not None and (month != 12 or int(m[3]) % 100 != (year + 1) % 100):
        return []
    start = date(year, month, 1)
    end = day_before(add_months(start, 3))
    return [Reading(describe(text, start, end), start, end)]


def _day(text: str, plan: PlanCalendar) -> list[Reading]:
    """``15 March 2021``, ``1er mars 2021``, ``March 15, 2021``."""
    m = re.fullmatch(
        rf"(?:the |le )?(\d{{1,2}})(?:er|st|nd|rd|th|e)?(?: of)? ({_MONTH})\.?,? (\d{{4}})", text
    )
    if m:
        day, month, year = int(m[1]), MONTHS[m[2]], int(m[3])
    elif m := re.fullmatch(rf"({_MONTH})\.? (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})", text):
        day, month, year = int(m[2]), MONTHS[m[1]], int(m[3])
    else:
        return []
    when = date(year, month, day)
    return [Reading(when.isoformat(), when, when)]


def _numeric_day(text: str, plan: PlanCalendar) -> list[Reading]:
    """``2021/03/04`` (year first: one reading); ``31/03/2021``; ``03/04/2021`` (two)."""
    if m := re.fullmatch(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})", text):
        when = date(int(m[1]), int(m[2]), int(m[3]))
        return [Reading(when.isoformat(), when, when)]
    if not (m := re.fullmatch(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})", text)):
        return []
    a, b, year = int(m[1]), int(m[3]), int(m[4])
    found = []
    for month, day in ((b, a), (a, b)):  # day first, as most plans write it, then US
        try:
            when = date(year, month, day)
        except ValueError:
            continue
        found.append(Reading(when.isoformat(), when, when))
    if not found:
        raise ValueError(f"{text} is no day of {year}")
    return found


def _in_month(text: str, plan: PlanCalendar) -> list[Reading]:
    """``mid-March 2021``/``mi-mars 2021`` → the 15th; ``early April 2021``/``début avril
    2021`` → its first ten days ("début 2019" being the year's first quarter)."""
    mid = r"(?:mid|mi|middle of|the middle of|milieu|milieu de|la mi)"
    early = r"(?:early|beginning of|the beginning of|start of|debut|debut de|au debut de)"
    m = re.fullmatch(rf"({mid}|{early})[\s-]*(?:of |de |d')?({_MONTH})\.? (\d{{4}})", text)
    if not m:
        return []
    month, year = MONTHS[m[2]], int(m[3])
    if re.fullmatch(mid, m[1]):
        when = date(year, month, 15)
        return [Reading(when.isoformat(), when, when)]
    start, end = date(year, month, 1), date(year, month, 10)
    return [Reading(describe(text, start, end), start, end)]


def _end_of(text: str, plan: PlanCalendar) -> list[Reading]:
    """``end of March 2021``, ``fin mars 2021``, ``fin de l'été 2019``, ``end of FY2019-20``:
    the last day of what follows ("end 2016" is read by periods already)."""
    m = re.fullmatch(
        r"(?:the )?(?:end|fin|late|close)(?:\s+(?:of|de|du|des)\b|\s+d')?[\s-]*"
        r"(?:(?:the|la|le) |l')?(.+)",
        text,
    )
    if not m:
        return []
    return [
        Reading(r.end.isoformat(), r.end, r.end) for r in single(m[1], plan) if r.end is not None
    ]


def _range(text: str, plan: PlanCalendar) -> list[Reading]:
    """``spring 2020 to autumn 2021``, ``de mi-mars 2021 à fin juin 2021``,
    ``between FY2019-20 and FY2021-22``: from the first day of one to the last of the
    other. "and"/"et" make a range only after "between"/"entre"."""
    opening = next(
        (w for w in ("from ", "de ", "du ", "between ", "entre ") if text.startswith(w)), ""
    )
    words = r"to|a|au|until|through|jusqu'a|jusqu'au|jusqu'en"
    words += "|and|et" if opening in ("between ", "entre ") else ""
    body = text[len(opening) :]
    for sep in re.finditer(rf"\s+(?:{words})\s+|\s*[-–/]\s*", body):
        try:
            first, last = single(body[: sep.start()], plan), single(body[sep.end() :], plan)
        except InvalidPeriod:
            raise
        except ValueError:  # a split through a date ("2016-1|3"): try the next one
            continue
        found = [
            Reading(f"{a.description} to {b.description}", a.start, b.end)
            for a, b in product(first, last)
        ]
        if found:
            for r in found:
                if r.start is not None and r.end is not None and r.end < r.start:
                    raise InvalidPeriod(text, f"the period ends ({r.end}) before it starts")
            return _distinct(found)
    return []
