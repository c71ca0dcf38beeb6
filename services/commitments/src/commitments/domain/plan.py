"""Plans: a tree of sections of any depth (domain > action > ...), with parties,
monitoring bodies, a period, a language, the month its fiscal years start and its key
dates (the summit, the adoption) that deadlines may count from. A plan's structure is
set by the ``PlanCreated`` event and revised after adoption (``PlanRevised``: the whole
new tree, commitments moved); commitments hang off its sections. Key dates are dated or
corrected later (``PlanKeyDateRecorded``). Titles may be language maps
(``shared.contracts.common.LocalText``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final

from commitments.domain.errors import AlreadyExists, RuleViolated
from shared.contracts.commitments import (
    KeyDateData,
    PlanCreated,
    PlanKeyDateRecorded,
    PlanRevised,
    SectionData,
    SectionMove,
)
from shared.contracts.common import LocalText, PeriodData, is_blank
from shared.deadlines import PlanCalendar
from shared.decider import Decider, Rules, UnknownEvent
from shared.events import EventData
from shared.periods import Period


@dataclass(frozen=True, slots=True)
class Section:
    code: str
    title: LocalText
    parent: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class CreatePlan:
    plan_id: str
    code: str
    title: LocalText
    language: str
    period: Period | None
    adopted_on: date | None
    parties: tuple[str, ...]
    monitoring_bodies: tuple[str, ...]
    sections: tuple[Section, ...]
    fiscal_year_start: int | None = None
    key_dates: tuple[KeyDateData, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordKeyDate:
    """Date (or correct the date of) a key date; a name the plan did not list yet is
    added."""

    name: str
    day: date


@dataclass(frozen=True, slots=True)
class RevisePlan:
    """Replace the plan's section tree with ``sections`` from ``as_of`` on, moving
    ``moves`` (commitment id → section code). Whether each moved commitment is in
    this plan, and whether a retired section still holds commitments that are not
    moved, is the use case's to check: the plan does not list its commitments."""

    as_of: date
    reason: str
    sections: tuple[Section, ...]
    moves: tuple[SectionMove, ...] = ()


PlanCommand = CreatePlan | RecordKeyDate | RevisePlan


@dataclass(frozen=True, slots=True)
class Plan:
    plan_id: str
    code: str
    title: LocalText
    language: str
    period: PeriodData | None
    adopted_on: date | None
    parties: tuple[str, ...]
    monitoring_bodies: tuple[str, ...]
    sections: tuple[SectionData, ...] = field(default=())
    fiscal_year_start: int | None = None
    key_dates: tuple[KeyDateData, ...] = ()
    #: How many times the plan was revised (0: as created).
    revision: int = 0
    #: When the latest revision took effect (business date); ``None``: never revised.
    revised_on: date | None = None
    #: Where revisions moved commitments (commitment id → section code), the latest
    #: move winning; a commitment not in it is in the section it was made in.
    placements: Mapping[str, str] = field(default_factory=dict)

    def placed(self, commitment_id: str, made_in: str) -> str:
        """The section a commitment made in ``made_in`` is in now."""
        return self.placements.get(commitment_id, made_in)

    def section(self, code: str) -> SectionData | None:
        return next((s for s in self.sections if s.code == code), None)

    def calendar(self) -> PlanCalendar:
        """What a deadline on this plan is read against."""
        period = self.period
        return PlanCalendar(
            fiscal_year_start=self.fiscal_year_start,
            key_dates={k.name: k.date for k in self.key_dates},
            start=period.start if period else None,
            end=period.end if period else None,
        )


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


def _check_key_dates(key_dates: tuple[KeyDateData, ...]) -> None:
    seen: set[str] = set()
    for i, k in enumerate(key_dates):
        name = " ".join(k.name.split()).casefold()
        if not name:
            raise RuleViolated("a key date needs a name", f"/key_dates/{i}/name")
        if name in seen:
            raise RuleViolated(f"key date {k.name!r} appears twice", f"/key_dates/{i}/name")
        seen.add(name)


def decide(state: Plan | None, command: PlanCommand) -> list[EventData]:
    if isinstance(command, CreatePlan):
        return list(decide_create(state, command))
    if state is None:
        raise RuleViolated("the plan does not exist", "")
    if isinstance(command, RevisePlan):
        return list(decide_revise(state, command))
    name = " ".join(command.name.split())
    if not name:
        raise RuleViolated("a key date needs a name", "/name")
    known = next((k for k in state.key_dates if k.name.casefold() == name.casefold()), None)
    if known is not None and known.date == command.day:
        return []
    return [
        PlanKeyDateRecorded(
            plan_id=state.plan_id, name=known.name if known else name, date=command.day
        )
    ]


def decide_create(state: Plan | None, command: CreatePlan) -> list[PlanCreated]:
    if state is not None:
        raise AlreadyExists("plan", state.code)
    if not command.code.strip():
        raise RuleViolated("a plan code cannot be empty", "/code")
    if is_blank(command.title):
        raise RuleViolated("a plan title cannot be empty", "/title")
    _check_tree(command.sections)
    _check_key_dates(command.key_dates)
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
            sections=_section_data(command.sections),
            fiscal_year_start=command.fiscal_year_start,
            key_dates=command.key_dates,
        )
    ]


def _section_data(sections: tuple[Section, ...]) -> tuple[SectionData, ...]:
    return tuple(
        SectionData(code=s.code, title=s.title, parent=s.parent, kind=s.kind) for s in sections
    )


def decide_revise(state: Plan, command: RevisePlan) -> list[PlanRevised]:
    """A revision with nothing to change is no event (sending it again is harmless);
    one dated before the latest revision is refused: revisions follow one another."""
    if not command.reason.strip():
        raise RuleViolated("a revision needs its reason", "/reason")
    if state.revised_on is not None and command.as_of < state.revised_on:
        raise RuleViolated(
            f"the plan was last revised as of {state.revised_on.isoformat()}; "
            "a revision cannot take effect before it",
            "/as_of",
        )
    _check_tree(command.sections)
    sections = _section_data(command.sections)
    codes = {s.code for s in sections}
    for i, move in enumerate(command.moves):
        if move.section not in codes:
            raise RuleViolated(
                f"move {i} names section {move.section!r}, which the new tree does not have",
                f"/moves/{i}/section",
            )
    if sections == state.sections and not command.moves:
        return []
    return [
        PlanRevised(
            plan_id=state.plan_id,
            revision=state.revision + 1,
            as_of=command.as_of,
            reason=command.reason.strip(),
            sections=sections,
            moves=command.moves,
        )
    ]


def evolve(state: Plan | None, event: EventData) -> Plan:
    """A plan is its ``PlanCreated`` with its key dates as dated since and its latest
    revision's section tree."""
    if isinstance(event, PlanRevised) and state is not None:
        placements = {**state.placements, **{m.commitment_id: m.section for m in event.moves}}
        return replace(
            state,
            sections=event.sections,
            revision=event.revision,
            revised_on=event.as_of,
            placements=placements,
        )
    if isinstance(event, PlanKeyDateRecorded) and state is not None:
        dated = KeyDateData(name=event.name, date=event.date)
        if any(k.name == event.name for k in state.key_dates):
            key_dates = tuple(dated if k.name == event.name else k for k in state.key_dates)
        else:
            key_dates = (*state.key_dates, dated)
        return replace(state, key_dates=key_dates)
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
        fiscal_year_start=event.fiscal_year_start,
        key_dates=event.key_dates,
    )


#: The plan's rules in the one decider shape; a plan not yet created is ``None``.
DECIDER: Final[Decider[PlanCommand, Plan | None, EventData]] = Rules(lambda: None, decide, evolve)
