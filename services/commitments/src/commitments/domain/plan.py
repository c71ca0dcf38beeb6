"""Plans: a tree of sections of any depth (domain > action > ...), with parties,
monitoring bodies, a period and a language. A plan's structure is fixed by the
``PlanCreated`` event; commitments hang off its sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Final

from commitments.domain.errors import AlreadyExists, RuleViolated
from shared.contracts.commitments import PlanCreated, SectionData
from shared.contracts.common import PeriodData
from shared.decider import Decider, Rules, UnknownEvent
from shared.events import EventData
from shared.periods import Period


@dataclass(frozen=True, slots=True)
class Section:
    code: str
    title: str
    parent: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class CreatePlan:
    plan_id: str
    code: str
    title: str
    language: str
    period: Period | None
    adopted_on: date | None
    parties: tuple[str, ...]
    monitoring_bodies: tuple[str, ...]
    sections: tuple[Section, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    plan_id: str
    code: str
    title: str
    language: str
    period: PeriodData | None
    adopted_on: date | None
    parties: tuple[str, ...]
    monitoring_bodies: tuple[str, ...]
    sections: tuple[SectionData, ...] = field(default=())

    def section(self, code: str) -> SectionData | None:
        return next((s for s in self.sections if s.code == code), None)


def _check_tree(sections: tuple[Section, ...]) -> None:
    codes: dict[str, Section] = {}
    for i, s in enumerate(sections):
        if not s.code.strip():
            raise RuleViolated("a section code cannot be empty", f"/sections/{i}/code")
        if s.code in codes:
            raise RuleViolated(f"section code {s.code!r} appears twice", f"/sections/{i}/code")
        codes[s.code] = s
    for i, s in enumerate(sections):
        seen = {s.code}
        parent = s.parent
        while parent is not None:
            if parent not in codes:
                raise RuleViolated(
                    f"section {s.code!r} names unknown parent {parent!r}", f"/sections/{i}/parent"
                )
            if parent in seen:
                raise RuleViolated(
                    f"section {s.code!r} is its own ancestor", f"/sections/{i}/parent"
                )
            seen.add(parent)
            parent = codes[parent].parent


def decide_create(state: Plan | None, command: CreatePlan) -> list[PlanCreated]:
    if state is not None:
        raise AlreadyExists("plan", state.code)
    if not command.code.strip():
        raise RuleViolated("a plan code cannot be empty", "/code")
    if not command.title.strip():
        raise RuleViolated("a plan title cannot be empty", "/title")
    _check_tree(command.sections)
    p = command.period
    return [
        PlanCreated(
            plan_id=command.plan_id,
            code=command.code,
            title=command.title,
            language=command.language,
            period=None if p is None else PeriodData(label=p.label, start=p.start, end=p.end),
            adopted_on=command.adopted_on,
            parties=command.parties,
            monitoring_bodies=command.monitoring_bodies,
            sections=tuple(
                SectionData(code=s.code, title=s.title, parent=s.parent, kind=s.kind)
                for s in command.sections
            ),
        )
    ]


def evolve(state: Plan | None, event: EventData) -> Plan:
    """A plan is its ``PlanCreated``: it never changes after, so any other event in
    its stream is an error."""
    if not isinstance(event, PlanCreated):
        raise UnknownEvent("plan", event)
    return Plan(
        plan_id=event.plan_id,
        code=event.code,
        title=event.title,
        language=event.language,
        period=event.period,
        adopted_on=event.adopted_on,
        parties=event.parties,
        monitoring_bodies=event.monitoring_bodies,
        sections=event.sections,
    )


#: The plan's rules in the one decider shape; a plan not yet created is ``None``.
DECIDER: Final[Decider[CreatePlan, Plan | None, EventData]] = Rules(
    lambda: None, decide_create, evolve
)
