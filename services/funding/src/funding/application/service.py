"""Funding use cases: load a stream, decide, append at the loaded version."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import Generic, TypeVar
from uuid import uuid4

from funding.application.ports import CommitmentDirectory
from funding.domain import agreement as rules
from funding.domain.agreement import (
    Agreement,
    Allocate,
    ConcludeAgreement,
    RecordFlow,
    ReverseFlow,
)
from funding.domain.errors import AlreadyExists, NotFound, RuleViolated
from funding.domain.money import Money, check_currency
from shared.access import Scope
from shared.contracts import registry
from shared.contracts.funding import (
    AgreementConcluded,
    ExchangeRateRecorded,
    FundingTargetSet,
    SourceRegistered,
)
from shared.events import EventMetadata, new_events
from shared.eventstore import EventStore, UniqueKeyTaken

Clock = Callable[[], datetime]
EVERYTHING = Scope()
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Versioned(Generic[T]):
    value: T
    version: int


class StaleVersion(RuleViolated):
    """``If-Match`` named a version the agreement has moved past (HTTP 412)."""

    def __init__(self, current: int, given: int) -> None:
        self.current = current
        super().__init__(f"If-Match {given} is stale: the agreement is at version {current}")


def new_id() -> str:
    return str(uuid4())


def business_time(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class FundingService:
    def __init__(self, store: EventStore, directory: CommitmentDirectory, clock: Clock) -> None:
        self._store = store
        self._directory = directory
        self._clock = clock

    async def register_source(
        self,
        source_id: str,
        code: str,
        name: str,
        kind: str,
        plans: Sequence[str],
        meta: EventMetadata,
    ) -> Versioned[SourceRegistered]:
        event = SourceRegistered(
            source_id=source_id, code=code, name=name, kind=kind, plans=tuple(plans)
        )
        try:
            await self._store.append(
                f"source-{source_id}",
                0,
                new_events([event], self._clock(), meta),
                unique_keys=[("source-code", code)],
            )
        except UniqueKeyTaken:
            raise AlreadyExists("source", code) from None
        return Versioned(event, 1)

    async def get_source(self, source_id: str) -> Versioned[SourceRegistered]:
        stored = await self._store.read_stream(f"source-{source_id}")
        if not stored:
            raise NotFound("source", source_id)
        event = registry.decode(stored[0].type, stored[0].schema_version, stored[0].data)
        assert isinstance(event, SourceRegistered)
        return Versioned(event, stored[-1].stream_version)

    async def conclude(
        self,
        command: ConcludeAgreement,
        signed_on: date | None,
        meta: EventMetadata,
        scope: Scope = EVERYTHING,
    ) -> Versioned[Agreement]:
        scope.check(command.plan_id)
        if command.plan_id is not None and not await self._directory.plan_exists(command.plan_id):
            raise RuleViolated(f"unknown plan {command.plan_id!r}", "/plan")
        known = frozenset(
            [
                code
                for code, _ in command.contributions
                if await self._store.owner_of("source-code", code) is not None
            ]
        )
        events = rules.decide_conclude(None, command, known)
        day = signed_on or (command.period.start if command.period else None)
        occurred = business_time(day) if day else self._clock()
        try:
            await self._store.append(
                f"agreement-{command.agreement_id}",
                0,
                new_events(events, occurred, meta),
                unique_keys=[("agreement-code", command.code)],
            )
        except UniqueKeyTaken:
            raise AlreadyExists("agreement", command.code) from None
        return Versioned(rules.conclude(events[0]), 1)

    async def get_agreement(self, agreement_id: str) -> Versioned[Agreement]:
        stored = await self._store.read_stream(f"agreement-{agreement_id}")
        if not stored:
            raise NotFound("agreement", agreement_id)
        state: Agreement | None = None
        for e in stored:
            event = registry.decode(e.type, e.schema_version, e.data)
            if isinstance(event, AgreementConcluded):
                state = rules.conclude(event)
            elif state is not None:
                state = rules.evolve(state, event)
        assert state is not None
        return Versioned(state, stored[-1].stream_version)

    async def act(
        self,
        agreement_id: str,
        command: Allocate | RecordFlow | ReverseFlow,
        meta: EventMetadata,
        if_match: int | None = None,
        scope: Scope = EVERYTHING,
    ) -> Versioned[Agreement]:
        """Allocate, record a flow or reverse one, at the agreement's loaded version."""
        current = await self.get_agreement(agreement_id)
        if if_match is not None and if_match != current.version:
            raise StaleVersion(current.version, if_match)
        command = await self._resolve(command)
        scope.check(current.value.plan_id)
        ref = getattr(command, "commitment", None)
        if ref is not None:
            scope.check(ref.plan_id, ref.parties)
        events = rules.decide(current.value, command)
        occurred = business_time(command.date) if command.date is not None else self._clock()
        await self._store.append(
            f"agreement-{agreement_id}", current.version, new_events(events, occurred, meta)
        )
        state = current.value
        for event in events:
            state = rules.evolve(state, event)
        return Versioned(state, current.version + len(events))

    async def _resolve(
        self, command: Allocate | RecordFlow | ReverseFlow
    ) -> Allocate | RecordFlow | ReverseFlow:
        """Look the named commitment up, so the decider sees it or its absence."""
        match command:
            case Allocate():
                ref = await self._directory.commitment(command.commitment_id)
                return replace(command, commitment=ref)
            case RecordFlow() if command.commitment_id is not None:
                ref = await self._directory.commitment(command.commitment_id)
                return replace(command, commitment=ref)
        return command

    async def set_target(
        self,
        target_id: str,
        code: str,
        title: str,
        amount: object,
        currency: str,
        plan_id: str | None,
        section: str | None,
        commitment_id: str | None,
        from_kinds: Sequence[str],
        meta: EventMetadata,
        scope: Scope = EVERYTHING,
    ) -> Versioned[FundingTargetSet]:
        scope.check(plan_id)
        money = Money.parse(amount, check_currency(currency))
        if money.amount <= 0:
            raise RuleViolated("a target must be positive", "/amount")
        if plan_id is not None and not await self._directory.plan_exists(plan_id):
            raise RuleViolated(f"unknown plan {plan_id!r}", "/plan")
        if commitment_id is not None and await self._directory.commitment(commitment_id) is None:
            raise RuleViolated(f"unknown commitment {commitment_id!r}", "/commitment")
        event = FundingTargetSet(
            target_id=target_id,
            code=code,
            title=title,
            amount=money.text,
            currency=currency,
            plan_id=plan_id,
            section=section,
            commitment_id=commitment_id,
            from_kinds=tuple(from_kinds),
        )
        try:
            await self._store.append(
                f"target-{target_id}",
                0,
                new_events([event], self._clock(), meta),
                unique_keys=[("target-code", code)],
            )
        except UniqueKeyTaken:
            raise AlreadyExists("target", code) from None
        return Versioned(event, 1)

    async def record_rate(
        self, day: date, base: str, quote: str, rate: str, meta: EventMetadata
    ) -> Versioned[ExchangeRateRecorded]:
        check_currency(base, "/base")
        check_currency(quote, "/quote")
        if base == quote:
            raise RuleViolated("a rate needs two different currencies", "/quote")
        event = ExchangeRateRecorded(date=day, base=base, quote=quote, rate=rate)
        stream = f"rate-{base}-{quote}"
        version = await self._store.stream_version(stream)
        await self._store.append(stream, version, new_events([event], business_time(day), meta))
        return Versioned(event, version + 1)
