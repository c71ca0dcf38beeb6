"""A plan's revisions as reporting holds them, and what changed between any two: the
trees compared by :func:`shared.contracts.revisions.tree_changes`, the moves in
between as one (:func:`shared.contracts.revisions.net_moves`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reporting.application.errors import InvalidQuery, InvalidRange
from reporting.application.models import ReportDates
from reporting.application.models.revisions import (
    MovedCommitment,
    PlanRevisions,
    RenamedSection,
    ReparentedSection,
    RevisionItem,
    Title,
    TreeChanges,
    TreeSection,
)
from reporting.application.ports import CommitmentsReader, Row
from reporting.application.rows import existing_plan, plan_head
from shared.contracts.commitments import SectionData, SectionMove
from shared.contracts.common import LocalText, translations
from shared.contracts.revisions import net_moves, tree_changes


def _title(text: LocalText) -> Title:
    return text if isinstance(text, str) else translations(text)


def _tree(row: Row) -> tuple[SectionData, ...]:
    return tuple(SectionData.model_validate(s) for s in row["sections"] or [])


def _moves(row: Row) -> tuple[SectionMove, ...]:
    return tuple(SectionMove.model_validate(m) for m in row["moves"] or [])


def _section(s: SectionData) -> TreeSection:
    return TreeSection(code=s.code, title=_title(s.title), parent=s.parent, kind=s.kind)


def changes(
    before: Sequence[SectionData],
    after: Sequence[SectionData],
    moves: Sequence[SectionMove],
    placed: Mapping[str, str],
) -> TreeChanges:
    """From tree ``before`` to tree ``after``, the commitments ``moves`` moved from
    where ``placed`` had them."""
    found = tree_changes(before, after)
    return TreeChanges(
        added=[_section(s) for s in found.added],
        renamed=[
            RenamedSection(code=r.code, before=_title(r.before), after=_title(r.after))
            for r in found.renamed
        ],
        reparented=[
            ReparentedSection(code=r.code, before=r.before, after=r.after) for r in found.reparented
        ],
        retired=[_section(s) for s in found.retired],
        moved=[
            MovedCommitment(commitment=m.commitment_id, before=m.before, after=m.after)
            for m in net_moves(moves, placed)
        ],
    )


def _placed_at(rows: Sequence[Row], made_in: Mapping[str, str], revision: int) -> dict[str, str]:
    """Where each commitment was at ``revision``: made in, then moved by each revision
    up to it."""
    placed = dict(made_in)
    for row in rows[1 : revision + 1]:
        placed.update({m.commitment_id: m.section for m in _moves(row)})
    return placed


def _bound(value: int | None, default: int, latest: int, name: str) -> int:
    found = default if value is None else value
    if not 0 <= found <= latest:
        raise InvalidQuery(f"{name}: the plan has revisions 0 to {latest}, not {found}", name)
    return found


async def revisions(
    reader: CommitmentsReader,
    plan_id: str,
    dates: ReportDates,
    first: int | None = None,
    last: int | None = None,
) -> PlanRevisions:
    """The plan's revisions after ``first`` (default 0, the plan as created) up to
    ``last`` (default the latest), as known at ``known_at``, each with what it changed,
    and what changed from ``first`` to ``last`` as a whole."""
    plan = await existing_plan(reader, plan_id, dates)
    rows = list(await reader.plan_revisions(plan_id, dates.known_at))
    latest = len(rows) - 1
    start, end = _bound(first, 0, latest, "from"), _bound(last, latest, latest, "to")
    if start > end:
        raise InvalidRange(f"from ({start}) is after to ({end})", "from")
    made_in = await reader.sections_made_in(plan_id, dates.known_at)
    items = [
        _item(
            row,
            changes(_tree(rows[n - 1]), _tree(row), _moves(row), _placed_at(rows, made_in, n - 1)),
        )
        for n, row in enumerate(rows)
        if start < n <= end
    ]
    between = [m for row in rows[start + 1 : end + 1] for m in _moves(row)]
    whole = changes(_tree(rows[start]), _tree(rows[end]), between, _placed_at(rows, made_in, start))
    return PlanRevisions(
        plan=plan_head(plan),
        first=start,
        last=end,
        revisions=items,
        sections=[_section(s) for s in _tree(rows[end])],
        **dict(whole),
    )


def _item(row: Row, found: TreeChanges) -> RevisionItem:
    return RevisionItem(
        revision=row["revision"],
        as_of=row["as_of"],
        reason=row["reason"],
        recorded_at=row["recorded_at"],
        **dict(found),
    )
