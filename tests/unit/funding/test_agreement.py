"""Given an agreement, when allocations, flows and reversals, then events or 422s."""

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
from funding.domain.errors import InvalidMoney, LimitExceeded, RuleViolated
from shared.contracts.funding import AgreementConcluded, FlowRecorded

SOURCES = frozenset({"ETAT", "OPCAIM"})
EDEC = ConcludeAgreement(
    agreement_id="edec",
    code="EDEC",
    title="EDEC Transition numérique",
    currency="EUR",
    period=None,
    plan_id="mines",
    section="A7",
    contributions=(("ETAT", "600000"), ("OPCAIM", "1980000")),
)
ACTION_7 = CommitmentRef("c7", "mines", "A7")
DAY = date(2018, 1, 1)


def concluded() -> rules.Agreement:
    (event,) = rules.decide_conclude(None, EDEC, SOURCES)
    return rules.conclude(event)


def then(state: rules.Agreement, command: Allocate | RecordFlow | ReverseFlow) -> rules.Agreement:
    for event in rules.decide(state, command):
        state = rules.evolve(state, event)
    return state


def test_the_total_is_the_exact_sum_of_the_contributions() -> None:
    (event,) = rules.decide_conclude(None, EDEC, SOURCES)
    assert isinstance(event, AgreementConcluded)
    assert event.total == "2580000.00"
    assert [c.amount for c in event.contributions] == ["600000.00", "1980000.00"]


def test_an_unknown_source_or_a_float_contribution_is_refused() -> None:
    with pytest.raises(RuleViolated) as raised:
        rules.decide_conclude(None, replace(EDEC, contributions=(("NOPE", "1"),)), SOURCES)  # type: ignore[arg-type]
    assert raised.value.field == "/contributions/0/source"
    with pytest.raises(InvalidMoney):
        rules.decide_conclude(None, replace(EDEC, contributions=(("ETAT", 0.1),)), SOURCES)  # type: ignore[arg-type]


def test_allocations_stay_within_the_total_and_need_a_known_commitment() -> None:
    state = then(concluded(), Allocate("a1", ACTION_7, "c7", "2000000"))
    with pytest.raises(LimitExceeded) as raised:
        rules.decide(state, Allocate("a2", ACTION_7, "c7", "580000.01"))
    assert "2580000.01 EUR" in raised.value.detail and "2580000.00 EUR" in raised.value.detail
    with pytest.raises(RuleViolated) as unknown:
        rules.decide(state, Allocate("a3", None, "ghost", "1"))
    assert unknown.value.field == "/commitment"
    with pytest.raises(RuleViolated):
        rules.decide(state, Allocate("a4", CommitmentRef("x", "other-plan", "1"), "x", "1"))


def test_disbursed_never_exceeds_committed_nor_spent_disbursed() -> None:
    state = then(concluded(), RecordFlow("f1", "commitment", "1000", DAY))
    state = then(state, RecordFlow("f2", "disbursement", "0.10", DAY))
    state = then(state, RecordFlow("f3", "disbursement", "0.20", DAY))
    assert state.disbursed.text == "0.30"
    with pytest.raises(LimitExceeded, match=r"disbursed 1000\.30 EUR would exceed committed"):
        rules.decide(state, RecordFlow("f4", "disbursement", "1000", DAY))
    with pytest.raises(LimitExceeded, match=r"spent 0\.31 EUR would exceed disbursed 0\.30 EUR"):
        rules.decide(state, RecordFlow("f5", "expenditure", "0.31", DAY))
    state = then(state, ReverseFlow("f2", "entered twice", DAY))
    assert state.disbursed.text == "0.20"


def test_a_reversal_cannot_leave_more_disbursed_than_committed() -> None:
    state = then(concluded(), RecordFlow("f1", "commitment", "100", DAY))
    state = then(state, RecordFlow("f2", "disbursement", "60", DAY))
    with pytest.raises(LimitExceeded):
        rules.decide(state, ReverseFlow("f1", "wrong agreement", DAY))
    with pytest.raises(LimitExceeded):
        rules.decide(state, RecordFlow("f3", "decommitment", "50", DAY))
    state = then(state, RecordFlow("f4", "decommitment", "40", DAY))
    assert state.committed.text == "60.00"
    with pytest.raises(RuleViolated):
        rules.decide(then(state, ReverseFlow("f2", "typo", DAY)), ReverseFlow("f2", "again", DAY))


def test_flows_carry_their_iati_codes() -> None:
    state = concluded()
    codes = {}
    for n, (direction, kind) in enumerate(
        [
            ("outgoing", "pledge"),
            ("outgoing", "commitment"),
            ("incoming", "pledge"),
            ("incoming", "commitment"),
            ("incoming", "disbursement"),
        ]
    ):
        (event,) = rules.decide(state, RecordFlow(f"f{n}", kind, "1", DAY, direction=direction))  # type: ignore[arg-type]
        assert isinstance(event, FlowRecorded)
        codes[(direction, kind)] = event.iati_code
    assert codes == {
        ("outgoing", "pledge"): 12,
        ("outgoing", "commitment"): 2,
        ("incoming", "pledge"): 13,
        ("incoming", "commitment"): 11,
        ("incoming", "disbursement"): 1,
    }
