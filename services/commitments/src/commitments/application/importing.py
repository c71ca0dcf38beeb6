"""Importing a plan's sections and commitments from a spreadsheet (issue 22).

The rows' new sections and renamed section titles are applied first, as one plan
revision; then each row's commitment is made, or compared with the commitment of its
code already in the plan: the same is ``unchanged`` (so importing a file again changes
nothing), a changed title, deadline or parties is an amendment. A row's own problem
rejects that row alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from commitments.application import import_rows
from commitments.application.import_rows import RowProblem, RowResult, SectionPlan, SheetRow
from commitments.application.service import PLAN, Clock, CommitmentsService, commitment_stream
from commitments.domain.commitment import Amend, Commitment, MakeCommitment
from commitments.domain.errors import CommitmentsError
from commitments.domain.plan import Plan, RevisePlan
from shared.access import OutOfScope, Scope
from shared.contracts.commitments import PartyData
from shared.contracts.common import LocalText
from shared.deadlines import read_deadline
from shared.decider import Versioned, business_time, new_id
from shared.events import EventMetadata, EventRegistry
from shared.eventstore import EventReader
from shared.periods import InvalidPeriod
from shared.unitofwork import UnitOfWork

AMENDMENT_REASON = "import"


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
        today = self._clock().date()
        plan = (await self._service.get_plan(plan_id)).value
        wanted = import_rows.sections(plan, list(rows))
        if wanted.changed:
            reason = f"import of {file_name}" if file_name else "import"
            try:
                scope.check(plan_id, set())  # Sections are the whole plan's, no party's.
                await self._revise(plan_id, RevisePlan(today, reason, tuple(wanted.tree)), meta)
            except (CommitmentsError, OutOfScope) as exc:
                for code in wanted.touched:
                    wanted.failed.setdefault(code, f"the plan revision was refused: {exc}")
            plan = (await self._service.get_plan(plan_id)).value
        results = []
        for row in rows:
            results.append(await self._row(plan, row, wanted, today, meta, scope))
        return results

    async def _revise(self, plan_id: str, command: RevisePlan, meta: EventMetadata) -> None:
        async def work(uow: UnitOfWork) -> Versioned[Plan | None]:
            when = business_time(command.as_of)
            return await PLAN.handle(uow, self._registry, plan_id, command, when, meta)

        service = self._service
        await service.policy.run(service.units, work, retry=True)

    async def _row(
        self,
        plan: Plan,
        row: SheetRow,
        wanted: SectionPlan,
        today: date,
        meta: EventMetadata,
        scope: Scope,
    ) -> RowResult:
        code = row.code or None
        section = row.section or None
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
            status, commitment_id = await self._commitment(plan, row, today, meta, scope)
        except RowProblem as exc:
            return RowResult(row.number, code, "rejected", str(exc), section)
        except InvalidPeriod as exc:
            return RowResult(row.number, code, "rejected", f"deadline: {exc}", section)
        except (CommitmentsError, OutOfScope) as exc:
            return RowResult(row.number, code, "rejected", str(exc), section)
        return RowResult(row.number, code, status, section=section, id=commitment_id)

    async def _commitment(
        self, plan: Plan, row: SheetRow, today: date, meta: EventMetadata, scope: Scope
    ) -> tuple[import_rows.Status, str]:
        """The row's status and its commitment's id."""
        problem = import_rows.code_problem(row.code, "code")
        if problem is not None:
            raise RowProblem(problem)
        if not row.title:
            raise RowProblem("title: a commitment needs its title")
        if max(len(row.title), len(row.title_fr)) > import_rows.TITLE_LENGTH:
            raise RowProblem(f"title: {import_rows.TITLE_LENGTH} characters at most")
        title = import_rows.title(row, plan.language)
        parties = import_rows.parties(row.parties)
        priority = import_rows.priority(row.priority)
        deadline = row.deadline or None
        if deadline and read_deadline(deadline, plan=plan.calendar(), field="/deadline") is None:
            deadline = None  # "-", "n/a", "none", "aucune": no deadline, as an empty cell.
        owner = await self._reader.owner_of("commitment-code", f"{plan.plan_id}/{row.code}")
        if owner is None:
            if not row.section:
                raise RowProblem("section: a new commitment needs its section")
            command = MakeCommitment(
                commitment_id=new_id(),
                code=row.code,
                section=row.section,
                title=title,
                parties=parties,
                deadline=deadline,
                priority=priority,
                made_on=None,
                indicators=(),
            )
            await self._service.make_commitment(plan.plan_id, command, meta, scope)
            return "accepted", command.commitment_id
        commitment_id = owner.removeprefix(commitment_stream(""))
        current = (await self._service.get_commitment(commitment_id)).value
        amend = _amendment(
            current, replace(row, deadline=deadline or ""), title, parties, priority, today
        )
        if amend is None:
            return "unchanged", commitment_id
        await self._service.handle(commitment_id, amend, meta, scope=scope)
        return "accepted", commitment_id


def _amendment(
    current: Commitment,
    row: SheetRow,
    title: LocalText,
    parties: tuple[PartyData, ...],
    priority: bool,
    today: date,
) -> Amend | None:
    """What the row changes on the commitment of its code, as an amendment; ``None``
    when it changes nothing. What an amendment cannot express is the row's problem."""
    if row.section and row.section != current.section:
        raise RowProblem(
            f"section: commitment {current.code!r} is under section {current.section!r}; "
            "moving it is a plan revision (POST /v1/plans/{plan_id}/revisions)"
        )
    if priority != current.priority:
        raise RowProblem(
            f"priority: commitment {current.code!r} is already recorded "
            f"{'as' if current.priority else 'as not'} a priority; an import cannot change that"
        )
    label = None if current.deadline is None else " ".join(current.deadline.label.split())
    written = " ".join(row.deadline.split()) or None
    if written is None and label is not None:
        raise RowProblem(
            f"deadline: commitment {current.code!r} has the deadline {label!r}; "
            "an amendment cannot remove a deadline"
        )
    new_title = None if import_rows.same_text(title, current.title) else title
    new_deadline = None if written == label else written
    new_parties = None if parties == current.parties else parties
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
