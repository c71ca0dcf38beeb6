"""What a plan revision changed, read off the published section trees: the commitments
service answers it when a revision is recorded and lists it, reporting compares any two
revisions. Pure: both sides compare :class:`SectionData` as the events carry them, so
they cannot disagree on what "renamed" or "retired" means."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from shared.contracts.commitments import SectionData, SectionMove
from shared.contracts.common import LocalText


@dataclass(frozen=True, slots=True)
class Renamed:
    code: str
    before: LocalText
    after: LocalText


@dataclass(frozen=True, slots=True)
class Reparented:
    code: str
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class Moved:
    """A commitment that left ``before`` for ``after`` (``before`` ``None``: where it
    was is not known to the caller)."""

    commitment_id: str
    before: str | None
    after: str


@dataclass(frozen=True, slots=True)
class TreeChanges:
    """Sections in the new tree only (``added``), in the old only (``retired``, a merge
    being a retirement whose commitments moved), in both with another title
    (``renamed``) or another parent (``reparented``), each in its tree's order."""

    added: tuple[SectionData, ...] = ()
    renamed: tuple[Renamed, ...] = ()
    retired: tuple[SectionData, ...] = ()
    reparented: tuple[Reparented, ...] = ()


def tree_changes(before: Sequence[SectionData], after: Sequence[SectionData]) -> TreeChanges:
    old = {s.code: s for s in before}
    new = {s.code: s for s in after}
    return TreeChanges(
        added=tuple(s for s in after if s.code not in old),
        renamed=tuple(
            Renamed(s.code, old[s.code].title, s.title)
            for s in after
            if s.code in old and old[s.code].title != s.title
        ),
        retired=tuple(s for s in before if s.code not in new),
        reparented=tuple(
            Reparented(s.code, old[s.code].parent, s.parent)
            for s in after
            if s.code in old and old[s.code].parent != s.parent
        ),
    )


def net_moves(
    moves: Iterable[SectionMove], placed: Mapping[str, str] | None = None
) -> tuple[Moved, ...]:
    """The moves of successive revisions as one: each commitment once, from where
    ``placed`` had it (commitment id → section) to where the last move left it; one
    moved back where it was is no move."""
    where = dict(placed or {})
    last: dict[str, str] = {}
    for move in moves:
        last[move.commitment_id] = move.section
    return tuple(
        Moved(commitment_id, where.get(commitment_id), section)
        for commitment_id, section in last.items()
        if where.get(commitment_id) != section
    )
