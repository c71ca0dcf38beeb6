"""Setting a plan's shared targets: the rules' checks, and what they cannot see: that
every source is a commitment of this plan with the indicators it names."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from commitments.application.service import CommitmentsService
from commitments.domain import targets as target_rules
from commitments.domain.errors import NotFound, RuleViolated
from commitments.domain.targets import SetTarget, Targets
from shared.aggregate import Aggregate
from shared.contracts.commitments import PlanTargetSet
from shared.decider import Versioned
from shared.events import EventMetadata, EventRegistry
from shared.eventstore import EventReader
from shared.unitofwork import UnitOfWork


def targets_stream(plan_id: str) -> str:
    return f"plan-targets-{plan_id}"


TARGETS = Aggregate(
    "plan targets", target_rules.DECIDER, targets_stream, lambda i: NotFound("plan", i)
)


class PlanTargets:
    def __init__(
        self,
        commitments: CommitmentsService,
        store: EventReader,
        registry: EventRegistry,
        clock: Callable[[], datetime],
    ) -> None:
        self._commitments = commitments
        self._store = store
        self._registry = registry
        self._clock = clock

    async def set(self, command: SetTarget, meta: EventMetadata) -> tuple[PlanTargetSet, bool]:
        """The target as it now stands, and whether this changed it."""
        await self._commitments.get_plan(command.plan_id)
        await self._check_sources(command)

        async def work(uow: UnitOfWork) -> bool:
            current = await TARGETS.load(
                uow.events, self._registry, command.plan_id, required=False
            )
            decision = TARGETS.decide(current, command)
            TARGETS.append(
                uow, command.plan_id, current.version, decision.events, self._clock(), meta
            )
            return bool(decision.events)

        changed = await self._commitments.policy.run(self._commitments.units, work, retry=True)
        now = await self.targets(command.plan_id)
        return next(t for t in now.value if t.code == command.code), changed

    async def targets(self, plan_id: str) -> Versioned[Targets]:
        await self._commitments.get_plan(plan_id)
        return await TARGETS.load(self._store, self._registry, plan_id, required=False)

    async def _check_sources(self, command: SetTarget) -> None:
        for i, source in enumerate(command.sources):
            where = f"/sources/{i}"
            try:
                found = (await self._commitments.get_commitment(source.commitment_id)).value
            except NotFound:
                raise RuleViolated(
                    f"no commitment {source.commitment_id!r}", f"{where}/commitment"
                ) from None
            if found.plan_id != command.plan_id:
                raise RuleViolated(
                    f"commitment {source.commitment_id!r} is not in plan {command.plan_id!r}",
                    f"{where}/commitment",
                )
            for field, code in (
                ("indicator", source.indicator),
                ("weight_indicator", source.weight_indicator),
            ):
                if code is not None and found.indicator(code) is None:
                    raise RuleViolated(
                        f"commitment {found.code!r} has no indicator {code!r}",
                        f"{where}/{field}",
                    )
