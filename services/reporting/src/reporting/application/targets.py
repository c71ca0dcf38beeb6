"""Where a plan's shared targets stand: each target's sources (commitments'
indicators) at their latest measurement on ``as_of``, combined as the target says
(a sum, a mean weighted by each source's base, or the latest of them) and held
against its threshold."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Final

from reporting.application.list_tables import Cell, Table
from reporting.application.models import ReportDates
from reporting.application.models.targets import (
    PlanTargets,
    TargetSource,
    TargetStanding,
    Threshold,
)
from reporting.application.ports import Readers
from reporting.application.rows import existing_plan
from reporting.application.views import decimal_or_none
from shared.contracts.commitments import PlanTargetSet
from shared.contracts.common import first_text, translations

#: (commitment id, indicator code) → (latest value, its business date).
Latest = Mapping[tuple[str, str], tuple[str, date]]


def _text(number: Decimal) -> str:
    """A result without noise: at most six decimals, no trailing zeros."""
    rounded = number.quantize(Decimal("0.000001")).normalize()
    return format(rounded, "f")


#: A threshold's comparison as written in the target.
COMPARE: Final = {"<": operator.lt, "<=": operator.le, ">=": operator.ge, ">": operator.gt}


def meets(value: Decimal, comparison: str, threshold: Decimal) -> bool:
    return bool(COMPARE[comparison](value, threshold))


def combine(aggregation: str, sources: list[TargetSource]) -> tuple[Decimal | None, int]:
    """The combined value and how many sources it is made of (those with a value and,
    for a weighted mean, a base)."""
    measured = [(s, decimal_or_none(s.value)) for s in sources]
    if aggregation == "latest":
        dated = [(s.measured_on, v) for s, v in measured if v is not None and s.measured_on]
        if not dated:
            return None, 0
        return max(dated, key=lambda pair: pair[0])[1], 1
    if aggregation == "sum":
        values = [v for _, v in measured if v is not None]
        return (sum(values, Decimal(0)) if values else None), len(values)
    weighed = [(v, decimal_or_none(s.weight)) for s, v in measured if v is not None]
    pairs = [(v, w) for v, w in weighed if w is not None]
    base = sum((w for _, w in pairs), Decimal(0))
    if not pairs or base == 0:
        return None, 0
    return sum((v * w for v, w in pairs), Decimal(0)) / base, len(pairs)


def standing(target: PlanTargetSet, latest: Latest, codes: Mapping[str, str]) -> TargetStanding:
    """Where ``target`` stands at its sources' ``latest`` measurements."""
    sources = []
    for s in target.sources:
        found = latest.get((s.commitment_id, s.indicator))
        weight = s.weight
        if s.weight_indicator:
            base = latest.get((s.commitment_id, s.weight_indicator))
            weight = base[0] if base else None
        sources.append(
            TargetSource(
                commitment=s.commitment_id,
                commitment_code=codes.get(s.commitment_id),
                indicator=s.indicator,
                value=found[0] if found else None,
                measured_on=found[1] if found else None,
                weight=weight,
                weight_indicator=s.weight_indicator,
            )
        )
    value, reporting = combine(target.aggregation, sources)
    limit = decimal_or_none(target.value)
    return TargetStanding(
        code=target.code,
        title=first_text(target.title),
        titles=translations(target.title) or None,
        unit=target.unit,
        aggregation=target.aggregation,
        target=Threshold(comparison=target.comparison, value=target.value, by=target.by),
        value=None if value is None else _text(value),
        met=None if value is None or limit is None else meets(value, target.comparison, limit),
        reporting=reporting,
        sources=sources,
    )


async def plan_targets(read: Readers, plan_id: str, dates: ReportDates) -> PlanTargets:
    """Every shared target of the plan as set by ``known_at``, at its sources' latest
    measurements on ``as_of``, in the order the targets were first set."""
    reader = read.commitments
    await existing_plan(reader, plan_id, dates)
    rows = sorted(await reader.plan_targets(plan_id, dates.known_at), key=lambda r: r["first_set"])
    latest: dict[tuple[str, str], tuple[str, date]] = {}
    codes: dict[str, str] = {}
    if rows:
        for m in await reader.plan_measurements(plan_id, dates.as_of, dates.known_at):
            latest[(m["commitment_id"], m["indicator"])] = (str(m["value"]), m["as_of"])
        for c in await reader.commitments(plan_id, dates.as_of, dates.known_at):
            codes[c["commitment_id"]] = c["code"]
    return PlanTargets(
        plan=plan_id,
        as_of=dates.as_of,
        known_at=dates.known_at,
        targets=[
            standing(PlanTargetSet.model_validate(r["definition"]), latest, codes) for r in rows
        ],
    )


def targets_table(view: PlanTargets) -> Table:
    """One row per source of each target, the target's figures repeated on each."""
    columns = (
        "target",
        "title",
        "unit",
        "aggregation",
        "comparison",
        "target_value",
        "by",
        "value",
        "met",
        "commitment",
        "code",
        "indicator",
        "source_value",
        "measured_on",
        "weight",
    )
    rows: list[tuple[Cell, ...]] = []
    for t in view.targets:
        head: tuple[Cell, ...] = (
            t.code,
            t.title,
            t.unit,
            t.aggregation,
            t.target.comparison,
            t.target.value,
            t.target.by,
            t.value,
            t.met,
        )
        for s in t.sources:
            rows.append(
                (
                    *head,
                    s.commitment,
                    s.commitment_code,
                    s.indicator,
                    s.value,
                    s.measured_on,
                    s.weight,
                )
            )
    return Table("targets", columns, rows)
