"""Deadlines as plans write them (issue 22, point 1): pure, standard library only.

``read_deadline(label, plan=PlanCalendar(...), field="/deadline")`` reads a commitment's
deadline text, English or French on a plan in any language, with its label kept as
written, into a :class:`Deadline`, or ``None`` when there is none. The forms, beyond
every one :func:`shared.periods.parse_period` reads:

- seasons, northern and meteorological: ``by autumn 2019``, ``spring 2020``,
  ``d'ici l'automne 2021``, ``été 2018``; winter Y is December Y to February Y+1;
- fiscal years, from the plan's ``fiscal_year_start``: ``fiscal year 2019-20``,
  ``FY2020/21``, ``exercice 2020-2021``, ``Q1 FY2020-21``; refused when the plan sets
  none;
- days and parts of months: ``15 March 2021``, ``31/03/2021``, ``mi-mars 2021`` (the
  15th), ``fin mars 2021`` (the 31st), ``début avril 2021`` (its first ten days),
  ``end of`` any period (its last day);
- open: ``ongoing``, ``en continu``, ``from June 2021 and ongoing``, ``dès mars 2019``,
  ``à partir de mars 2019``: from the text's start (else the plan's) with no end of its
  own: its end is the plan's, or none, so it is never overdue before the plan ends;
- recurring: ``each year``, ``chaque année``, ``quarterly``, ``semestriellement``,
  ``monthly from June 2021``, ``each fiscal year``: one due date per period until the
  plan ends (:meth:`Deadline.due_dates`), each overdue on its own;
- relative to a key date of the plan: ``within 18 months of the summit``, ``dans les
  deux ans suivant l'adoption``, ``six mois avant la COP``, ``by the summit``,
  ``dès l'adoption``: pending (``Deadline.pending``) until the plan dates it; and the
  plan's own end: ``by the end of the plan``, ``d'ici la fin du plan``;
- several steps: ``by June 2021 for the first report and June 2022 for the second``:
  ``Deadline.milestones``, the deadline being the last of them.

Text that stays ambiguous raises :class:`AmbiguousPeriod` (an :class:`InvalidPeriod`,
so a 422 naming the field) with its ``readings``; :mod:`shared.deadlines.spans` says
which texts are and why, and two untitled dates joined by "and" are one too.

What the caller does: build a :class:`PlanCalendar` from the plan (fiscal_year_start,
key_dates by name, its period), call :func:`read_deadline`, store the deadline's
:func:`period_object` as the commitment's ``deadline`` and, when it has milestones,
:func:`milestone_objects` with its own codes. Re-read (or re-resolve) a pending deadline
when ``POST /v1/plans/{plan_id}/key-dates`` dates its key date. A commitment is overdue
on a day when one of ``due_dates(day)`` passed with its work not done; a deadline with
no end (pending, open on a plan with no end, a recurrence with no start) is not.
"""

from shared.deadlines.model import (
    AmbiguousPeriod,
    Deadline,
    Milestone,
    PlanCalendar,
    Recurrence,
    milestone_objects,
    period_object,
)
from shared.deadlines.reader import read_again, read_deadline
from shared.deadlines.words import Every

__all__ = [
    "AmbiguousPeriod",
    "Deadline",
    "Every",
    "Milestone",
    "PlanCalendar",
    "Recurrence",
    "milestone_objects",
    "period_object",
    "read_again",
    "read_deadline",
]
