"""The SQL of a commitment as it stood: every value in force on a business date
(``as_of``) among those recorded by a record time (``known_at``), both given as SQL
parameter names; amendments, status changes and reports apply from their own
business dates.

Each fact table is looked up once per commitment, by a ``LATERAL`` join that reads
the one row in force: its index (migration ``reporting_0013``) holds the rows in the
order the lookup wants them, so the lookup stops at the first row that was recorded
by ``known_at``, with no sort. One scalar subquery per column instead (the title, its
translations, the deadline, its end, the recurrence: five lookups of the same
amendment) took twice as long on a plan of 10,000 commitments."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: The order in which a commitment's rows of a fact table supersede each other: the
#: latest business date, then the latest version of the stream, then the latest
#: record (a deadline resolved when its key date was dated stands beside the row it
#: resolves, at the same date and version), then the event, so that rows alike in all
#: of those are always taken in the same order.
IN_FORCE_ORDER = "x.as_of DESC, x.stream_version DESC, x.recorded_at DESC, x.event_id DESC"


def latest(table: str, column: str, as_of: str, known_at: str, where: str = "") -> str:
    """The value of ``column`` in the commitment's row of ``table`` in force on
    ``as_of`` among those recorded by ``known_at`` (a scalar subquery on ``c``)."""
    return f"""(
        SELECT x.{column} FROM {table} x
        WHERE x.commitment_id = c.commitment_id AND x.as_of <= {as_of}
          AND x.recorded_at <= {known_at} {where}
        ORDER BY {IN_FORCE_ORDER} LIMIT 1)"""


def in_force(
    alias: str, table: str, columns: str, as_of: str, known_at: str, where: str = ""
) -> str:
    """A ``LEFT JOIN LATERAL`` named ``alias`` giving ``columns`` of commitment ``c``'s
    row of ``table`` in force on ``as_of`` among those recorded by ``known_at`` (every
    column ``NULL`` when there is none)."""
    return f"""LEFT JOIN LATERAL (
        SELECT {columns} FROM {table} x
        WHERE x.commitment_id = c.commitment_id AND x.as_of <= {as_of}
          AND x.recorded_at <= {known_at} {where}
        ORDER BY {IN_FORCE_ORDER} LIMIT 1) {alias} ON true"""


def _moved(as_of: str, known_at: str) -> str:
    """``mv.section``: where the latest plan revision in force on ``as_of`` as known at
    ``known_at`` moved commitment ``c``, if one did."""
    return f"""LEFT JOIN LATERAL (
        SELECT m.section FROM rm_commitment_moves m
        WHERE m.commitment_id = c.commitment_id AND m.as_of <= {as_of}
          AND m.recorded_at <= {known_at}
        ORDER BY m.as_of DESC, m.revision DESC LIMIT 1) mv ON true"""


def _deadline(as_of: str, known_at: str) -> str:
    """``dl``: the latest amendment of the deadline."""
    return in_force(
        "dl", "rm_amendments", "x.deadline, x.deadline_end", as_of, known_at,
        "AND x.deadline IS NOT NULL",
    )  # fmt: skip


def _report(as_of: str, known_at: str) -> str:
    """``rp``: the latest report not retracted by ``known_at``. Its business date is
    also the latest date reported on, which tells a recurring commitment which
    periods are covered (``application.progress.due_on``)."""
    return in_force(
        "rp", "rm_progress_reports", "x.as_of, x.completion", as_of, known_at,
        f"AND (x.retracted_at IS NULL OR x.retracted_at > {known_at})",
    )  # fmt: skip


def made_by(as_of: str, known_at: str) -> str:
    return f"(c.made_on IS NULL OR c.made_on <= {as_of}) AND c.recorded_at <= {known_at}"


_DEADLINE = "coalesce(dl.deadline, c.deadline)"
#: Each value of a commitment that changes after it is made, as the lookups give it;
#: ``reported_on`` is the latest date reported on for a recurring deadline, which
#: tells which periods are covered (``application.progress.due_on``).
LOOKED_UP = {
    "section": "coalesce(mv.section, c.section)",
    "title": "coalesce(tl.title, c.title)",
    "title_local": "CASE WHEN tl.title IS NULL THEN c.title_local ELSE tl.title_local END",
    "deadline": _DEADLINE,
    "recurrence": f"{_DEADLINE}->'recurrence'",
    "reported_on": f"CASE WHEN {_DEADLINE} ? 'recurrence' THEN rp.as_of END",
    "deadline_end": "coalesce(dl.deadline_end, c.deadline_end)",
    "parties": "coalesce(pt.parties, c.parties)",
    "status": "coalesce(st.status, 'planned')",
    "completion": "rp.completion",
}
#: What the effective commitments give beside those values, from the commitment made.
_MADE = ("commitment_id", "plan_id", "code", "priority", "made_on", "recorded_at")
#: Every column of an effective commitment, and of its kept state.
EFFECTIVE_COLUMNS = (*_MADE, *LOOKED_UP)


def _lookups(as_of: str, known_at: str) -> dict[str, str]:
    """Each lateral lookup, by the alias the values above read it by."""
    return {
        "mv": _moved(as_of, known_at),
        "tl": in_force(
            "tl", "rm_amendments", "x.title, x.title_local", as_of, known_at,
            "AND x.title IS NOT NULL",
        ),
        "dl": _deadline(as_of, known_at),
        "pt": in_force(
            "pt", "rm_amendments", "x.parties", as_of, known_at, "AND x.parties IS NOT NULL"
        ),
        "st": in_force("st", "rm_status_changes", "x.status", as_of, known_at),
        "rp": _report(as_of, known_at),
    }  # fmt: skip


def _joins(names: Iterable[str], as_of: str, known_at: str) -> str:
    """The lookups the values ``names`` read (those whose alias their SQL names)."""
    wanted = " ".join(LOOKED_UP[n] for n in names if n in LOOKED_UP)
    return "\n".join(
        join
        for alias, join in _lookups(as_of, known_at).items()
        if re.search(rf"\b{alias}\.", wanted)
    )


def looked_up_commitments(as_of: str, known_at: str) -> str:
    """Every commitment made by ``as_of`` and recorded by ``known_at`` (SQL parameter
    names), with every value in force on ``as_of`` as known at ``known_at``, each
    looked up in the facts (what :mod:`.commitment_state` keeps, as of now)."""
    columns = ", ".join(
        [*(f"c.{name}" for name in _MADE), *(f"{e} AS {n}" for n, e in LOOKED_UP.items())]
    )
    return f"""
    SELECT {columns}
    FROM rm_commitments c
    {_joins(LOOKED_UP, as_of, known_at)}
    WHERE {made_by(as_of, known_at)}
    """


def _current(names: list[str], as_of: str, known_at: str, where: str) -> str:
    """The SQL of the ``names`` values of the commitments ``where`` (SQL on ``c``'s
    columns of :data:`EFFECTIVE_COLUMNS`) selects: from a commitment's kept state where
    no fact of it is dated after ``as_of`` or recorded after ``known_at`` (the state is
    then what the lookups would give), else looked up. Two branches, not a choice per
    column: a lookup skipped row by row still cost a third of the query on a plan of
    10,000 commitments.

    The state keeps the commitment's made columns too, so its branch reads the state
    alone: a row that holds was made by ``as_of`` and recorded by ``known_at`` (its
    horizon and latest record count the commitment's own). Joined to the commitments
    made instead, progress took 30 ms on a plan of 10,000 commitments, not 19."""
    looked_up = ", ".join(f"c.{n}" if n in _MADE else f"{LOOKED_UP[n]} AS {n}" for n in names)

    def holds(alias: str) -> str:
        return (
            f"{alias}.fresh AND {alias}.horizon <= {as_of} "
            f"AND {alias}.recorded_through <= {known_at} "
            "AND EXISTS (SELECT FROM rm_commitment_state_kept)"
        )

    return f"""
    SELECT {", ".join(f"c.{n}" for n in names)}
    FROM rm_commitment_state c
    WHERE {holds("c")} AND {where}
    UNION ALL
    SELECT {looked_up}
    FROM rm_commitments c
    LEFT JOIN rm_commitment_state s
         ON s.commitment_id = c.commitment_id AND s.plan_id = c.plan_id AND {holds("s")}
    {_joins(names, as_of, known_at)}
    WHERE s.commitment_id IS NULL AND {made_by(as_of, known_at)} AND {where}
    """


def effective_commitments(as_of: str, known_at: str, where: str = "true") -> str:
    """The commitments ``where`` (SQL on ``c``) selects that were made by ``as_of`` and
    recorded by ``known_at`` (SQL parameter names), with the section, title, deadline,
    parties, status and completion in force on ``as_of`` as known at ``known_at``."""
    return _current(list(EFFECTIVE_COLUMNS), as_of, known_at, where)


_PROGRESS_COLUMNS = ["section", "status", "priority", "deadline_end", "recurrence", "reported_on"]
#: Only what the progress tree counts by, no titles or parties to look up and decode,
#: in the order of :class:`CommitmentRow`'s fields; commitments alike in all of it
#: grouped (the bench's plan of 10,000 commitments in 176 rows: the view 40 -> 33 ms,
#: its rows' Python a third of it before). The latest report's date counts only for a
#: recurring deadline (:func:`~reporting.application.progress.due_on`: not for none,
#: JSON ``null`` or an empty object), so it is not grouped by otherwise.
PROGRESS_ROWS = f"""
    SELECT section, status, priority, deadline_end, recurrence,
           CASE WHEN recurrence NOT IN ('null', '{{}}') THEN reported_on END AS reported_on,
           count(*)::int AS commitments
    FROM ({_current(_PROGRESS_COLUMNS, "$2", "$3", "c.plan_id = $1")}) c
    GROUP BY 1, 2, 3, 4, 5, 6
"""
