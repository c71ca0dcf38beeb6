"""Importing a plan's sections and commitments from a spreadsheet (issue 22).

The rows' new sections, renamed section titles and commitments put under another
section are applied first, as one plan revision (``PlanRevised`` with its moves); then
each row's commitment is made, or compared with the commitment of its code already in
the plan: the same is ``unchanged`` (so importing a file again changes nothing), a
changed title, deadline or parties is an amendment. A row's own problem rejects that
row alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date

from commitments.application import import_rows
from commitments.application.import_rows import RowProblem, RowResult, SectionPlan, SheetRow
from commitments.application.revisions import PlanRevisions
from commitments.application.service import (
    Clock,
    CommitmentsService,
    commitment_stream,
)
from commitments.domain.commitment import Amend, Commitment, MakeCommitment
from commitments.domain.errors import CommitmentsError
from commitments.domain.plan import Plan, RevisePlan
from shared.access import OutOfScope, Scope
from shared.contracts.commitments import SectionMove
from shared.deadlines import read_deadline
from shared.decider import Versioned
from shared.events import EventMetadata, EventRegistry
from shared.eventstore import EventReader
from shared.periods import InvalidPeriod

AMENDMENT_REASON = "import"


@dataclass
class _Run:
    """One import as it goes: the plan, the sections the rows ask for, the
    commitments of their codes already in the plan (and those made since), and where
    each commitment sits once the revisions' moves are counted."""

    plan: Plan
    wanted: SectionPlan
    found: dict[str, Versioned[Commitment]]
    placed: dict[str, str]
    today: date
    meta: EventMetadata
    scope: Scope
    #: Commitment id → the section a row moves it to.
    moves: dict[str, str] = field(default_factory=dict)
    #: Why the revision that moves them was refused, if it was.
    refused: str | None = None

    def section_of(self, commitment: Commitment) -> str:
        return self.placed.get(commitment.commitment_id, commitment.section)


class PlanImport:
    """The import use case, over the commitments use cases of the same replica (so
    the plan they cache is the one the revision left)."""

    def __init__(
        self,
        service: CommitmentsService,
        reader: EventReader,
        registry: EventRegistry,
        clock: Clock,
    ) -> None:
        self._service = service
        self._reader = reader
        self._registry = registry
        self._clock = clock

    async def run(
        self,
        plan_id: str,
        rows: Sequence[SheetRow],
        file_name: str | None,
        meta: EventMetadata,
        scope: Scope,
    ) -> list[RowResult]:
        """One result per row, in the sheet's order."""
        scope.check(plan_id)
        plan = (await self._service.get_plan(plan_id)).value
        wanted = import_rows.sections(plan, list(rows))
        found, placed = await self._found(plan_id, rows), dict(plan.placements)
        today = self._clock().astimezone(UTC).date()
        run = _Run(plan, wanted, found, placed, today, meta, scope)
        run.moves = _moves(rows, run)
        if wanted.changed or run.moves:
            reason = f"import of {file_name}" if file_name else "import"
            try:
                scope.check(plan_id, set())  # Sections are the whole plan's, no party's.
                await self._revise(plan_id, run, reason)
            except (CommitmentsError, OutOfScope) as exc:
                run.refused = f"the plan revision was refused: {exc}"
                for code in wanted.touched:
                    wanted.failed.setdefault(code, run.refused)
            else:
                placed.update(run.moves)
            run.plan = (await self._service.get_plan(plan_id)).value
        return [await self._row(run, row) for row in rows]

    async def _found(
        self, plan_id: str, rows: Sequence[SheetRow]
    ) -> dict[str, Versioned[Commitment]]:
        """The commitments the rows' codes name that the plan already has, by code."""
        ids: dict[str, str] = {}
        for code in {r.code for r in rows if r.code and not import_rows.code_problem(r.code, "")}:
            owner = await self._reader.owner_of("commitment-code", f"{plan_id}/{code}")
            if owner is not None:
                ids[code] = owner.removeprefix(commitment_stream(""))
        loaded = await self._service.get_commitments(ids.values())
        return {code: loaded[i] for code, i in ids.items() if i in loaded}

    async def _revise(self, plan_id: str, run: _Run, reason: str) -> None:
        """New sections, renamed titles and moves in one revision, through the same use
        case as ``POST /v1/plans/{id}/revisions`` (and its checks)."""
        moves = tuple(SectionMove(commitment_id=i, section=s) for i, s in run.moves.items())
        command = RevisePlan(_effective(run), reason, tuple(run.wanted.tree), moves)
        await PlanRevisions(self._service).revise(plan_id, command, run.meta, run.scope)

    async def _row(self, run: _Run, row: SheetRow) -> RowResult:
        code = row.code or None
        section = row.section or None
        wanted = run.wanted
        problem = wanted.problems.get(row.number) or wanted.failed.get(row.section)
        if problem is not None:
            return RowResult(row.number, code, "rejected", problem, section)
        if code is None:
            if section is None:
                problem = "the row has neither a code nor a section"
                return RowResult(row.number, None, "rejected", problem)
            status: import_rows.Status = (
                "accepted" if row.number in wanted.changing else "unchanged"
            )
            return RowResult(row.number, None, status, section=section)
        try:
            status, commitment_id = await self._commitment(run, row)
        except RowProblem as exc:
            return RowResult(row.number, code, "rejected", str(exc), section)
        except InvalidPeriod as exc:
            return RowResult(row.number, code, "rejected", f"deadline: {exc}", section)
        except (CommitmentsError, OutOfScope) as exc:
            return RowResult(row.number, code, "rejected", str(exc), section)
        return RowResult(row.number, code, status, section=section, id=commitment_id)

    async def _commitment(self, run: _Run, row: SheetRow) -> tuple[import_rows.Status, str]:
        """The row's status and its commitment's id."""
        written = import_rows.commitment(row, run.plan)
        if written.deadline and read_deadline(written.deadline, plan=run.plan.calendar()) is None:
            written = replace(written, deadline=None)  # "-", "n/a", "aucune": none.
        current = run.found.get(row.code)
        if current is None:
            if not row.section:
                raise RowProblem("section: a new commitment needs its section")
            made = await self._service.make_commitment(
                run.plan.plan_id, written, run.meta, run.scope
            )
            run.found[row.code] = made
            return "accepted", written.commitment_id
        commitment_id = current.value.commitment_id
        moved = run.moves.get(commitment_id) == row.section
        if moved and run.refused:
            raise RowProblem(run.refused)
        amend = _amendment(
            current.value, run.section_of(current.value), written, run.today, run.plan.language
        )
        if amend is None:
            return "accepted" if moved else "unchanged", commitment_id
        after = await self._service.handle(commitment_id, amend, run.meta, scope=run.scope)
        run.found[row.code] = after
        return "accepted", commitment_id


def _effective(run: _Run) -> date:
    """When the import's revision takes effect. A sheet that only adds sections writes
    down the plan as it was adopted: they count from the plan's start (or its latest
    revision, which a revision cannot precede), so a report of an earlier date shows
    them and a later revision may still be dated before today. Renaming a section or
    moving a commitment is a change made today."""
    plan, before = run.plan, {s.code: s.title for s in run.plan.sections}
    renames = any(
        s.code in before and not import_rows.same_text(s.title, before[s.code])
        for s in run.wanted.tree
    )
    start = plan.period.start if plan.period else plan.adopted_on
    if renames or run.moves or start is None:
        return run.today
    return min(run.today, max(start, plan.revised_on or start))


def _moves(rows: Sequence[SheetRow], run: _Run) -> dict[str, str]:
    """Commitment id → section, for the commitments already in the plan that a row
    puts under another section of the new tree (the first such row of each)."""
    tree = {s.code for s in run.wanted.tree}
    moves: dict[str, str] = {}
    for row in rows:
        current = run.found.get(row.code) if row.code else None
        if current is None or not row.section or row.number in run.wanted.problems:
            continue
        if row.section in run.wanted.failed or row.section not in tree:
            continue
        if row.section != run.section_of(current.value):
            moves.setdefault(current.value.commitment_id, row.section)
    return moves


def _amendment(
    current: Commitment, section: str, row: MakeCommitment, today: date, language: str
) -> Amend | None:
    """What the row (read as the commitment it writes) changes on the commitment of
    its code, as an amendment; ``None`` when it changes nothing. What an amendment
    cannot express is the row's problem."""
    if row.section and row.section != section:
        raise RowProblem(
            f"section: commitment {current.code!r} is under section {section!r}; "
            "one sheet moves a commitment once"
        )
    if row.priority != current.priority:
        raise RowProblem(
            f"priority: commitment {current.code!r} is already recorded "
            f"{'as' if current.priority else 'as not'} a priority; an import cannot change that"
        )
    label = None if current.deadline is None else " ".join(current.deadline.label.split())
    written = " ".join((row.deadline or "").split()) or None
    if written is None and label is not None:
        raise RowProblem(
            f"deadline: commitment {current.code!r} has the deadline {label!r}; "
            "an amendment cannot remove a deadline"
        )
    title = import_rows.merged(current.title, row.title, language)
    new_title = None if import_rows.same_text(title, current.title) else title
    new_deadline = None if written == label else written
    new_parties = None if row.parties == current.parties else row.parties
    if new_title is None and new_deadline is None and new_parties is None:
        return None
    return Amend(
        as_of=max(today, current.made_on) if current.made_on else today,
        reason=AMENDMENT_REASON,
        title=new_title,
        deadline=new_deadline,
        parties=new_parties,
    )


__all__ = ["PlanImport", "RowResult", "SheetRow"]
