"""Facts that arrive by the thousand (measurements, status changes, progress reports;
funding's allocations and flows): one statement inserts any number of them, for one
event or for a whole poll. Nothing projected in the same poll reads them, except a
retraction that marks its report or a reversal its flow, so a poll's facts may be
inserted before its other events are applied in order
(:func:`reporting.adapters.projections.project_many`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared import jsontext
from shared.cloudevents import ReceivedEvent
from shared.contracts import commitments as contract
from shared.contracts.common import LocalText, first_text
from shared.database import Connection


def text_column(text: LocalText | None) -> str | None:
    """The text column of a title or narrative: the first language given."""
    return None if text is None else first_text(text)


def languages_column(text: LocalText | None) -> list[dict[str, str]] | None:
    """Its ``*_local`` column: the ordered translations, ``None`` for a plain string."""
    if text is None or isinstance(text, str):
        return None
    return [{"lang": t.lang, "text": t.text} for t in text]


def json_column(value: Any) -> jsontext.Raw | None:
    """A jsonb value as the text a ``text[]::jsonb[]`` array takes, which binary COPY
    writes as it is too."""
    return None if value is None else jsontext.Raw(jsontext.dumps(value))


@dataclass(frozen=True)
class Facts:
    """Rows of one table: ``statement`` inserts the columns ``row`` gives, each as an
    array (``unnest``), skipping events already there. With ``table`` (its name and
    columns), the rows may be copied in instead where none can be there already."""

    statement: str
    row: Callable[[ReceivedEvent, Any], tuple[Any, ...]]
    table: tuple[str, tuple[str, ...]] | None = None
    #: Where ``row`` gives a ``jsonb`` value (as its text).
    json_at: tuple[int, ...] = ()

    async def insert(self, conn: Connection, items: Sequence[tuple[ReceivedEvent, Any]]) -> None:
        if items:
            columns = zip(*(self.row(event, data) for event, data in items), strict=True)
            await conn.execute(self.statement, *(list(c) for c in columns))

    async def copy(self, conn: Connection, items: Sequence[tuple[ReceivedEvent, Any]]) -> None:
        """The same rows written with binary COPY, where no event of them can be in the
        table yet (a rebuild's shadow, which claims each event once before projecting
        it): a row then costs the client a third less than as array elements, which
        asyncpg type-checks one by one. Facts without ``table`` are inserted."""
        if self.table is None:
            await self.insert(conn, items)
        elif items:
            table, columns = self.table
            records = [self.row(event, data) for event, data in items]
            if any(type(records[0][i]) is str for i in self.json_at):
                # The pools' codec would store it as a JSON string, not as the value.
                raise TypeError(f"{table}: give jsonb text as jsontext.Raw (json_column)")
            await conn.copy_records_to_table(table, records=records, columns=columns)

    async def project(self, conn: Connection, event: ReceivedEvent, data: Any) -> None:
        """The projection of one event."""
        await self.insert(conn, [(event, data)])


def facts_table(
    table: str,
    columns: dict[str, str],
    row: Callable[[ReceivedEvent, Any], tuple[Any, ...]],
    key: str = "event_id",
) -> Facts:
    """The facts of ``table``, one row an event: ``columns`` by their SQL types, in the
    order ``row`` gives them (a ``jsonb`` value as its text, :func:`json_column`); a
    row whose ``key`` is there already is skipped. Only rows keyed by their event may
    be copied in: a shadow's claims make each event's row new; another key may
    repeat."""
    arrays = ", ".join(
        f"${n}::text[]::jsonb[]" if kind == "jsonb" else f"${n}::{kind}[]"
        for n, kind in enumerate(columns.values(), start=1)
    )
    statement = f"""
    INSERT INTO {table} ({", ".join(columns)})
    SELECT * FROM unnest({arrays})
    ON CONFLICT ({key}) DO NOTHING
    """
    copied = (table, tuple(columns)) if key == "event_id" else None
    json_at = tuple(i for i, kind in enumerate(columns.values()) if kind == "jsonb")
    return Facts(statement, row, copied, json_at)


def _measurement(e: ReceivedEvent, d: contract.MeasurementRecorded) -> tuple[Any, ...]:
    return (e.event_id, d.commitment_id, d.indicator, e.stream_version, Decimal(d.value),
            d.as_of, e.recorded_at)  # fmt: skip


MEASUREMENTS = facts_table(
    "rm_measurements",
    {"event_id": "uuid", "commitment_id": "text", "indicator": "text", "stream_version": "int",
     "value": "numeric", "as_of": "date", "recorded_at": "timestamptz"},
    _measurement,
)  # fmt: skip


def _status(e: ReceivedEvent, d: contract.CommitmentStatusChanged) -> tuple[Any, ...]:
    return (e.event_id, d.commitment_id, e.stream_version, d.status, d.as_of, d.note,
            e.recorded_at)  # fmt: skip


STATUS_CHANGES = facts_table(
    "rm_status_changes",
    {"event_id": "uuid", "commitment_id": "text", "stream_version": "int", "status": "text",
     "as_of": "date", "note": "text", "recorded_at": "timestamptz"},
    _status,
)  # fmt: skip


def _report(e: ReceivedEvent, d: contract.ProgressReported) -> tuple[Any, ...]:
    local = json_column(languages_column(d.narrative))
    return (e.event_id, d.commitment_id, d.report_id, e.stream_version, d.as_of,
            d.completion, text_column(d.narrative), json_column(list(d.evidence)),
            e.metadata.partner, e.recorded_at, local)  # fmt: skip


REPORTS = facts_table(
    "rm_progress_reports",
    {"event_id": "uuid", "commitment_id": "text", "report_id": "text", "stream_version": "int",
     "as_of": "date", "completion": "text", "narrative": "text", "evidence": "jsonb",
     "partner": "text", "recorded_at": "timestamptz", "narrative_local": "jsonb"},
    _report,
)  # fmt: skip
