"""The commitment facts that arrive by the thousand (measurements, status changes,
progress reports): one statement inserts any number of them, for one event or for a
whole poll. Nothing projected in the same poll reads them, except a retraction that
marks its report, so a poll's facts may be inserted before its other events are
applied in order (:func:`reporting.adapters.projections.project_many`)."""

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


def json_column(value: Any) -> str | None:
    """A jsonb value as the text a ``text[]::jsonb[]`` array takes."""
    return None if value is None else jsontext.dumps(value)


@dataclass(frozen=True)
class Facts:
    """Rows of one table: ``statement`` inserts the columns ``row`` gives, each as an
    array (``unnest``), skipping events already there."""

    statement: str
    row: Callable[[ReceivedEvent, Any], tuple[Any, ...]]

    async def insert(self, conn: Connection, items: Sequence[tuple[ReceivedEvent, Any]]) -> None:
        if items:
            columns = zip(*(self.row(event, data) for event, data in items), strict=True)
            await conn.execute(self.statement, *(list(c) for c in columns))

    async def project(self, conn: Connection, event: ReceivedEvent, data: Any) -> None:
        """The projection of one event."""
        await self.insert(conn, [(event, data)])


def _measurement(e: ReceivedEvent, d: contract.MeasurementRecorded) -> tuple[Any, ...]:
    return (e.event_id, d.commitment_id, d.indicator, e.stream_version, Decimal(d.value),
            d.as_of, e.recorded_at)  # fmt: skip


MEASUREMENTS = Facts(
    """
    INSERT INTO rm_measurements (event_id, commitment_id, indicator, stream_version, value,
                                 as_of, recorded_at)
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::numeric[],
                         $6::date[], $7::timestamptz[])
    ON CONFLICT (event_id) DO NOTHING
    """,
    _measurement,
)


def _status(e: ReceivedEvent, d: contract.CommitmentStatusChanged) -> tuple[Any, ...]:
    return (e.event_id, d.commitment_id, e.stream_version, d.status, d.as_of, d.note,
            e.recorded_at)  # fmt: skip


STATUS_CHANGES = Facts(
    """
    INSERT INTO rm_status_changes (event_id, commitment_id, stream_version, status, as_of,
                                   note, recorded_at)
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::date[],
                         $6::text[], $7::timestamptz[])
    ON CONFLICT (event_id) DO NOTHING
    """,
    _status,
)


def _report(e: ReceivedEvent, d: contract.ProgressReported) -> tuple[Any, ...]:
    local = json_column(languages_column(d.narrative))
    return (e.event_id, d.commitment_id, d.report_id, e.stream_version, d.as_of,
            d.completion, text_column(d.narrative), json_column(list(d.evidence)),
            e.metadata.partner, e.recorded_at, local)  # fmt: skip


REPORTS = Facts(
    """
    INSERT INTO rm_progress_reports (event_id, commitment_id, report_id, stream_version,
        as_of, completion, narrative, evidence, partner, recorded_at, narrative_local)
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::date[],
                         $6::text[], $7::text[], $8::text[]::jsonb[], $9::text[],
                         $10::timestamptz[], $11::text[]::jsonb[])
    ON CONFLICT (event_id) DO NOTHING
    """,
    _report,
)
