"""Funding use cases: each runs in a unit of work under the one retry policy; changes
to an agreement go through the one aggregate handler (load, fold, decide, append at
the loaded version)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

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
from shared.aggregate import Aggregate
from shared.contracts.funding import ExchangeRateRecorded, FundingTargetSet, SourceRegistered
from shared.decider import Versioned, business_time, check_version, existing
from shared.events import EventData, EventMetadata, EventRegistry, new_events
from shared.eventstore import EventReader, EventStore, UniqueKeyTaken
from shared.unitofwork import RETRY, Claim, RetryPolicy, UnitOfWork, UnitsOfWork
from shared.unitofwork.stores import units_for

__all__ = ["AGREEMENT", "FundingService", "Versioned"]

Clock = Callable[[], datetime]
EVERYTHING = Scope()
Act = Allocate | RecordFlow | ReverseFlow

AGREEMENT = Aggregate(
    "agreement",
    rules.DECIDER,
    lambda agreement_id: f"agreement-{agreement_id}",
    lambda agreement_id: NotFound("agreement", agreement_id),
)


class FundingService:
    def __init__(
        self,
        store: EventStore,
        registry: EventRegistry,
        directory: CommitmentDirectory,
        clock: Clock,
        *,
        units: UnitsOfWork | None = None,
        policy: RetryPolicy = RETRY,
    ) -> None:
        self._store = store
        self._registry = registry
        self._directory = directory
        self._clock = clock
        self._units = units if units is not None else units_for(store)
        self._policy = policy

    async def _create(
        self,
        stream_id: str,
        event: EventData,
        occurred: datetime,
        meta: EventMetadata,
        kind: str,
        code: str,
    ) -> None:
        """A new stream of one event, reserving the ``kind``'s ``code``: a conflict is
        the answer (:class:`AlreadyExists`), never retried."""
        key = (f"{kind}-code", code)

        async def work(uow: UnitOfWork) -> None:
            uow.append(stream_id, 0, new_events([event], occurred, meta), unique_keys=[key])

        try:
            await self._policy.run(self._units, work, retry=False)
        except UniqueKeyTaken:
            raise AlreadyExists(kind, code) from None

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
        await self._create(f"source-{source_id}", event, self._clock(), meta, "source", code)
        return Versioned(event, 1)

    async def get_source(self, source_id: str) -> Versioned[SourceRegistered]:
        stored = await self._store.read_stream(f"source-{source_id}")
        if not stored:
            raise NotFound("source", source_id)
        first = stored[0]
        event = self._registry.decode(first.type, first.schema_version, first.data)
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
        command = replace(command, known_sources=known)
        day = signed_on or (command.period.start if command.period else None)

        async def work(uow: UnitOfWork) -> Versioned[Agreement | None]:
            return AGREEMENT.create(
                uow,
                command.agreement_id,
                command,
                lambda _: business_time(day) if day else self._clock(),
                meta,
                unique_keys=[("agreement-code", command.code)],
            )

        try:
            concluded = await self._policy.run(self._units, work, retry=False)
        except UniqueKeyTaken:
            raise AlreadyExists("agreement", command.code) from None
        return existing(concluded)

    async def get_agreement(
        self, agreement_id: str, reader: EventReader | None = None
    ) -> Versioned[Agreement]:
        return existing(await AGREEMENT.load(reader or self._store, self._registry, agreement_id))

    async def act_in(
        self,
        uow: UnitOfWork,
        agreement_id: str,
        command: Act,
        meta: EventMetadata,
        if_match: int | None = None,
        scope: Scope = EVERYTHING,
    ) -> Versioned[Agreement]:
        """Allocate, record a flow or reverse one, staged in ``uow`` at the
        agreement's loaded version."""
        current = await self.get_agreement(agreement_id, uow.events)
        check_version(current, if_match, "agreement")
        command = await self._resolve(command)
        scope.check(current.value.plan_id)
        ref = getattr(command, "commitment", None)
        if ref is not None:
            scope.check(ref.plan_id, ref.parties)
        decision = AGREEMENT.decide(current, command)
        occurred = business_time(command.date) if command.date is not None else self._clock()
        AGREEMENT.append(uow, agreement_id, current.version, decision.events, occurred, meta)
        return existing(decision.after)

    async def act(
        self,
        agreement_id: str,
        command: Act,
        meta: EventMetadata,
        if_match: int | None = None,
        scope: Scope = EVERYTHING,
    ) -> Versioned[Agreement]:
        """:meth:`act_in` in a unit of its own: a writer who named the version it saw
        gets a concurrent change as a conflict; one who named none, a retry."""

        async def work(uow: UnitOfWork) -> Versioned[Agreement]:
            return await self.act_in(uow, agreement_id, command, meta, if_match, scope)

        return await self._policy.run(self._units, work, retry=if_match is None)

    async def act_once(
        self, claim: Claim, agreement_id: str, command: Act, meta: EventMetadata, scope: Scope
    ) -> Versioned[Agreement] | None:
        """:meth:`act` for a partner's event, once per (source, id): ``None`` when the
        event was seen before. The claim commits with the events, or neither does."""

        async def work(uow: UnitOfWork) -> Versioned[Agreement] | None:
            if not await uow.claim([claim]):
                return None
            return await self.act_in(uow, agreement_id, command, meta, scope=scope)

        return await self._policy.run(self._units, work)

    async def _resolve(self, command: Act) -> Act:
        """Look the named commitment up, so the decider sees it or its absence; date a
        reversal its writer did not date today, by the service's clock."""
        match command:
            case ReverseFlow() if command.date is None:
                return replace(command, date=self._clock().astimezone(UTC).date())
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
        await self._create(f"target-{target_id}", event, self._clock(), meta, "target", code)
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

        async def work(uow: UnitOfWork) -> Versioned[ExchangeRateRecorded]:
            version = await uow.events.stream_version(stream)
            uow.append(stream, version, new_events([event], business_time(day), meta))
            return Versioned(event, version + 1)

        return await self._policy.run(self._units, work)
