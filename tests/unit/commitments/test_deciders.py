"""Plans, commitments and partners in the one decider shape: given events, when a
command, then events or an error; an event a decider does not know is an error."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import get_args

import pytest

from commitments.domain import access, commitment, plan, visibility
from commitments.domain.commitment import ChangeStatus, ReportProgress
from commitments.domain.errors import AlreadyExists, InvalidTransition, NotFound, RuleViolated
from shared.contracts.access import PartnerKeyIssued, PartnerRegistered, PartnerRevoked
from shared.contracts.commitments import (
    CommitmentMade,
    CommitmentStatusChanged,
    IndicatorData,
    IndicatorPoint,
    PlanCreated,
    PlanVisibilityChanged,
    ProgressReported,
)
from shared.contracts.funding import FlowReversed
from shared.decider import UnknownEvent, fold
from shared.events import EventData
from tests.commands import create_plan, make_commitment

STRAY = FlowReversed(agreement_id="a", flow_id="f", reason="wrong", date=date(2016, 1, 1))


def given_plan() -> PlanCreated:
    (created,) = plan.DECIDER.decide(plan.DECIDER.initial(), create_plan("p1", "VAP"))
    assert isinstance(created, PlanCreated)
    return created


def given_commitment() -> list[EventData]:
    state = fold(plan.DECIDER, [given_plan()], plan.DECIDER.initial())
    command = replace(make_commitment("c1", "I1"), plan=state)
    return list(commitment.DECIDER.decide(commitment.DECIDER.initial(), command))


def when(given: list[EventData], command: commitment.Command) -> list[EventData]:
    state = fold(commitment.DECIDER, given, commitment.DECIDER.initial())
    return list(commitment.DECIDER.decide(state, command))


def test_a_plan_is_created_once_and_folds_to_its_sections() -> None:
    created = given_plan()
    state = fold(plan.DECIDER, [created], plan.DECIDER.initial())
    assert state is not None and state.section("1") is not None
    with pytest.raises(AlreadyExists):
        plan.DECIDER.decide(state, create_plan("p1", "VAP"))


def test_a_commitment_is_made_under_the_plan_its_command_carries() -> None:
    (made,) = given_commitment()
    assert isinstance(made, CommitmentMade)
    assert (made.plan_id, made.made_on) == ("p1", date(2015, 11, 12))
    with pytest.raises(RuleViolated):
        commitment.DECIDER.decide(None, make_commitment("c2", "I2"))  # No plan given.


def test_given_a_made_commitment_when_launched_then_its_status_changes() -> None:
    (changed,) = when(given_commitment(), ChangeStatus("launched", date(2016, 1, 4)))
    assert isinstance(changed, CommitmentStatusChanged)
    assert (changed.previous, changed.status) == ("planned", "launched")


def test_given_a_completed_commitment_when_relaunched_then_it_is_refused() -> None:
    given = [
        *given_commitment(),
        *when(given_commitment(), ChangeStatus("launched", date(2016, 1, 4))),
    ]
    given += when(given, ChangeStatus("completed", date(2016, 6, 1)))
    with pytest.raises(InvalidTransition):
        when(given, ChangeStatus("launched", date(2016, 7, 1)))


def test_a_command_on_a_commitment_never_made_is_refused() -> None:
    with pytest.raises(NotFound):
        when([], ReportProgress("r1", date(2016, 1, 4), "limited"))


def test_a_progress_report_folds_into_the_commitment() -> None:
    given = given_commitment()
    (reported,) = when(given, ReportProgress("r1", date(2016, 1, 4), "limited"))
    assert isinstance(reported, ProgressReported)
    state = fold(commitment.DECIDER, [*given, reported], None)
    assert state is not None and state.report("r1") is not None


@pytest.mark.parametrize(
    "decider", [commitment.DECIDER, plan.DECIDER, access.DECIDER, visibility.DECIDER]
)
def test_an_event_an_aggregate_does_not_know_is_an_error(decider: object) -> None:
    with pytest.raises(UnknownEvent):
        fold(decider, [STRAY], None)  # type: ignore[call-overload]


def test_an_unknown_event_after_the_first_is_an_error_too() -> None:
    with pytest.raises(UnknownEvent):
        fold(commitment.DECIDER, [*given_commitment(), STRAY], None)
    with pytest.raises(UnknownEvent):
        fold(plan.DECIDER, [given_plan(), STRAY], None)


def registered() -> list[EventData]:
    command = access.RegisterPartner("ministry", "Ministry", "partner", ("p1",), (), "k1", "d1")
    return list(access.DECIDER.decide(None, command))


def test_a_partner_is_registered_with_its_first_key() -> None:
    events = registered()
    assert [type(e) for e in events] == [PartnerRegistered, PartnerKeyIssued]
    state = fold(access.DECIDER, events, None)
    assert state is not None and state.keys == (("k1", False),)
    with pytest.raises(AlreadyExists):
        access.DECIDER.decide(
            state, access.RegisterPartner("ministry", "M", "partner", (), (), "k", "d")
        )


def test_a_partner_holds_the_sources_it_is_registered_with_each_once() -> None:
    def register(role: str, *sources: str) -> list[EventData]:
        command = access.RegisterPartner("m", "M", role, (), (), "k", "d", sources)  # type: ignore[arg-type]
        return list(access.DECIDER.decide(None, command))

    state = fold(access.DECIDER, register("partner", "/ministry", "urn:m:eu"), None)
    assert state is not None and state.sources == ("/ministry", "urn:m:eu")
    for role, sources, pointer in [
        ("partner", ("/a", "/a"), "/sources"),
        ("partner", ("/a", "has space"), "/sources/1"),
        ("partner", ("x" * 256,), "/sources/0"),
        ("reader", ("/r",), "/sources"),
    ]:
        with pytest.raises(RuleViolated) as refused:
            register(role, *sources)
        assert refused.value.field == pointer


def test_a_revoked_partner_gets_no_new_key_and_revoking_again_changes_nothing() -> None:
    state = fold(access.DECIDER, [*registered(), PartnerRevoked(partner_id="ministry")], None)
    assert state is not None and state.revoked
    with pytest.raises(RuleViolated):
        access.DECIDER.decide(state, access.IssueKey("k2", "d2"))
    assert list(access.DECIDER.decide(state, access.Revoke())) == []


def test_a_key_is_retired_once() -> None:
    state = fold(access.DECIDER, registered(), None)
    (retired,) = access.DECIDER.decide(state, access.RetireKey("k1"))
    state = access.DECIDER.evolve(state, retired)
    assert state is not None and state.keys == (("k1", True),)
    with pytest.raises(RuleViolated):
        access.DECIDER.decide(state, access.RetireKey("k1"))
    with pytest.raises(NotFound):
        access.DECIDER.decide(state, access.RetireKey("nope"))


def test_every_event_the_commitment_decides_it_can_fold_back() -> None:
    """A command's events must fold: a stream the rules wrote is never unknown to them."""
    given = given_commitment()
    commands: list[commitment.Command] = [
        commitment.AddIndicator(
            IndicatorData(
                code="n",
                title="N",
                unit="count",
                direction="increase",
                target=IndicatorPoint(value="10", date=date(2016, 12, 31)),
            )
        ),
        commitment.RecordMeasurement("n", "3", date(2016, 1, 5)),
        commitment.AddMilestone("m1", "First", None),
        commitment.ReachMilestone("m1", date(2016, 1, 6)),
        ReportProgress("r1", date(2016, 1, 7), "limited"),
        commitment.RetractReport("r1", "wrong"),
        commitment.Amend(date(2016, 1, 8), "retitled", title="Done"),
        ChangeStatus("launched", date(2016, 1, 9)),
    ]
    assert {type(c) for c in commands} == set(get_args(commitment.Command)), (
        "add a sample of every command to this list"
    )
    for command in commands:
        given += when(given, command)
    state = fold(commitment.DECIDER, given, None)
    assert state is not None and state.title == "Done" and state.status == "launched"
    assert len(given) == 1 + len(commands)


def test_every_event_the_partner_decides_it_can_fold_back() -> None:
    given = registered()
    for command in [
        access.IssueKey("k2", "d2"),
        access.RetireKey("k1"),
        access.AddSecret("s1", "sealed-token"),
        access.AddSecret("s2", "sealed-token-2"),
        access.ResealSecrets((("s1", "resealed"), ("s2", "resealed-2"), ("gone", "x"))),
        access.RemoveSecret("s1"),
        access.Revoke(),
    ]:
        given += access.DECIDER.decide(fold(access.DECIDER, given, None), command)
    state = fold(access.DECIDER, given, None)
    assert state is not None and state.revoked and state.secrets == ("s2",)
    assert state.keys == (("k1", True), ("k2", False))


def test_a_plan_is_private_until_made_public_and_repeating_changes_nothing() -> None:
    rules = visibility.DECIDER
    assert rules.initial() is False
    assert list(rules.decide(False, visibility.SetVisibility("p1", False))) == []
    (made_public,) = rules.decide(False, visibility.SetVisibility("p1", True))
    assert isinstance(made_public, PlanVisibilityChanged) and made_public.public
    state = fold(rules, [made_public], rules.initial())
    assert state is True
    assert list(rules.decide(state, visibility.SetVisibility("p1", True))) == []
    (private,) = rules.decide(state, visibility.SetVisibility("p1", False))
    assert fold(rules, [made_public, private], rules.initial()) is False
