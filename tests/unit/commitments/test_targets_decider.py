"""The rules of a plan's shared targets: given the targets set, when one is set, then
the event or the refusal naming the field."""

from __future__ import annotations

import pytest

from commitments.domain.errors import RuleViolated
from commitments.domain.targets import DECIDER, SetTarget
from shared.contracts.commitments import TargetSourceData


def command(**changes: object) -> SetTarget:
    fields: dict[str, object] = {
        "plan_id": "p",
        "code": "T1",
        "title": "Below 3 % by 2030",
        "unit": "%",
        "aggregation": "weighted_mean",
        "comparison": "<",
        "value": "3",
        "by": None,
        "sources": (
            TargetSourceData(commitment_id="a", indicator="rate", weight="2"),
            TargetSourceData(commitment_id="b", indicator="rate", weight_indicator="base"),
        ),
    }
    return SetTarget(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_target_is_set_and_setting_it_again_records_nothing() -> None:
    events = DECIDER.decide(DECIDER.initial(), command())
    assert [e.code for e in events] == ["T1"]
    state = DECIDER.evolve(DECIDER.initial(), events[0])
    assert DECIDER.decide(state, command()) == []
    changed = DECIDER.decide(state, command(value="2.5"))
    assert [e.value for e in changed] == ["2.5"]
    assert [t.value for t in DECIDER.evolve(state, changed[0])] == ["2.5"]


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"code": " "}, "/code"),
        ({"title": "  "}, "/title"),
        ({"value": "lots"}, "/target/value"),
        ({"sources": ()}, "/sources"),
        (
            {"sources": (TargetSourceData(commitment_id="a", indicator="rate"),)},
            "/sources/0/weight",
        ),
        (
            {
                "sources": (
                    TargetSourceData(commitment_id="a", indicator="rate", weight="1"),
                    TargetSourceData(commitment_id="a", indicator="rate", weight="1"),
                )
            },
            "/sources/1",
        ),
        (
            {"sources": (TargetSourceData(commitment_id="a", indicator="r", weight="-1"),)},
            "/sources/0/weight",
        ),
    ],
)
def test_a_bad_target_is_refused_naming_the_field(changes: dict[str, object], pointer: str) -> None:
    with pytest.raises(RuleViolated) as refused:
        DECIDER.decide(DECIDER.initial(), command(**changes))
    assert refused.value.field == pointer
