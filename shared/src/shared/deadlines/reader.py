"""Reading a deadline text: which form it is, tried in an order that keeps each form
from taking another's text, and the refusals that name the field."""

from __future__ import annotations

import re

from shared.deadlines.forms import one, open_ended, recurring, relative
from shared.deadlines.model import AmbiguousPeriod, Deadline, Milestone, PlanCalendar
from shared.deadlines.spans import Reading, describe, readings
from shared.deadlines.words import FREQUENCY, LEADING, NONE_WORDS, RECURRING_WORDS, TRAILING
from shared.periods import InvalidPeriod, fold

MAX_LENGTH = 300
FORMS = (
    "not a deadline this platform understands; try 2021-03-31, 'by March 2021', "
    "'d'ici fin 2021', 'mi-mars 2021', 'autumn 2019', 'FY2020-21', 'dès mars 2019', "
    "'ongoing', 'each year', 'quarterly from 2021', 'within 18 months of the summit' "
    "(a key date of the plan), 'June 2021 for the first report; June 2022 for the "
    "second', or leave it empty when there is none"
)
RECURRENCES = (
    "a recurrence this platform does not read; try 'each year', 'quarterly from 2021', "
    "'chaque année jusqu'en 2025', 'monthly from June 2021 until 2023' (due at the end of "
    "each period, which is a year, a half-year, a quarter or a month)"
)
# Between the steps of one text: "; ", ", ", " and ", " et ", " then ", " puis ".
_STEPS = re.compile(r"(\s*;\s*|\s*,\s+|\s+(?:and|et|then|puis|and then|et puis)\s+)", re.I)
_AND = re.compile(r"\s+(?:and|et)\s+", re.I)
_FOR = re.compile(r"\s+(?:for|pour)\s+", re.I)
_BY = re.compile(
    r"\s*:\s*|\s+(?=(?:by|before|due|no later than|within|in|during|until|d'ici|d’ici|avant|"
    r"dans|sous|en|au plus tard|lors|jusqu['’](?:a|à|au|en))\s)",
    re.I,
)
_ENDS = " ,.;:–-"


def read_deadline(
    label: str | None, *, plan: PlanCalendar, field: str | None = None
) -> Deadline | None:
    """Read a commitment's deadline as written in the plan, in English or French.

    ``None`` when there is none (no text, blank, "none", "aucune", "n/a", "sans
    objet"). Raises :class:`InvalidPeriod` naming ``field`` and what went wrong (its
    subclass :class:`AmbiguousPeriod` with the ``readings`` the text could have)."""
    if label is None or not label.strip() or fold(label).strip(" .") in NONE_WORDS:
        return None
    if len(label) > MAX_LENGTH:
        raise InvalidPeriod(
            label[:MAX_LENGTH], f"a deadline is at most {MAX_LENGTH} characters", field
        )
    try:
        return _read(label, plan)
    except AmbiguousPeriod as exc:
        raise AmbiguousPeriod(label, exc.readings, field) from None
    except InvalidPeriod as exc:
        raise InvalidPeriod(label, exc.reason, field) from None
    except ValueError as exc:  # A well-shaped text naming an impossible date: 2021-02-30.
        raise InvalidPeriod(label, f"not a real date: {exc}", field) from None


def _read(label: str, plan: PlanCalendar) -> Deadline:
    text = _bare(label)
    if (found := recurring(label, text, plan) or open_ended(label, text, plan)) is not None:
        return found
    try:
        reading, problem = _reading(text, plan), None
    except InvalidPeriod as exc:  # the whole may not read where its steps do
        reading, problem = None, exc
    joined = _AND.search(text) and not text.startswith(("between ", "entre "))
    if (reading is None or joined) and (steps := _milestones(label, plan)) is not None:
        return steps
    if reading is not None:
        return Deadline(label, reading.start, reading.end, pending=reading.pending)
    if problem is not None:
        raise problem
    if FREQUENCY.search(text) or RECURRING_WORDS.search(text):
        raise InvalidPeriod(label, RECURRENCES)
    raise InvalidPeriod(label, FORMS)


def _bare(text: str) -> str:
    """The folded text without the words that only say it is a deadline."""
    return TRAILING.sub("", LEADING.sub("", fold(text))).strip(" .")


def _reading(text: str, plan: PlanCalendar) -> Reading | None:
    return one(readings(text, plan), text) or relative(text, plan)


def _milestones(label: str, plan: PlanCalendar) -> Deadline | None:
    """``by June 2021 for the first report and June 2022 for the second``, ``first
    report by March 2021; second report: June 2022``, ``June 2021 (draft), June 2022
    (final)``: two or more steps, each with its own date (a single titled step is a
    dated deadline). The text is cut where its steps end, so a step's title may hold
    "and" ("the report and the plan by 2021"). Two untitled dates joined by "and" are
    refused: a range or two milestones."""
    pieces = _STEPS.split(label)
    steps: list[Milestone] = []
    chunk = ""
    for i in range(0, len(pieces), 2):
        chunk = chunk + pieces[i - 1] + pieces[i] if chunk else pieces[i]
        if (step := _step(chunk, plan)) is not None:
            steps.append(step)
            chunk = ""
    if chunk.strip(_ENDS) or not steps:
        return None
    if len(steps) == 1:  # "by June 2021 for the first report": one date with its title
        only = steps[0]
        if only.title == only.label:
            return None
        return Deadline(label, only.start, only.end, pending=only.pending)
    if len(steps) == 2 and all(s.title == s.label for s in steps) and _AND.search(label):
        first, last = steps
        both = (
            f"two milestones, {first.label} and {last.label}",
            describe(f"from {first.label} to {last.label}", first.start, last.end)
            if first.start and last.end
            else "one period from the first to the second",
        )
        raise AmbiguousPeriod(label, list(both))
    return _last_of(label, tuple(steps))


def _last_of(label: str, steps: tuple[Milestone, ...]) -> Deadline:
    """The deadline of several steps is the last of them; pending while one waits."""
    waiting = next((s.pending for s in steps if s.pending is not None), None)
    if waiting is not None:
        return Deadline(label, None, None, pending=waiting, milestones=steps)
    last = max(steps, key=lambda s: (s.end, s.start))
    return Deadline(label, last.start, last.end, milestones=steps)


def _step(chunk: str, plan: PlanCalendar) -> Milestone | None:
    """One step: "<date> for <title>", "<title> by <date>", "<title>: <date>", "<date>
    (<title>)", "<title> (<date>)" or a date alone (its own title)."""
    chunk = chunk.strip(_ENDS)
    if m := re.fullmatch(r"(.+?)\s*\(([^()]+)\)", chunk):
        for when, title in ((m[1], m[2]), (m[2], m[1])):
            if (step := _titled(when, title, plan)) is not None:
                return step
    for cut in _FOR.finditer(chunk):
        if (step := _titled(chunk[: cut.start()], chunk[cut.end() :], plan)) is not None:
            return step
    for cut in reversed(list(_BY.finditer(chunk))):
        if (step := _titled(chunk[cut.end() :], chunk[: cut.start()], plan)) is not None:
            return step
    return _titled(chunk, chunk, plan)


def _titled(when: str, title: str, plan: PlanCalendar) -> Milestone | None:
    when, title = when.strip(_ENDS), title.strip(_ENDS)
    if not when or not title:
        return None
    try:
        reading = _reading(_bare(when), plan)
    except AmbiguousPeriod:
        raise
    except ValueError:  # InvalidPeriod included: this cut is not a step, another may be
        return None
    if reading is None:
        return None
    return Milestone(title, when, reading.start, reading.end, reading.pending)


def read_again(label: str, *, plan: PlanCalendar) -> Deadline | None:
    """A pending deadline's text read on the plan as it is now: the deadline with its
    dates once the key date it waits for is dated; ``None`` while it still waits, or
    when the text no longer reads on this plan."""
    try:
        found = read_deadline(label, plan=plan)
    except InvalidPeriod:
        return None
    return None if found is None or found.pending is not None else found
