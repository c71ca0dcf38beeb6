from datetime import date

import pytest

from commitments.domain import commitment as rules
from commitments.domain import plan as plan_rules
from commitments.domain.commitment import ChangeStatus, MakeCommitment
from commitments.domain.errors import AlreadyExists, InvalidTransition, RuleViolated
from commitments.domain.plan import CreatePlan, Section
from shared.contracts.commitments import CommitmentStatusChanged, PartyData


def a_plan(adopted_on: date | None = date(2015, 11, 12)) -> plan_rules.Plan:
    (created,) = plan_rules.decide_create(
        None,
        CreatePlan(
            plan_id="p1",
            code="VAP",
            title="Valletta",
            language="en",
            period=None,
            adopted_on=adopted_on,
            parties=(),
            monitoring_bodies=(),
            sections=(Section("1", "Domain", None, "domain"), Section("1.1", "Act", "1", "action")),
        ),
    )
    return plan_rules.evolve(None, created)


def make(section: str = "1.1", **overrides: object) -> MakeCommitment:
    fields: dict[str, object] = {
        "commitment_id": "c1",
        "code": "I1",
        "section": section,
        "title": "Do it",
        "parties": (PartyData(name="EU", role="responsible"),),
        "deadline": "by end 2016",
        "priority": True,
        "made_on": None,
        "indicators": (),
    }
    fields.update(overrides)
    return MakeCommitment(**fields)  # type: ignore[arg-type]


def made(**overrides: object) -> rules.Commitment:
    (event,) = rules.decide_make(None, a_plan(), make(**overrides))
    state = rules.evolve(None, event)
    assert state is not None
    return state


def test_a_commitment_is_made_planned_on_the_plan_adoption_date() -> None:
    state = made()
    assert state.status == "planned"
    assert state.made_on == date(2015, 11, 12)
    assert state.deadline is not None and state.deadline.end == date(2016, 12, 31)


def test_a_commitment_under_an_unknown_section_is_refused() -> None:
    with pytest.raises(RuleViolated) as raised:
        rules.decide_make(None, a_plan(), make(section="9.9"))
    assert raised.value.field == "/section"


def test_a_commitment_cannot_be_made_twice() -> None:
    with pytest.raises(AlreadyExists):
        rules.decide_make(made(), a_plan(), make())


def test_the_same_party_twice_in_the_same_role_is_refused() -> None:
    twice = (PartyData(name="EU", role="funder"), PartyData(name="EU", role="funder"))
    with pytest.raises(RuleViolated):
        rules.decide_make(None, a_plan(), make(parties=twice))


def apply(state: rules.Commitment, status: str, day: date) -> rules.Commitment:
    events = rules.decide_status(state, ChangeStatus(status, day))  # type: ignore[arg-type]
    for e in events:
        new = rules.evolve(state, e)
        assert new is not None
        state = new
    return state


@pytest.mark.parametrize(
    "path",
    [
        ["launched", "completed"],
        ["suspended", "launched", "completed"],
        ["launched", "suspended", "launched"],
        ["cancelled"],
        ["launched", "cancelled"],
        ["suspended", "cancelled"],
    ],
)
def test_allowed_lifecycles_are_accepted(path: list[str]) -> None:
    state = made()
    for i, status in enumerate(path):
        state = apply(state, status, date(2016, 1, 1 + i))
    assert state.status == path[-1]


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "completed"),
        ([], "planned"),
        (["launched"], "launched"),
        (["launched", "completed"], "launched"),
        (["launched", "completed"], "cancelled"),
        (["cancelled"], "launched"),
        (["suspended"], "completed"),
    ],
)
def test_other_transitions_are_refused_as_invalid(path: list[str], refused: str) -> None:
    state = made()
    for i, status in enumerate(path):
        state = apply(state, status, date(2016, 1, 1 + i))
    with pytest.raises(InvalidTransition) as raised:
        rules.decide_status(state, ChangeStatus(refused, date(2016, 2, 1)))  # type: ignore[arg-type]
    assert (raised.value.current, raised.value.requested) == (state.status, refused)


def test_a_status_change_records_where_it_came_from_and_when() -> None:
    (event,) = rules.decide_status(made(), ChangeStatus("launched", date(2016, 3, 1), "kick-off"))
    assert event == CommitmentStatusChanged(
        commitment_id="c1",
        plan_id="p1",
        previous="planned",
        status="launched",
        as_of=date(2016, 3, 1),
        note="kick-off",
    )


def test_a_status_cannot_take_effect_before_the_current_one() -> None:
    state = apply(made(), "launched", date(2016, 6, 1))
    with pytest.raises(RuleViolated):
        rules.decide_status(state, ChangeStatus("completed", date(2016, 5, 1)))
