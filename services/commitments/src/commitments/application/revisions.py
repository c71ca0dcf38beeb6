"""Plan revisions: the plan's text revised after adoption (sections added, renamed,
merged or retired; commitments moved), as ``PlanRevised`` events on the plan's stream.

The plan decider checks the new tree, the reason and the date; what it cannot see is
which commitments the plan holds. This use case reads them (the ``plan/code`` keys
commitments reserve, each commitment in the section it was made in unless an earlier
revision moved it) and refuses a move of a commitment that is not the plan's, and the
retirement of a section that would still hold commitments. The spreadsheet import calls
:meth:`PlanRevisions.revise` with a :class:`RevisePlan` as the route does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from commitments.application.service import (
    EVERYTHING,
    PLAN,
    CommitmentsService,
    commitment_stream,
    plan_stream,
)
from commitments.domain.errors import NotFound, RuleViolated
from commitments.domain.plan import Plan, RevisePlan
from shared.access import Scope
from shared.contracts.commitments import PlanCreated, PlanRevised, SectionData
from shared.contracts.revisions import Moved, TreeChanges, net_moves, tree_changes
from shared.decider import Versioned, business_time, existing
from shared.events import EventMetadata
from shared.eventstore import EventReader
from shared.unitofwork import UnitOfWork

#: The unique-key scope commitments reserve their ``plan/code`` in.
COMMITMENT_CODES = "commitment-code"


@dataclass(frozen=True, slots=True)
class Revision:
    """One revision of a plan as recorded (0: the plan as created) and what it changed
    from the one before."""

    plan_id: str
    revision: int
    as_of: date | None
    reason: str | None
    recorded_at: datetime
    sections: tuple[SectionData, ...]
    changes: TreeChanges
    moved: tuple[Moved, ...]


class PlanRevisions:
    """Revise a plan and list its revisions, over the commitments service's store."""

    def __init__(self, commitments: CommitmentsService) -> None:
        self._commitments = commitments

    async def holdings(self, reader: EventReader, plan: Plan) -> dict[str, str]:
        """Every commitment of ``plan`` (id → the section it is in now)."""
        owners = await reader.owners_under(COMMITMENT_CODES, f"{plan.plan_id}/")
        prefix = commitment_stream("")
        ids = [stream.removeprefix(prefix) for stream in owners.values()]
        found = await self._commitments.get_commitments(ids, reader)
        return {i: plan.placed(i, v.value.section) for i, v in found.items()}

    async def revise(
        self,
        plan_id: str,
        command: RevisePlan,
        meta: EventMetadata,
        scope: Scope = EVERYTHING,
    ) -> Versioned[Plan]:
        """Record the revision (nothing when it changes nothing); the plan after it."""
        scope.check(plan_id, set())
        service = self._commitments

        async def work(uow: UnitOfWork) -> Versioned[Plan | None]:
            current = await PLAN.load(uow.events, service.registry, plan_id)
            decision = PLAN.decide(current, command)
            if decision.events:
                plan = existing(current).value
                check_holdings(plan, command, await self.holdings(uow.events, plan))
                when = business_time(command.as_of)
                PLAN.append(uow, plan_id, current.version, decision.events, when, meta)
            return decision.after

        existing(await service.policy.run(service.units, work, retry=True))
        return await service.get_plan(plan_id)

    async def history(self, plan_id: str) -> list[Revision]:
        """Every revision of the plan in order, revision 0 being the plan as created."""
        service = self._commitments
        stored = await service.store.read_stream(plan_stream(plan_id))
        if not stored:
            raise NotFound("plan", plan_id)
        decoded = [(e, service.registry.decode(e.type, e.schema_version, e.data)) for e in stored]
        revised = [d for _, d in decoded if isinstance(d, PlanRevised)]
        made_in = await self._made_in({m.commitment_id for r in revised for m in r.moves})
        found: list[Revision] = []
        tree: tuple[SectionData, ...] = ()
        placed: dict[str, str] = dict(made_in)
        for event, data in decoded:
            if isinstance(data, PlanCreated):
                tree = data.sections
                as_of = data.adopted_on or event.occurred_at.date()
                found.append(
                    Revision(plan_id, 0, as_of, None, event.recorded_at, tree, TreeChanges(), ())
                )
            elif isinstance(data, PlanRevised):
                changes = tree_changes(tree, data.sections)
                moved = net_moves(data.moves, placed)
                found.append(
                    Revision(
                        plan_id,
                        data.revision,
                        data.as_of,
                        data.reason,
                        event.recorded_at,
                        data.sections,
                        changes,
                        moved,
                    )
                )
                tree = data.sections
                placed.update({m.commitment_id: m.section for m in data.moves})
        return found

    async def _made_in(self, ids: set[str]) -> Mapping[str, str]:
        found = await self._commitments.get_commitments(ids)
        return {i: v.value.section for i, v in found.items()}


def check_holdings(plan: Plan, command: RevisePlan, holdings: Mapping[str, str]) -> None:
    """Each moved commitment is the plan's and moved once; no section the revision
    retires still holds a commitment that is not moved elsewhere."""
    moved: set[str] = set()
    for i, move in enumerate(command.moves):
        if move.commitment_id not in holdings:
            raise RuleViolated(
                f"move {i}: commitment {move.commitment_id!r} is not in plan {plan.code!r}",
                f"/moves/{i}/commitment",
            )
        if move.commitment_id in moved:
            raise RuleViolated(
                f"move {i}: commitment {move.commitment_id!r} is moved twice",
                f"/moves/{i}/commitment",
            )
        moved.add(move.commitment_id)
    kept = {s.code for s in command.sections}
    for section in plan.sections:
        if section.code in kept:
            continue
        left = sorted(i for i, code in holdings.items() if code == section.code and i not in moved)
        if left:
            raise RuleViolated(
                f"section {section.code!r} is retired by this revision but still holds "
                f"commitments {', '.join(left)}: move them to a section of the new tree",
                "/sections",
            )
