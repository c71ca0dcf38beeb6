"""Plan revisions: the decider (given the plan's events, when ``RevisePlan``, then a
``PlanRevised`` or an error) and the use case's checks of what the plan holds (moved
commitments are the plan's, a retired section keeps none)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from commitments.application.revisions import PlanRevisions
from commitments.application.service import CommitmentsService
from commitments.domain import plan as rules
from commitments.domain.errors import RuleViolated
from commitments.domain.plan import CreatePlan, Plan, RevisePlan, Section
from shared.contracts import build_registry
from shared.contracts.commitments import PlanCreated, PlanRevised, SectionData, SectionMove
from shared.contracts.revisions import Moved, Renamed, tree_changes
from shared.events import EventMetadata
from shared.eventstore.memory import InMemoryEventStore
from tests.commands import make_commitment

A = Section("A", "Energy", None, "domain")
B = Section("B", "Transport", None, "domain")
C = Section("C", "Housing", None, "domain")
META = EventMetadata(partner="ministry")


def created() -> PlanCreated:
    return PlanCreated(
        plan_id="p",
        code="P",
        title="Plan",
        language="en",
        period=None,
        adopted_on=date(2016, 1, 1),
        parties=(),
        monitoring_bodies=(),
        sections=(
            SectionData(code="A", title="Energy", kind="domain"),
            SectionData(code="B", title="Transport", kind="domain"),
        ),
    )


def given(*events: PlanCreated | PlanRevised) -> Plan:
    state: Plan | None = None
    for event in events:
        state = rules.evolve(state, event)
    assert state is not None
    return state


def revise(*sections: Section, **fields: object) -> RevisePlan:
    command = RevisePlan(as_of=date(2017, 6, 1), reason="Mid-term review", sections=sections)
    return replace(command, **fields)  # type: ignore[arg-type]


def test_a_revision_records_the_whole_new_tree_its_moves_and_its_number() -> None:
    renamed = replace(A, title="Energy and climate")
    move = SectionMove(commitment_id="c1", section="C")
    (event,) = rules.decide(given(created()), revise(renamed, C, moves=(move,)))
    assert isinstance(event, PlanRevised)
    assert event.revision == 1 and event.as_of == date(2017, 6, 1)
    assert [s.code for s in event.sections] == ["A", "C"] and event.moves == (move,)
    plan = rules.evolve(given(created()), event)
    assert plan.revision == 1 and plan.revised_on == date(2017, 6, 1)
    assert plan.section("B") is None and plan.section("A").title == "Energy and climate"  # type: ignore[union-attr]
    assert plan.placed("c1", "B") == "C" and plan.placed("c2", "B") == "B"


def test_the_next_revision_counts_on_and_a_later_move_wins() -> None:
    first = PlanRevised(
        plan_id="p",
        revision=1,
        as_of=date(2017, 6, 1),
        reason="r",
        sections=created().sections,
        moves=(SectionMove(commitment_id="c1", section="B"),),
    )
    (event,) = rules.decide(
        given(created(), first), revise(A, B, moves=(SectionMove(commitment_id="c1", section="A"),))
    )
    assert isinstance(event, PlanRevised) and event.revision == 2
    assert rules.evolve(given(created(), first), event).placed("c1", "B") == "A"


@pytest.mark.parametrize(
    ("command", "pointer"),
    [
        (revise(A, B, reason="   "), "/reason"),
        (revise(A, replace(B, parent="Z")), "/sections/1/parent"),
        (revise(A, replace(B, code="A")), "/sections/1/code"),
        (revise(A, moves=(SectionMove(commitment_id="c1", section="B"),)), "/moves/0/section"),
    ],
)
def test_a_bad_revision_is_refused_naming_its_field(command: RevisePlan, pointer: str) -> None:
    with pytest.raises(RuleViolated) as refused:
        rules.decide(given(created()), command)
    assert refused.value.field == pointer


def test_a_revision_dated_before_the_latest_one_is_refused() -> None:
    first = PlanRevised(
        plan_id="p", revision=1, as_of=date(2017, 6, 1), reason="r", sections=created().sections
    )
    with pytest.raises(RuleViolated) as refused:
        rules.decide(given(created(), first), revise(A, C, as_of=date(2017, 5, 31)))
    assert refused.value.field == "/as_of"
    assert rules.decide(given(created(), first), revise(A, C, as_of=date(2017, 6, 1)))


def test_a_revision_that_changes_nothing_is_no_event() -> None:
    assert rules.decide(given(created()), revise(A, B)) == []


def test_a_plan_not_created_cannot_be_revised() -> None:
    with pytest.raises(RuleViolated):
        rules.decide(None, revise(A))


def test_the_changes_between_two_trees_name_sections_added_renamed_and_retired() -> None:
    before = created().sections
    after = (
        SectionData(code="A", title="Energy and climate", kind="domain"),
        SectionData(code="D", title="Cities", parent="A"),
    )
    changes = tree_changes(before, after)
    assert [s.code for s in changes.added] == ["D"]
    assert changes.renamed == (Renamed("A", "Energy", "Energy and climate"),)
    assert [s.code for s in changes.retired] == ["B"]


# The use case, over the in-memory store.


def service() -> CommitmentsService:
    return CommitmentsService(
        InMemoryEventStore(), build_registry(), lambda: datetime(2017, 1, 1, tzinfo=UTC)
    )


async def planned(commitments: CommitmentsService) -> None:
    """Plan ``p`` with sections A, B, C and commitments a1 (in A), b1 and b2 (in B)."""
    plan = CreatePlan(
        plan_id="p",
        code="P",
        title="Plan",
        language="en",
        period=None,
        adopted_on=date(2016, 1, 1),
        parties=(),
        monitoring_bodies=(),
        sections=(A, B, C),
    )
    await commitments.create_plan(plan, META)
    for commitment_id, section in (("a1", "A"), ("b1", "B"), ("b2", "B")):
        made = replace(make_commitment(commitment_id, commitment_id), section=section)
        await commitments.make_commitment("p", made, META)


def to_d(*ids: str) -> tuple[SectionMove, ...]:
    return tuple(SectionMove(commitment_id=i, section="D") for i in ids)


D = Section("D", "Cities", None, "domain")


async def test_a_merge_moves_the_retired_sections_commitments_and_lists_what_changed() -> None:
    commitments = service()
    await planned(commitments)
    revisions = PlanRevisions(commitments)
    plan = await revisions.revise(
        "p", revise(replace(A, title="Energy and climate"), C, D, moves=to_d("b1", "b2")), META
    )
    assert plan.value.revision == 1 and plan.value.section("B") is None
    assert (await commitments.get_commitment_as_read("b1")).value.section == "D"
    assert (await commitments.get_commitment_as_read("a1")).value.section == "A"
    zero, one = await revisions.history("p")
    assert (
        zero.revision == 0
        and zero.reason is None
        and [s.code for s in zero.sections]
        == [
            "A",
            "B",
            "C",
        ]
    )
    assert one.revision == 1 and one.reason == "Mid-term review"
    assert [s.code for s in one.changes.added] == ["D"]
    assert [s.code for s in one.changes.retired] == ["B"]
    assert one.changes.renamed == (Renamed("A", "Energy", "Energy and climate"),)
    assert one.moved == (Moved("b1", "B", "D"), Moved("b2", "B", "D"))


async def test_a_retired_section_that_still_holds_commitments_is_refused() -> None:
    commitments = service()
    await planned(commitments)
    with pytest.raises(RuleViolated) as refused:
        await PlanRevisions(commitments).revise("p", revise(A, C, D, moves=to_d("b1")), META)
    assert refused.value.field == "/sections" and "'B'" in refused.value.detail
    assert "b2" in refused.value.detail and "b1" not in refused.value.detail
    assert (await commitments.get_plan("p")).value.revision == 0


async def test_a_move_of_a_commitment_the_plan_does_not_hold_is_refused() -> None:
    commitments = service()
    await planned(commitments)
    await commitments.create_plan(
        CreatePlan("q", "Q", "Other", "en", None, None, (), (), (A,)), META
    )
    await commitments.make_commitment("q", replace(make_commitment("q1", "q1"), section="A"), META)
    for unknown in ("nope", "q1"):
        moves = (*to_d("b1", "b2"), SectionMove(commitment_id=unknown, section="A"))
        with pytest.raises(RuleViolated) as refused:
            await PlanRevisions(commitments).revise("p", revise(A, C, D, moves=moves), META)
        assert refused.value.field == "/moves/2/commitment"


async def test_a_commitment_in_a_retired_section_can_no_longer_be_made() -> None:
    commitments = service()
    await planned(commitments)
    await PlanRevisions(commitments).revise("p", revise(A, C, D, moves=to_d("b1", "b2")), META)
    with pytest.raises(RuleViolated) as refused:
        await commitments.make_commitment(
            "p", replace(make_commitment("b3", "b3"), section="B"), META
        )
    assert refused.value.field == "/section"
    made = await commitments.make_commitment(
        "p", replace(make_commitment("d1", "d1"), section="D"), META
    )
    assert made.value.section == "D"
