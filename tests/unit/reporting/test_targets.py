"""A shared target combines its sources' latest measurements as it says, and holds
the result against its threshold."""

from __future__ import annotations

from datetime import date

from reporting.application.targets import standing
from shared.contracts.commitments import PlanTargetSet, TargetSourceData


def target(
    aggregation: str, comparison: str, value: str, *sources: TargetSourceData
) -> PlanTargetSet:
    return PlanTargetSet(
        plan_id="p",
        code="T1",
        title={"en": "Local funding", "fr": "Financement local"},
        unit="%",
        aggregation=aggregation,  # type: ignore[arg-type]
        comparison=comparison,  # type: ignore[arg-type]
        value=value,
        by=date(2020, 12, 31),
        sources=sources,
    )


def source(commitment: str, indicator: str = "share", **weights: str) -> TargetSourceData:
    return TargetSourceData(commitment_id=commitment, indicator=indicator, **weights)


LATEST = {
    ("a", "share"): ("30", date(2020, 6, 1)),
    ("a", "funding"): ("100", date(2020, 6, 1)),
    ("b", "share"): ("10", date(2020, 9, 1)),
    ("b", "funding"): ("300", date(2020, 9, 1)),
}


def test_a_mean_weighted_by_each_partys_base_indicator() -> None:
    found = standing(
        target(
            "weighted_mean",
            ">=",
            "25",
            source("a", weight_indicator="funding"),
            source("b", weight_indicator="funding"),
        ),
        LATEST,
        {"a": "A1", "b": "B1"},
    )
    # (30 × 100 + 10 × 300) / 400 = 15: below 25.
    assert (found.value, found.met, found.reporting) == ("15", False, 2)
    assert [s.weight for s in found.sources] == ["100", "300"]
    assert found.title == "Local funding" and found.sources[0].commitment_code == "A1"


def test_fixed_weights_a_sum_and_the_latest() -> None:
    weighted = target("weighted_mean", "<", "3", source("a", weight="1"), source("b", weight="3"))
    assert standing(weighted, LATEST, {}).value == "15"
    summed = standing(target("sum", ">=", "40", source("a"), source("b")), LATEST, {})
    assert (summed.value, summed.met) == ("40", True)
    latest = standing(target("latest", "<=", "10", source("a"), source("b")), LATEST, {})
    assert (latest.value, latest.met, latest.reporting) == ("10", True, 1)


def test_no_measurement_yet_is_no_value_and_no_verdict() -> None:
    found = standing(target("sum", ">=", "1", source("c"), source("d")), LATEST, {})
    assert (found.value, found.met, found.reporting) == (None, None, 0)
    assert [s.value for s in found.sources] == [None, None]


def test_a_source_without_its_base_is_left_out_of_the_mean() -> None:
    found = standing(
        target(
            "weighted_mean",
            ">",
            "20",
            source("a", weight_indicator="funding"),
            source("b", weight_indicator="missing"),
        ),
        LATEST,
        {},
    )
    assert (found.value, found.met, found.reporting) == ("30", True, 1)
