"""The SQL of a commitment as it stood: every value in force on a business date
(``as_of``) among those recorded by a record time (``known_at``), both given as SQL
parameter names; amendments, status changes and reports apply from their own
business dates."""

from __future__ import annotations

from reporting.adapters.revision_queries import placed


def latest(table: str, column: str, as_of: str, known_at: str, where: str = "") -> str:
    """The value of ``column`` in the commitment's row of ``table`` latest by business
    date (then version, then record time: a deadline resolved when its key date was
    dated stands beside the row it resolves) on ``as_of``, among those recorded by
    ``known_at``."""
    return f"""(
        SELECT x.{column} FROM {table} x
        WHERE x.commitment_id = c.commitment_id AND x.as_of <= {as_of}
          AND x.recorded_at <= {known_at} {where}
        ORDER BY x.as_of DESC, x.stream_version DESC, x.recorded_at DESC LIMIT 1)"""


def made_by(as_of: str, known_at: str) -> str:
    return f"(c.made_on IS NULL OR c.made_on <= {as_of}) AND c.recorded_at <= {known_at}"


def _recurring(deadline: str, as_of: str, known_at: str) -> str:
    """``recurrence`` (of the ``deadline`` SQL expression) and, for a recurring one
    only, ``reported_on``: the business date of its latest report in force, which
    tells which periods are covered (``application.progress.due_on``)."""
    return f"""({deadline})->'recurrence' AS recurrence,
           CASE WHEN ({deadline}) ? 'recurrence' THEN (
               SELECT max(x.as_of) FROM rm_progress_reports x
               WHERE x.commitment_id = c.commitment_id AND x.as_of <= {as_of}
                 AND x.recorded_at <= {known_at}
                 AND (x.retracted_at IS NULL OR x.retracted_at > {known_at}))
           END AS reported_on"""


def effective_commitments(as_of: str, known_at: str) -> str:
    """Every commitment made by ``as_of`` and recorded by ``known_at`` (SQL parameter
    names), with the title, deadline, parties, status and completion in force on
    ``as_of`` as known at ``known_at``."""

    def current(table: str, column: str, where: str = "") -> str:
        return latest(table, column, as_of, known_at, where)

    amended = "rm_amendments"
    deadline = f"""coalesce({current(amended, "deadline", "AND x.deadline IS NOT NULL")},
                            c.deadline)"""
    return f"""
    SELECT c.commitment_id, c.plan_id, c.code, {placed(as_of, known_at)} AS section,
           c.priority, c.made_on, c.recorded_at,
           coalesce({current(amended, "title", "AND x.title IS NOT NULL")}, c.title) AS title,
           CASE WHEN {current(amended, "title", "AND x.title IS NOT NULL")} IS NULL
                THEN c.title_local
                ELSE {current(amended, "title_local", "AND x.title IS NOT NULL")}
           END AS title_local,
           {deadline} AS deadline,
           {_recurring(deadline, as_of, known_at)},
           coalesce({current(amended, "deadline_end", "AND x.deadline IS NOT NULL")},
                    c.deadline_end) AS deadline_end,
           coalesce({current(amended, "parties", "AND x.parties IS NOT NULL")}, c.parties)
               AS parties,
           coalesce({current("rm_status_changes", "status")}, 'planned') AS status,
           {
        current(
            "rm_progress_reports",
            "completion",
            f"AND (x.retracted_at IS NULL OR x.retracted_at > {known_at})",
        )
    } AS completion
    FROM rm_commitments c
    WHERE {made_by(as_of, known_at)}
    """


_PROGRESS_DEADLINE = f"""coalesce({
    latest("rm_amendments", "deadline", "$2", "$3", "AND x.deadline IS NOT NULL")
}, c.deadline)"""

#: Only what the progress tree counts by (:class:`CommitmentRow`): no titles or
#: parties to look up and decode.
PROGRESS_ROWS = f"""
    SELECT c.commitment_id, {placed("$2", "$3")} AS section, c.priority,
           coalesce({
    latest("rm_amendments", "deadline_end", "$2", "$3", "AND x.deadline IS NOT NULL")
},
                    c.deadline_end) AS deadline_end,
           coalesce({latest("rm_status_changes", "status", "$2", "$3")}, 'planned') AS status,
           {_recurring(_PROGRESS_DEADLINE, "$2", "$3")}
    FROM rm_commitments c
    WHERE {made_by("$2", "$3")} AND c.plan_id = $1
"""


EFFECTIVE_COMMITMENTS = effective_commitments("$2", "$3")
