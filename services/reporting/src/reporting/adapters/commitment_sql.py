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

#: The order in which a commitment's rows of a fact table supersede each other: the
#: latest business date, then the latest version of the stream, then the latest
#: record (a deadline resolved when its key date was dated stands beside the row it
#: resolves, at the same date and version).
IN_FORCE_ORDER = "x.as_of DESC, x.stream_version DESC, x.recorded_at DESC"


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


def _status(as_of: str, known_at: str) -> str:
    return in_force("st", "rm_status_changes", "x.status", as_of, known_at)


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
#: A recurring deadline's recurrence and the latest date reported on (``NULL`` for
#: any other deadline).
_RECURRENCE = f"""{_DEADLINE}->'recurrence' AS recurrence,
           CASE WHEN {_DEADLINE} ? 'recurrence' THEN rp.as_of END AS reported_on"""


def effective_commitments(as_of: str, known_at: str) -> str:
    """Every commitment made by ``as_of`` and recorded by ``known_at`` (SQL parameter
    names), with the section, title, deadline, parties, status and completion in
    force on ``as_of`` as known at ``known_at``."""
    return f"""
    SELECT c.commitment_id, c.plan_id, c.code, coalesce(mv.section, c.section) AS section,
           c.priority, c.made_on, c.recorded_at,
           coalesce(tl.title, c.title) AS title,
           CASE WHEN tl.title IS NULL THEN c.title_local ELSE tl.title_local END
               AS title_local,
           {_DEADLINE} AS deadline,
           {_RECURRENCE},
           coalesce(dl.deadline_end, c.deadline_end) AS deadline_end,
           coalesce(pt.parties, c.parties) AS parties,
           coalesce(st.status, 'planned') AS status,
           rp.completion
    FROM rm_commitments c
    {_moved(as_of, known_at)}
    {
        in_force(
            "tl",
            "rm_amendments",
            "x.title, x.title_local",
            as_of,
            known_at,
            "AND x.title IS NOT NULL",
        )
    }
    {_deadline(as_of, known_at)}
    {in_force("pt", "rm_amendments", "x.parties", as_of, known_at, "AND x.parties IS NOT NULL")}
    {_status(as_of, known_at)}
    {_report(as_of, known_at)}
    WHERE {made_by(as_of, known_at)}
    """


#: Only what the progress tree counts by: no titles or parties to look up and decode;
#: the columns in the order of :class:`CommitmentRow`'s fields.
PROGRESS_ROWS = f"""
    SELECT c.commitment_id, coalesce(mv.section, c.section) AS section,
           coalesce(st.status, 'planned') AS status, c.priority,
           coalesce(dl.deadline_end, c.deadline_end) AS deadline_end,
           {_RECURRENCE}
    FROM rm_commitments c
    {_moved("$2", "$3")}
    {_deadline("$2", "$3")}
    {_status("$2", "$3")}
    {_report("$2", "$3")}
    WHERE {made_by("$2", "$3")} AND c.plan_id = $1
"""


EFFECTIVE_COMMITMENTS = effective_commitments("$2", "$3")
