"""Agreements in the one decider shape: concluded, then acted on, through ``DECIDER``
alone; an event it does not know is an error."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from funding.domain import agreement as rules
from funding.domain.agreement import (
    Allocate,
    CommitmentRef,
    ConcludeAgreement,
    RecordFlow,
    ReverseFlow,
)
from funding.domain.errors import AlreadyExists, LimitExceeded, NotFound, RuleViolated
from shared.contracts.commitments import PlanCreated
from shared.contracts.funding import AgreementConcluded, FundsAllocated
from shared.decider import UnknownEvent, fold
from shared.events import EventData

EDEC = ConcludeAgreement(
    agreement_id="edec",
    code="EDEC",
    title="EDEC",
    currency="EUR",
    period=None,
    plan_id="mines",
    section="A7",
    contributions=(("ETAT", "600000"), ("OPCAIM", "1980000")),
    known_sources=frozenset({"ETAT", "OPCAIM"}),
)
ACTION_7 = CommitmentRef("c7", "mines", "A7")
STRAY = PlanCreated(
    plan_id="p",
    code="P",
    title="P",
    language="en",
    period=None,
    adopted_on=None,
    parties=(),
    monitoring_bodies=(),
)


def concluded() -> list[EventData]:
    return list(rules.DECIDER.decide(rules.DECIDER.initial(), EDEC))


def when(given: list[EventData], command: rules.Command) -> list[EventData]:
    return list(rules.DECIDER.decide(fold(rules.DECIDER, given, None), command))


def test_an_agreement_is_concluded_with_the_sources_its_command_found() -> None:
    (event,) = concluded()
    assert isinstance(event, AgreementConcluded) and event.total == "2580000.00"
    with pytest.raises(RuleViolated):
        rules.DECIDER.decide(None, replace(EDEC, known_sources=frozenset()))
    with pytest.raises(AlreadyExists):
        when(concluded(), EDEC)


def test_given_an_allocation_when_another_exceeds_the_total_then_it_is_refused() -> None:
    given = concluded()
    given += when(given, Allocate("a1", ACTION_7, "c7", "2000000"))
    assert isinstance(given[-1], FundsAllocated)
    with pytest.raises(LimitExceeded):
        when(given, Allocate("a2", ACTION_7, "c7", "580000.01"))


def test_a_flow_on_an_agreement_never_concluded_is_refused() -> None:
    with pytest.raises(NotFound):
        when([], RecordFlow("f1", "commitment", "1", date(2018, 1, 1)))


def test_an_event_the_agreement_does_not_know_is_an_error() -> None:
    with pytest.raises(UnknownEvent):
        fold(rules.DECIDER, [*concluded(), STRAY], None)
    with pytest.raises(UnknownEvent):
        fold(rules.DECIDER, [STRAY], None)
    state = fold(rules.DECIDER, concluded(), None)
    assert state is not None
    with pytest.raises(UnknownEvent):
        rules.evolve(state, STRAY)


def test_every_event_the_agreement_decides_it_can_fold_back() -> None:
    given = concluded()
    for command in [
        Allocate("a1", ACTION_7, "c7", "1000"),
        RecordFlow("f1", "commitment", "1000", date(2018, 1, 1)),
        ReverseFlow("f1", "typo", date(2018, 1, 2)),
    ]:
        given += when(given, command)
    state = fold(rules.DECIDER, given, None)
    assert state is not None and state.allocated.text == "1000.00"
    assert state.flows[0].reversed
