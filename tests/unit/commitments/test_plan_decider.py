import pytest

from commitments.domain import plan as rules
from commitments.domain.errors import RuleViolated
from commitments.domain.plan import CreatePlan, Section


def create(*sections: Section) -> CreatePlan:
    return CreatePlan(
        plan_id="p",
        code="P",
        title="Plan",
        language="fr",
        period=None,
        adopted_on=None,
        parties=("Etat", "Filière"),
        monitoring_bodies=(),
        sections=sections,
    )


def test_a_plan_keeps_its_tree_of_sections_at_any_depth() -> None:
    (event,) = rules.decide_create(
        None,
        create(
            Section("1", "Axe", None, "domain"),
            Section("1.1", "Action", "1", "action"),
            Section("1.1.a", "Sous-action", "1.1", "measure"),
        ),
    )
    plan = rules.evolve(None, event)
    assert [s.code for s in plan.sections] == ["1", "1.1", "1.1.a"]
    assert plan.section("1.1.a") is not None and plan.section("1.1.a").parent == "1.1"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "sections",
    [
        (Section("1", "A", None, "domain"), Section("1", "B", None, "domain")),
        (Section("1.1", "A", "9", "action"),),
        (Section("a", "A", "b", "action"), Section("b", "B", "a", "action")),
    ],
)
def test_a_broken_tree_is_refused(sections: tuple[Section, ...]) -> None:
    with pytest.raises(RuleViolated):
        rules.decide_create(None, create(*sections))
