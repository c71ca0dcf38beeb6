"""Deadlines that are not one stretch of the calendar: relative to a plan's key date,
recurring, open-ended, and the bounds ("from X", "until Y") the last two may carry.
Each reader takes the label as written and its folded text without deadline words, and
answers ``None`` when the text is not its form."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from shared.deadlines.model import AmbiguousPeriod, Deadline, PlanCalendar, Recurrence
from shared.deadlines.spans import Reading, readings, single
from shared.deadlines.words import (
    BIANNUAL,
    FISCAL_EACH,
    FREQUENCY,
    FROM,
    NUMBER,
    ONGOING,
    ONWARDS,
    UNIT,
    UNTIL,
    Every,
    add_months,
    key_name,
    number,
)
from shared.periods import InvalidPeriod

_RELATIVE = re.compile(
    r"(?:(?:within|in|in the|no later than|dans|dans les|sous|au plus tard|d'ici)\s+"
    r"|dans un delai (?:de\s+|d'))*"
    rf"(?P<n>{NUMBER})\s+{UNIT}\s+"
    r"(?:(?P<before>before|prior to|avant)|after|of|following|from|since|suivant|apres|"
    r"qui suivent|qui suivront|a compter de|a compter du|a partir de|a partir du|des)\s+"
    r"(?P<event>.+)"
)
_PLAN_END = re.compile(
    r"(?:the )?(?:end of (?:the|this) plan|plan(?:'s)? end)"
    r"|(?:la )?fin (?:du|de ce) (?:present )?plan"
)
_UNTIL_SPLIT = re.compile(r"\s+(?:until|till|to|through|up to|jusqu'a|jusqu'au|jusqu'en|a|au)\s+")
_EVERY: dict[str, Every] = {
    "year": "year", "half_year": "half-year", "quarter": "quarter", "month": "month"
}  # fmt: skip


def one(found: list[Reading], text: str) -> Reading | None:
    """The reading of a text, ``None`` without one; refused when there are several."""
    if len(found) > 1:
        raise AmbiguousPeriod(text, [r.description for r in found])
    if found and found[0].start and found[0].end and found[0].end < found[0].start:
        raise InvalidPeriod(text, f"the period ends ({found[0].end}) before it starts")
    return found[0] if found else None


def key_date(event: str, plan: PlanCalendar) -> tuple[str, date | None] | None:
    """The plan's key date a text names (case, accents, articles and spacing aside)."""
    wanted = key_name(event)
    names = [name for name in plan.key_dates if key_name(name) == wanted]
    if len(names) > 1:
        raise AmbiguousPeriod(event, [f"the key date {name!r}" for name in names])
    return (names[0], plan.key_dates[names[0]]) if names else None


def relative(text: str, plan: PlanCalendar) -> Reading | None:
    """``within 18 months of the summit``, ``dans les deux ans suivant l'adoption``,
    ``six mois avant la COP``, a key date alone (``by the summit``) or the plan's end
    (``by the end of the plan``): pending while the plan has not dated the key date.
    N months after D is the same day of the month N months later, clamped to the
    month's end; "within" starts on D itself."""
    if _PLAN_END.fullmatch(text):
        if plan.end is None:
            raise InvalidPeriod(text, "the plan has no end date yet; give it its period first")
        return Reading("the plan's end", plan.end, plan.end)
    # "dans l'année suivant le sommet", "within the month following the summit": one.
    text = re.sub(
        r"^(?:dans l'|dans le |within the |in the )(?=(?:annee|an|mois|year|month)\s)", "1 ", text
    )
    if not (m := _RELATIVE.fullmatch(text)):
        if (found := key_date(text, plan)) is None:
            return None
        name, when = found
        return Reading(name, when, when, None if when else name)
    found = key_date(m["event"], plan)
    if found is None:
        known = ", ".join(repr(name) for name in plan.key_dates) or "none yet"
        raise InvalidPeriod(
            text,
            f"{m['event']!r} is not a key date of this plan (its key dates: {known}); "
            "record it as a key date first",
        )
    name, when = found
    if when is None:
        return Reading(f"{text} (waiting for {name})", None, None, name)
    due = _moved(when, m, -1 if m["before"] else 1)
    return Reading(due.isoformat(), min(when, due), due)


def _moved(when: date, m: re.Match[str], sign: int) -> date:
    n, unit = number(m["n"]), m["unit"]
    if n is None:
        raise InvalidPeriod(m[0], f"{m['n']!r} is not a number this platform reads")
    if m["half"] and not unit.startswith(("y", "an")):
        raise InvalidPeriod(m[0], "only years are read with a half: 'a year and a half'")
    if unit.startswith(("d", "j")):
        return when + timedelta(days=sign * n)
    if unit.startswith(("w", "s")):
        return when + timedelta(weeks=sign * n)
    months = n if unit.startswith("m") else 12 * n + (6 if m["half"] else 0)
    return add_months(when, sign * months)


@dataclass(frozen=True, slots=True)
class Bounds:
    """A recurring or open deadline's own start and end; ``start_waits``/``end_waits``
    name the key date an end counts from while the plan has not dated it."""

    start: date | None = None
    end: date | None = None
    start_waits: str | None = None
    end_waits: str | None = None

    def within(self, plan: PlanCalendar) -> tuple[date | None, date | None]:
        """The ends, the plan's standing in for those the text does not give."""
        start = self.start or (None if self.start_waits else plan.start)
        return start, self.end or (None if self.end_waits else plan.end)


def bounds(text: str, plan: PlanCalendar) -> Bounds | None:
    """What a recurring or open-ended deadline says of its own start and end: ``from
    June 2021`` (start), ``until 2025`` (end), ``2021-2025`` (both), ``dès l'adoption``
    (a key date) or nothing; ``None`` when the text is something else."""
    text = re.sub(r"^(?:and|et)\s+|\s+(?:and|et)$", "", text.strip(" ,;:()")).strip(" ,;:")
    if not text:
        return Bounds()
    if (m := FROM.match(text)) or (ONWARDS.search(text) and not UNTIL.match(text)):
        body = ONWARDS.sub("", text[m.end() :] if m else text)
        parts = _UNTIL_SPLIT.split(body, maxsplit=1)
        first = _when(parts[0], plan)
        last = _when(parts[1], plan) if len(parts) == 2 else None
        if first is None or (len(parts) == 2 and last is None):
            return None
        if last is None:
            return Bounds(first.start, None, first.pending)
        return Bounds(first.start, last.end, first.pending, last.pending)
    if m := UNTIL.match(text):
        until = _when(text[m.end() :], plan)
        return None if until is None else Bounds(None, until.end, None, until.pending)
    span = one(readings(text, plan), text)
    return None if span is None else Bounds(span.start, span.end)


def _when(text: str, plan: PlanCalendar) -> Reading | None:
    return one(single(text, plan), text) or relative(text, plan)


def recurring(label: str, text: str, plan: PlanCalendar) -> Deadline | None:
    """``each year``, ``chaque année``, ``quarterly from Q2 2021``, ``monthly until
    2025``, ``each fiscal year``: from the text's start or the plan's, until the text's
    end or the plan's. A fiscal year recurrence starts on the fiscal year holding that
    start."""
    biannual = BIANNUAL.search(text)
    if (m := biannual or FISCAL_EACH.search(text) or FREQUENCY.search(text)) is None:
        return None
    rest = ONGOING.sub("", text[: m.start()] + " " + text[m.end() :])
    if (found := bounds(rest, plan)) is None:
        return None  # "annual report by June 2021; ..." may be steps; see reader.FORMS
    if biannual:
        raise AmbiguousPeriod(text, ["every half-year (twice a year)", "every two years"])
    every = "year" if m.re is not FREQUENCY else _EVERY[m.lastgroup or ""]
    start, until = found.within(plan)
    if m.re is FISCAL_EACH:
        start = _fiscal_year_start(start, plan)
    if start is not None and until is not None and until < start:
        raise InvalidPeriod(text, f"the recurrence ends ({until}) before it starts ({start})")
    recurrence = Recurrence(every=every, start=start, until=until)
    waits = found.start_waits or found.end_waits
    return Deadline(label, start, until, recurrence=recurrence, pending=waits)


def _fiscal_year_start(day: date | None, plan: PlanCalendar) -> date | None:
    if (fys := plan.fiscal_year_start) is None:
        raise InvalidPeriod(
            "each fiscal year",
            "each fiscal year, but the plan sets no fiscal_year_start (the month its fiscal "
            "year starts); set it on the plan, or write 'each year'",
        )
    if day is None:
        return None
    return date(day.year if day.month >= fys else day.year - 1, fys, 1)


def open_ended(label: str, text: str, plan: PlanCalendar) -> Deadline | None:
    """``ongoing``, ``en continu``, ``from June 2021 and ongoing``, ``dès mars 2019``:
    starting on the text's start (else the plan's), with no end of its own (the plan's
    end, else none): see :class:`Deadline`."""
    m = ONGOING.search(text)
    if m is None and not (FROM.match(text) or ONWARDS.search(text)):
        return None
    rest = text if m is None else f"{text[: m.start()]} {text[m.end() :]}".strip(" ,;:")
    found = bounds(rest, plan)
    if m is not None and found is not None and not (FROM.match(rest) or UNTIL.match(rest)):
        found = Bounds(found.start, None, found.start_waits)  # "2021 and ongoing" starts then
    if found is None:
        return None
    waits = found.start_waits or found.end_waits
    ranged = m is None and bool(found.end or found.end_waits)  # "from 2019 until the summit"
    start, end = (found.start, found.end) if ranged else found.within(plan)
    if start is not None and end is not None and end < start:
        ends = "it ends" if ranged else "the plan ends"
        raise InvalidPeriod(text, f"it starts ({start}) after {ends} ({end})")
    return Deadline(label, start, end, pending=waits, open_ended=not ranged)
