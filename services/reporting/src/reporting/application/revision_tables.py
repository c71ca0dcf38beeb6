"""A plan's revisions between two of them, laid out as a table: one row per change."""

from __future__ import annotations

from reporting.application.list_tables import Cell, Table
from reporting.application.models.revisions import PlanRevisions, Title


def _text(title: Title | None) -> str | None:
    if title is None or isinstance(title, str):
        return title
    return next(iter(title.values()), None)


def revisions_table(view: PlanRevisions) -> Table:
    """What changed from revision ``from`` to ``to``: sections added, renamed, moved
    under another parent, retired, and commitments moved."""
    rows: list[tuple[Cell, ...]] = []
    rows += [("added", s.code, None, None, _text(s.title)) for s in view.added]
    rows += [("renamed", r.code, None, _text(r.before), _text(r.after)) for r in view.renamed]
    rows += [("reparented", r.code, None, r.before, r.after) for r in view.reparented]
    rows += [("retired", s.code, None, _text(s.title), None) for s in view.retired]
    rows += [("moved", None, m.commitment, m.before, m.after) for m in view.moved]
    return Table("revisions", ("change", "section", "commitment", "from", "to"), rows)
