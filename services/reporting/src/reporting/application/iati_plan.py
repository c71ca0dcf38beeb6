"""The data of a plan's IATI file (:mod:`reporting.application.iati`), read as of a
business date and as known at a record time like every other view: the commitments
in force on ``as_of``, their statuses, indicators with the latest measurement by
``as_of``, and the flows in force (a flow reversed by ``as_of`` is left out). Each part
is read for the whole plan in one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from reporting.application.iati import (
    CHILD,
    PARENT,
    Activity,
    Baseline,
    Dates,
    IatiFile,
    Measure,
    Measured,
    Org,
    Publisher,
    Text,
    Transaction,
)
from reporting.application.models import ReportDates
from reporting.application.ports import Readers, Row, Rows
from reporting.application.progress import CLOSED
from reporting.application.rows import existing_plan
from reporting.application.texts import stored
from shared.contracts.common import text_in, translations


def _written(text: Any, local: Any = None) -> Text:
    """A title as the file writes it: a string, or its language map (one narrative per
    language)."""
    given = stored(text, local)
    return translations(given) or str(given)


def _joined(*texts: Text | None, sep: str = " · ") -> Text:
    """``texts`` joined with ``sep``; in every language any of them is given in, each
    in that language or else its first given."""
    parts = [t for t in texts if t]
    languages: list[str] = []
    for t in parts:
        languages += [lang for lang in t if not isinstance(t, str) and lang not in languages]
    if not languages:
        return sep.join(str(t) for t in parts)
    return {
        lang: sep.join(t if isinstance(t, str) else _in(t, lang) for t in parts)
        for lang in languages
    }


def _in(text: Mapping[str, str], lang: str) -> str:
    return text_in(stored([{"lang": k, "text": v} for k, v in text.items()]), [lang])


class IatiReader(Protocol):
    """Plan-wide reads only the IATI file needs."""

    async def status_dates(self, plan_id: str, as_of: date, known_at: datetime) -> Rows:
        """Per commitment: ``commitment_id``, ``launched_on`` (first launch),
        ``latest_status`` and ``latest_on`` (the status in force and its date)."""
        ...

    async def indicators(self, plan_id: str, as_of: date, known_at: datetime) -> Rows:
        """``commitment_id``, ``code``, ``definition``, ``latest_value``, ``latest_as_of``."""
        ...

    async def flows(self, plan_id: str, as_of: date, known_at: datetime) -> Rows:
        """Flows in force: ``agreement_id``, ``agreement_code``, ``flow_id``, ``type``,
        ``iati_code``, ``amount``, ``currency``, ``date``, ``commitment_id``,
        ``source``, ``reference``."""
        ...


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _transaction(f: Row, source_names: Mapping[str, str]) -> Transaction:
    amount = Decimal(str(f["amount"]))
    if f["type"] == "decommitment":
        amount = -amount
    words = [f["type"], f"agreement {f['agreement_code'] or f['agreement_id']}"]
    if f["reference"]:
        words.append(f["reference"])
    source = f["source"]
    return Transaction(
        ref=f"{f['agreement_id']}/{f['flow_id']}",
        code=int(f["iati_code"]),
        day=f["date"],
        amount=amount,
        currency=f["currency"],
        description=" · ".join(words),
        provider=None if source is None else source_names.get(source, source),
    )


def _measure(row: Row, start: date, end: date | None) -> Measure:
    d = row["definition"]
    baseline, target = d.get("baseline") or None, d.get("target") or {}
    base_day, target_day = _day((baseline or {}).get("date")), _day(target.get("date"))
    first, last = base_day or start, target_day or end
    latest = row["latest_value"]
    return Measure(
        code=row["code"],
        title=_written(d.get("title")) or row["code"],
        unit=d.get("unit") or "",
        ascending=d.get("direction") != "decrease",
        baseline=None
        if baseline is None
        else Baseline(_text(baseline.get("value")), (base_day or start).year, base_day),
        period=None if last is None else (min(first, last), max(first, last)),
        target=_text(target.get("value")),
        actual=None if latest is None else Measured(str(latest), row["latest_as_of"]),
    )


def _orgs(parties: Sequence[Mapping[str, str]], fallback: Sequence[Org]) -> list[Org]:
    return [Org(p["name"], p["role"]) for p in parties] or list(fallback)


def _plan_dates(plan: Row) -> Dates:
    period = plan["period"] or {}
    start = _day(plan["adopted_on"]) or _day(period.get("start")) or plan["occurred_at"].date()
    return Dates(planned_start=start, planned_end=_day(period.get("end")))


def _plan_status(statuses: Sequence[str]) -> str:
    if statuses and all(s in CLOSED for s in statuses):
        return "completed"
    return "launched" if any(s != "planned" for s in statuses) else "planned"


class _Parts:
    """The plan-wide reads, grouped by commitment."""

    def __init__(self, status_rows: Rows, indicator_rows: Rows, flow_rows: Rows) -> None:
        self.statuses = {r["commitment_id"]: r for r in status_rows}
        self.indicators: dict[str, list[Row]] = defaultdict(list)
        for i in indicator_rows:
            self.indicators[i["commitment_id"]].append(i)
        self.flows: dict[str | None, list[Row]] = defaultdict(list)
        for f in flow_rows:
            self.flows[f["commitment_id"]].append(f)


def _commitment_dates(c: Row, status: Row | None, plan_start: date) -> Dates:
    deadline = c["deadline"] or {}
    completed = status is not None and status["latest_status"] == "completed"
    return Dates(
        planned_start=_day(c["made_on"]) or _day(deadline.get("start")) or plan_start,
        planned_end=_day(deadline.get("end")),
        actual_start=None if status is None else status["launched_on"],
        actual_end=status["latest_on"] if completed and status is not None else None,
        end_label=deadline.get("label"),
    )


def _commitment(
    c: Row, parts: _Parts, context: _PlanContext, sources: Mapping[str, str]
) -> Activity:
    dates = _commitment_dates(
        c, parts.statuses.get(c["commitment_id"]), context.dates.planned_start
    )
    section = context.sections.get(c["section"])
    return Activity(
        identifier=f"{context.publisher.ref}-{c['commitment_id']}",
        title=_written(c["title"], c.get("title_local")),
        description=_joined(context.title, _joined(c["section"], section, sep=" ")),
        orgs=_orgs(c["parties"], context.orgs),
        status=c["status"],
        dates=dates,
        hierarchy=2,
        transactions=[_transaction(f, sources) for f in parts.flows.pop(c["commitment_id"], [])],
        related=[(context.identifier, PARENT)],
        result_title=_written(c["title"], c.get("title_local")),
        measures=[
            _measure(i, dates.planned_start, dates.planned_end)
            for i in parts.indicators.get(c["commitment_id"], [])
        ],
    )


class _PlanContext:
    """What every activity of the plan shares."""

    def __init__(self, plan: Row, publisher: Publisher) -> None:
        self.publisher = publisher
        self.identifier = f"{publisher.ref}-plan-{plan['plan_id']}"
        self.title = _written(plan["title"], plan.get("title_local"))
        self.dates = _plan_dates(plan)
        self.sections = {
            s["code"]: None if s.get("title") is None else _written(s["title"])
            for s in plan["sections"]
        }
        self.orgs = [Org(name, "party") for name in plan["parties"]] + [
            Org(name, "monitor") for name in plan["monitoring_bodies"]
        ]
        if not self.orgs:
            self.orgs = [Org(publisher.name, "party")]


async def plan_file(
    read: Readers,
    iati: IatiReader,
    plan_id: str,
    dates: ReportDates,
    publisher: Publisher,
    generated_at: datetime,
) -> IatiFile:
    """The plan's activity and one per commitment in force on ``as_of``. Flows of no
    commitment (or of one not yet made) belong to the plan's activity."""
    plan = await existing_plan(read.commitments, plan_id, dates)
    day, known = dates.as_of, dates.known_at
    commitments = await read.commitments.commitments(plan_id, day, known)
    parts = _Parts(
        await iati.status_dates(plan_id, day, known),
        await iati.indicators(plan_id, day, known),
        await iati.flows(plan_id, day, known),
    )
    sources = {code: s["name"] for code, s in (await read.funding.sources()).items()}
    context = _PlanContext(plan, publisher)
    children = [_commitment(c, parts, context, sources) for c in commitments]
    parent = Activity(
        identifier=context.identifier,
        title=context.title,
        description=_joined(plan["code"], context.title),
        orgs=context.orgs,
        status=_plan_status([c["status"] for c in commitments]),
        dates=context.dates,
        hierarchy=1,
        transactions=[_transaction(f, sources) for rows in parts.flows.values() for f in rows],
        related=[(a.identifier, CHILD) for a in children],
    )
    return IatiFile(
        publisher=publisher,
        language=plan["language"],
        generated_at=generated_at,
        as_of=day,
        known_at=known,
        activities=[parent, *children],
    )
