"""Agreements: conventions funded by contributions from sources, whose money is
allocated to commitments and flows out as pledges, commitments, disbursements and
expenditure.

Invariants, per agreement and in its one currency: allocations never exceed the total;
outgoing commitments (net of decommitments) never exceed the total; disbursements never
exceed commitments; expenditure never exceeds disbursements. A reversal is a correction
that stops a flow counting; it may not break these either. Nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final

from funding.domain.commands import Allocate as Allocate
from funding.domain.commands import Command as Command
from funding.domain.commands import CommitmentRef as CommitmentRef
from funding.domain.commands import ConcludeAgreement as ConcludeAgreement
from funding.domain.commands import RecordFlow as RecordFlow
from funding.domain.commands import ReverseFlow as ReverseFlow
from funding.domain.errors import (
    AlreadyExists,
    InvalidMoney,
    LimitExceeded,
    NotFound,
    RuleViolated,
)
from funding.domain.money import Money, check_currency
from shared.contracts.common import PeriodData
from shared.contracts.funding import (
    AgreementConcluded,
    ContributionData,
    Direction,
    FlowRecorded,
    FlowReversed,
    FlowType,
    FundsAllocated,
)
from shared.decider import Decider, Rules, UnknownEvent
from shared.events import EventData

#: IATI TransactionType codes by (direction, type). A decommitment reduces a
#: commitment, so it carries the commitment code.
IATI: Final[dict[tuple[Direction, FlowType], int]] = {
    ("outgoing", "pledge"): 12,
    ("outgoing", "commitment"): 2,
    ("outgoing", "decommitment"): 2,
    ("outgoing", "disbursement"): 3,
    ("outgoing", "expenditure"): 4,
    ("incoming", "pledge"): 13,
    ("incoming", "commitment"): 11,
    ("incoming", "disbursement"): 1,
}


@dataclass(frozen=True, slots=True)
class Contribution:
    source: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Flow:
    flow_id: str
    type: FlowType
    direction: Direction
    amount: Money
    date: date
    reversed: bool = False


@dataclass(frozen=True, slots=True)
class Agreement:
    agreement_id: str
    code: str
    title: str
    currency: str
    period: PeriodData | None
    plan_id: str | None
    section: str | None
    contributions: tuple[Contribution, ...]
    total: Money
    illustrative: bool
    allocations: tuple[tuple[str, str, Money], ...] = ()
    flows: tuple[Flow, ...] = field(default=())

    def flow(self, flow_id: str) -> Flow | None:
        return next((f for f in self.flows if f.flow_id == flow_id), None)

    def _sum(self, *types: FlowType, sign: dict[FlowType, int] | None = None) -> Money:
        total = Money.zero(self.currency)
        for f in self.flows:
            if f.direction == "outgoing" and not f.reversed and f.type in types:
                negative = (sign or {}).get(f.type, 1) < 0
                total = total - f.amount if negative else total + f.amount
        return total

    @property
    def allocated(self) -> Money:
        total = Money.zero(self.currency)
        for _, _, amount in self.allocations:
            total = total + amount
        return total

    @property
    def committed(self) -> Money:
        return self._sum("commitment", "decommitment", sign={"decommitment": -1})

    @property
    def disbursed(self) -> Money:
        return self._sum("disbursement")

    @property
    def spent(self) -> Money:
        return self._sum("expenditure")

    def check_invariants(self, after: str) -> None:
        """Raise :class:`LimitExceeded`, naming the amounts, if ``after`` broke one."""
        if self.total < self.allocated:
            raise LimitExceeded(
                f"{after}: allocations would reach {self.allocated}, above the agreement "
                f"total of {self.total}",
                "/amount",
            )
        if self.total < self.committed:
            raise LimitExceeded(
                f"{after}: commitments would reach {self.committed}, above the agreement "
                f"total of {self.total}",
                "/amount",
            )
        if self.committed.amount < 0:
            raise LimitExceeded(f"{after}: commitments would fall below zero", "/amount")
        if self.committed < self.disbursed:
            raise LimitExceeded(
                f"{after}: disbursed {self.disbursed} would exceed committed {self.committed}",
                "/amount",
            )
        if self.disbursed < self.spent:
            raise LimitExceeded(
                f"{after}: spent {self.spent} would exceed disbursed {self.disbursed}",
                "/amount",
            )


def _amount(state: Agreement, command: Allocate | RecordFlow) -> Money:
    """The command's amount in the agreement's currency; an amount given in another
    currency is refused, never converted."""
    if command.currency is not None and command.currency != state.currency:
        raise InvalidMoney(
            f"amount is in {command.currency} but this is a {state.currency} agreement; "
            "amounts in different currencies are never mixed",
            "/amount/currency",
        )
    return _positive(command.amount, state.currency, "/amount")


def _positive(amount: object, currency: str, field: str) -> Money:
    """``currency`` is the agreement's, checked when it was concluded."""
    money = Money.parse(amount, currency, field, held=True)
    if money.amount <= 0:
        raise RuleViolated(f"amounts must be positive, got {money.text}", field)
    return money


def decide_conclude(
    state: Agreement | None, command: ConcludeAgreement, known_sources: frozenset[str]
) -> list[AgreementConcluded]:
    if state is not None:
        raise AlreadyExists("agreement", state.code)
    check_currency(command.currency)
    if not command.contributions:
        raise RuleViolated("an agreement needs at least one contribution", "/contributions")
    total = Money.zero(command.currency)
    contributions: list[ContributionData] = []
    for i, (source, amount) in enumerate(command.contributions):
        if source not in known_sources:
            raise RuleViolated(
                f"unknown source {source!r}; register it at POST /v1/sources first",
                f"/contributions/{i}/source",
            )
        money = _positive(amount, command.currency, f"/contributions/{i}/amount")
        total = total + money
        contributions.append(ContributionData(source=source, amount=money.text))
    return [
        AgreementConcluded(
            agreement_id=command.agreement_id,
            code=command.code,
            title=command.title,
            currency=command.currency,
            period=command.period,
            plan_id=command.plan_id,
            section=command.section,
            contributions=tuple(contributions),
            total=total.text,
            illustrative=command.illustrative,
        )
    ]


def decide(state: Agreement, command: Allocate | RecordFlow | ReverseFlow) -> list[EventData]:
    events: list[EventData]
    match command:
        case Allocate():
            if command.commitment is None:
                raise RuleViolated(f"unknown commitment {command.commitment_id!r}", "/commitment")
            _same_plan(state, command.commitment)
            amount = _amount(state, command)
            events = [
                FundsAllocated(
                    agreement_id=state.agreement_id,
                    allocation_id=command.allocation_id,
                    commitment_id=command.commitment.commitment_id,
                    plan_id=command.commitment.plan_id,
                    section=command.commitment.section,
                    amount=amount.text,
                    currency=state.currency,
                )
            ]
            after = "this allocation"
        case RecordFlow():
            events, after = _record(state, command)
        case ReverseFlow():
            flow = state.flow(command.flow_id)
            if flow is None:
                raise RuleViolated(f"no flow {command.flow_id!r} on this agreement", "/flow")
            if flow.reversed:
                raise RuleViolated(f"flow {command.flow_id!r} is already reversed", "/flow")
            if not command.reason.strip():
                raise RuleViolated("a reversal needs a reason", "/reason")
            if command.date is None:
                raise RuleViolated("a reversal needs the date it takes effect", "/date")
            events = [
                FlowReversed(
                    agreement_id=state.agreement_id,
                    flow_id=command.flow_id,
                    reason=command.reason,
                    date=command.date,
                )
            ]
            after = f"reversing this {flow.type} of {flow.amount}"
    projected = state
    for event in events:
        projected = evolve(projected, event)
    projected.check_invariants(after)
    return events


def _record(state: Agreement, command: RecordFlow) -> tuple[list[EventData], str]:
    """A flow's event, and how to name it if it breaks an invariant."""
    if state.flow(command.flow_id) is not None:
        raise AlreadyExists("flow", command.flow_id)
    code = IATI.get((command.direction, command.type))
    if code is None:
        raise RuleViolated(
            f"an {command.direction} {command.type} is not a flow this platform records",
            "/type",
        )
    if command.commitment_id is not None and command.commitment is None:
        raise RuleViolated(f"unknown commitment {command.commitment_id!r}", "/commitment")
    if command.commitment is not None:
        _same_plan(state, command.commitment)
    if command.source is not None and command.source not in {c.source for c in state.contributions}:
        raise RuleViolated(
            f"source {command.source!r} does not contribute to this agreement", "/source"
        )
    amount = _amount(state, command)
    ref = command.commitment
    events: list[EventData] = [
        FlowRecorded(
            agreement_id=state.agreement_id,
            flow_id=command.flow_id,
            type=command.type,
            direction=command.direction,
            iati_code=code,
            amount=amount.text,
            currency=state.currency,
            date=command.date,
            commitment_id=None if ref is None else ref.commitment_id,
            plan_id=ref.plan_id if ref is not None else state.plan_id,
            section=ref.section if ref is not None else state.section,
            source=command.source,
            reference=command.reference,
            illustrative=command.illustrative or state.illustrative,
        )
    ]
    return events, f"this {command.type} of {amount}"


def _same_plan(state: Agreement, ref: CommitmentRef) -> None:
    if state.plan_id is not None and ref.plan_id != state.plan_id:
        raise RuleViolated(
            f"commitment {ref.commitment_id!r} belongs to plan {ref.plan_id!r}, not to this "
            f"agreement's plan {state.plan_id!r}",
            "/commitment",
        )


def conclude(event: AgreementConcluded) -> Agreement:
    return Agreement(
        agreement_id=event.agreement_id,
        code=event.code,
        title=event.title,
        currency=event.currency,
        period=event.period,
        plan_id=event.plan_id,
        section=event.section,
        contributions=tuple(
            Contribution(c.source, Money.recorded(c.amount, event.currency))
            for c in event.contributions
        ),
        total=Money.recorded(event.total, event.currency),
        illustrative=event.illustrative,
    )


def evolve(state: Agreement, event: EventData) -> Agreement:
    match event:
        case FundsAllocated():
            money = Money.recorded(event.amount, event.currency)
            return replace(
                state,
                allocations=(*state.allocations, (event.allocation_id, event.commitment_id, money)),
            )
        case FlowRecorded():
            flow = Flow(
                flow_id=event.flow_id,
                type=event.type,
                direction=event.direction,
                amount=Money.recorded(event.amount, event.currency),
                date=event.date,
            )
            return replace(state, flows=(*state.flows, flow))
        case FlowReversed():
            return replace(
                state,
                flows=tuple(
                    replace(f, reversed=True) if f.flow_id == event.flow_id else f
                    for f in state.flows
                ),
            )
    raise UnknownEvent("agreement", event)


def decide_any(state: Agreement | None, command: Command) -> list[EventData]:
    """Concluding an agreement (with the sources the command found registered), or a
    command on one."""
    if isinstance(command, ConcludeAgreement):
        return list(decide_conclude(state, command, command.known_sources))
    if state is None:
        raise NotFound("agreement", "")
    return decide(state, command)


def evolve_any(state: Agreement | None, event: EventData) -> Agreement | None:
    if isinstance(event, AgreementConcluded):
        return conclude(event)
    if state is None:
        if isinstance(event, FundsAllocated | FlowRecorded | FlowReversed):
            return None
        raise UnknownEvent("agreement", event)
    return evolve(state, event)


#: The agreement's rules in the one decider shape; one not yet concluded is ``None``.
DECIDER: Final[Decider[Command, Agreement | None, EventData]] = Rules(
    lambda: None, decide_any, evolve_any
)
