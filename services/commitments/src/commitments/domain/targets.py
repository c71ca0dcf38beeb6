"""Targets a plan sets for several parties together: a plan-level indicator fed by
the measurements of several commitments, with the way they combine (a sum, a mean
weighted by a base, the latest) and a threshold. A plan's targets are a stream of
their own: setting one does not change the plan's text or its cached state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

from commitments.domain.errors import RuleViolated
from shared.contracts.commitments import (
    Comparison,
    PlanTargetSet,
    TargetAggregation,
    TargetSourceData,
)
from shared.contracts.common import LocalText, is_blank
from shared.decider import Decider, Rules, UnknownEvent
from shared.events import EventData


@dataclass(frozen=True, slots=True)
class SetTarget:
    plan_id: str
    code: str
    title: LocalText
    unit: str
    aggregation: TargetAggregation
    comparison: Comparison
    value: str
    by: date | None
    sources: tuple[TargetSourceData, ...]


#: A plan's targets by code, each as last set.
Targets = tuple[PlanTargetSet, ...]


def _decimal(text: str, where: str) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise RuleViolated(f"{text!r} is not a decimal number", where) from None
    if not number.is_finite():
        raise RuleViolated(f"{text!r} is not a finite number", where)
    return number


def _check_sources(command: SetTarget) -> None:
    if not command.sources:
        raise RuleViolated("a shared target needs at least one source", "/sources")
    seen: set[tuple[str, str]] = set()
    for i, source in enumerate(command.sources):
        key = (source.commitment_id, source.indicator)
        if key in seen:
            raise RuleViolated(
                f"commitment {source.commitment_id!r} indicator {source.indicator!r} "
                "is named twice",
                f"/sources/{i}",
            )
        seen.add(key)
        weighs = source.weight is not None or source.weight_indicator is not None
        if command.aggregation == "weighted_mean" and not weighs:
            raise RuleViolated(
                "a weighted mean needs each source's weight or weight_indicator",
                f"/sources/{i}/weight",
            )
        if source.weight is not None and source.weight_indicator is not None:
            raise RuleViolated("give weight or weight_indicator, not both", f"/sources/{i}")
        if source.weight is not None and _decimal(source.weight, f"/sources/{i}/weight") < 0:
            raise RuleViolated("a weight cannot be negative", f"/sources/{i}/weight")


def decide(state: Targets, command: SetTarget) -> list[PlanTargetSet]:
    """Setting a target as it already stands records nothing."""
    if not command.code.strip():
        raise RuleViolated("a target code cannot be empty", "/code")
    if is_blank(command.title):
        raise RuleViolated("a target title cannot be empty", "/title")
    _decimal(command.value, "/target/value")
    _check_sources(command)
    event = PlanTargetSet(
        plan_id=command.plan_id,
        code=command.code,
        title=command.title,
        unit=command.unit,
        aggregation=command.aggregation,
        comparison=command.comparison,
        value=command.value,
        by=command.by,
        sources=command.sources,
    )
    if any(t == event for t in state):
        return []
    return [event]


def evolve(state: Targets, event: EventData) -> Targets:
    if not isinstance(event, PlanTargetSet):
        raise UnknownEvent("plan targets", event)
    return (*(t for t in state if t.code != event.code), event)


DECIDER: Final[Decider[SetTarget, Targets, EventData]] = Rules(lambda: (), decide, evolve)
