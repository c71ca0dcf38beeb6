"""The table shape every export shares, and the lists of events and flows laid out as
tables, with each one's provenance (partner, business date, record time, event)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reporting.application.models import Flow, Money, PlanFlow, TimelineEntry

Cell = str | int | float | Decimal | date | datetime | bool | None


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def amount(m: Money) -> Decimal:
    return Decimal(m.amount)


_FLOW = (
    "date",
    "type",
    "direction",
    "iati_code",
    "amount",
    "currency",
    "agreement",
    "id",
    "source",
    "reference",
    "illustrative",
    "reversed",
    "partner",
    "recorded_at",
    "event_id",
)


def _flow(f: Flow) -> tuple[Cell, ...]:
    return (
        f.date,
        f.type,
        f.direction,
        f.iati_code,
        amount(f.amount),
        f.amount.currency,
        f.agreement,
        f.id,
        f.source,
        f.reference,
        f.illustrative,
        f.reversed,
        f.partner,
        f.recorded_at,
        f.event_id,
    )


def flows_table(flows: Sequence[Flow]) -> Table:
    return Table("flows", _FLOW, [_flow(f) for f in flows])


def plan_flows_table(flows: Sequence[PlanFlow]) -> Table:
    return Table(
        "flows",
        (*_FLOW, "commitment", "section"),
        [(*_flow(f), f.commitment, f.section) for f in flows],
    )


def timeline_table(entries: Sequence[TimelineEntry]) -> Table:
    return Table(
        "timeline",
        ("occurred_at", "recorded_at", "type", "partner", "source", "event_id"),
        [(t.occurred_at, t.recorded_at, t.type, t.partner, t.source, t.event_id) for t in entries],
    )


def in_languages(
    table: Table, maps: Sequence[Mapping[str, str] | None], column: str = "title"
) -> Table:
    """``table`` with, after ``column``, a ``<column>_<lang>`` column per language
    given in ``maps`` (one per row: the language map of that row's text, ``None`` for a
    plain string), in the order languages first appear; ``column`` keeps the first
    given. Without any map, the table as it was."""
    languages: list[str] = []
    for given in maps:
        languages += [lang for lang in given or {} if lang not in languages]
    if not languages:
        return table
    at = table.columns.index(column) + 1
    columns = (*table.columns[:at], *(f"{column}_{lang}" for lang in languages))
    rows = [
        (*row[:at], *((given or {}).get(lang) for lang in languages), *row[at:])
        for row, given in zip(table.rows, maps, strict=True)
    ]
    return Table(table.name, (*columns, *table.columns[at:]), rows)
