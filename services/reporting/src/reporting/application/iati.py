"""The IATI activity file of a plan (IATI Standard 2.03, ``iati-activities``), written
from typed data with no I/O. :mod:`reporting.application.iati_plan` reads the data.

One ``iati-activity`` per commitment (``hierarchy="2"``) under one for the plan
(``hierarchy="1"``), linked both ways by ``related-activity`` (1 parent, 2 child).
Elements follow the order of the schema's sequences, which the schema enforces.

Our words and the IATI codes they become:

- Party roles (OrganisationRole): ``funder`` → 1 Funding; ``monitor`` → 2 Accountable
  (oversight of the activity and its outcomes); ``responsible`` and ``contributor`` →
  4 Implementing (they carry it out). The plan's activity names the plan's parties
  (role ``party``, 4 Implementing) and its monitoring bodies (``monitor``, 2); a
  commitment without parties names the plan's. Our role stays on each
  ``participating-org`` in the attribute ``pactstream:role``, so nothing is lost.
- Statuses (ActivityStatus): ``planned`` → 1 Pipeline/identification, ``launched`` →
  2 Implementation, ``completed`` → 3 Finalisation (the work is done; money may still
  be reported), ``cancelled`` → 5 Cancelled, ``suspended`` → 6 Suspended.
- Dates (ActivityDateType): 1 planned start, 2 actual start (the first launch), 3
  planned end (the deadline's end, its label as narrative), 4 actual end (the date of
  the completion in force).
- Flows (TransactionType): the ``iati_code`` funding stored with each flow (12/2/3/4
  outgoing, 13/11/1 incoming); a decommitment is a commitment (2) of a negative value.
- Results: one per commitment with indicators, type 2 (Outcome); an indicator's
  measure is 2 (Percentage) when its unit is a percent, else 1 (Unit); its code is a
  reference of vocabulary 99 (the reporting organisation's own).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Final

VERSION: Final = "2.03"
#: Our own namespace, for what IATI has no place for (IATI allows other namespaces).
NAMESPACE: Final = "https://pactstream.org/ns/iati"
_XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"

ROLE_CODES: Final[Mapping[str, str]] = {
    "funder": "1",
    "monitor": "2",
    "responsible": "4",
    "contributor": "4",
    "party": "4",
}
STATUS_CODES: Final[Mapping[str, str]] = {
    "planned": "1",
    "launched": "2",
    "completed": "3",
    "cancelled": "5",
    "suspended": "6",
}
PLANNED_START, ACTUAL_START, PLANNED_END, ACTUAL_END = "1", "2", "3", "4"
PARENT, CHILD = "1", "2"
OUTCOME: Final = "2"
REPORTING_ORG_VOCABULARY: Final = "99"

#: Characters XML 1.0 cannot hold, even escaped (partners write the titles).
_NOT_XML: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

#: A text as written: a string, or a language map ``{"en": ..., "fr": ...}``.
Text = str | Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Publisher:
    """The reporting organisation: its IATI identifier (the prefix of every activity
    identifier), name and OrganisationType code."""

    ref: str
    name: str
    type: str = "80"


@dataclass(frozen=True, slots=True)
class Org:
    name: str
    role: str  # ours: responsible, contributor, funder, monitor


@dataclass(frozen=True, slots=True)
class Transaction:
    ref: str
    code: int
    day: date
    amount: Decimal
    currency: str
    description: str
    provider: str | None = None


@dataclass(frozen=True, slots=True)
class Baseline:
    value: str | None
    year: int
    day: date | None


@dataclass(frozen=True, slots=True)
class Measured:
    value: str
    day: date


@dataclass(frozen=True, slots=True)
class Measure:
    """An indicator: baseline, and one period from the baseline to the target holding
    the target and the latest measurement as the actual value."""

    code: str
    title: Text
    unit: str
    ascending: bool
    baseline: Baseline | None
    period: tuple[date, date] | None
    target: str | None
    actual: Measured | None


@dataclass(frozen=True, slots=True)
class Dates:
    planned_start: date
    planned_end: date | None = None
    actual_start: date | None = None
    actual_end: date | None = None
    end_label: str | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    identifier: str
    title: Text
    description: Text
    orgs: Sequence[Org]
    status: str  # ours: planned, launched, ...
    dates: Dates
    hierarchy: int
    transactions: Sequence[Transaction] = ()
    related: Sequence[tuple[str, str]] = ()  # (identifier, RelatedActivityType code)
    result_title: Text = ""
    measures: Sequence[Measure] = ()


@dataclass(frozen=True, slots=True)
class IatiFile:
    publisher: Publisher
    language: str
    generated_at: datetime
    as_of: date
    known_at: datetime
    activities: Sequence[Activity] = field(default_factory=tuple)


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, tag, {k.replace("_", "-"): _clean(v) for k, v in attrs.items()})


def _narratives(parent: ET.Element, text: Text) -> ET.Element:
    """One narrative, or one per language of a language map (``xml:lang`` on each)."""
    if isinstance(text, str):
        _sub(parent, "narrative").text = _clean(text) or "-"
        return parent
    for lang, value in text.items():
        _sub(parent, "narrative", **{_XML_LANG: lang}).text = _clean(value) or "-"
    return parent


def _orgs(activity: ET.Element, orgs: Sequence[Org]) -> None:
    for org in orgs:
        attrs = {"role": ROLE_CODES.get(org.role, "4"), f"{{{NAMESPACE}}}role": org.role}
        _narratives(ET.SubElement(activity, "participating-org", attrs), org.name)


def _dates(activity: ET.Element, dates: Dates) -> None:
    _sub(activity, "activity-date", type=PLANNED_START, iso_date=dates.planned_start.isoformat())
    if dates.actual_start is not None:
        _sub(activity, "activity-date", type=ACTUAL_START, iso_date=dates.actual_start.isoformat())
    if dates.planned_end is not None:
        end = _sub(
            activity, "activity-date", type=PLANNED_END, iso_date=dates.planned_end.isoformat()
        )
        if dates.end_label:
            _narratives(end, dates.end_label)
    if dates.actual_end is not None:
        _sub(activity, "activity-date", type=ACTUAL_END, iso_date=dates.actual_end.isoformat())


def _transaction(activity: ET.Element, t: Transaction) -> None:
    element = _sub(activity, "transaction", ref=t.ref)
    _sub(element, "transaction-type", code=str(t.code))
    _sub(element, "transaction-date", iso_date=t.day.isoformat())
    value = _sub(element, "value", currency=t.currency, value_date=t.day.isoformat())
    value.text = format(t.amount, "f")
    _narratives(_sub(element, "description"), t.description)
    if t.provider:
        _narratives(_sub(element, "provider-org"), t.provider)


def _indicator(result: ET.Element, m: Measure) -> None:
    percent = "%" in m.unit or "percent" in m.unit.lower()
    element = _sub(
        result, "indicator", measure="2" if percent else "1", ascending=str(m.ascending).lower()
    )
    _narratives(_sub(element, "title"), m.title)
    if m.unit:
        _narratives(_sub(element, "description"), m.unit)
    _sub(element, "reference", vocabulary=REPORTING_ORG_VOCABULARY, code=m.code)
    if m.baseline is not None:
        attrs = {"year": str(m.baseline.year)}
        if m.baseline.value is not None:
            attrs["value"] = m.baseline.value
        if m.baseline.day is not None:
            attrs["iso_date"] = m.baseline.day.isoformat()
        _sub(element, "baseline", **attrs)
    if m.period is None:
        return
    period = _sub(element, "period")
    _sub(period, "period-start", iso_date=m.period[0].isoformat())
    _sub(period, "period-end", iso_date=m.period[1].isoformat())
    if m.target is not None:
        _sub(period, "target", value=m.target)
    if m.actual is not None:
        actual = _sub(period, "actual", value=m.actual.value)
        _narratives(_sub(actual, "comment"), m.actual.day.isoformat())


def _activity(root: ET.Element, a: Activity, publisher: Publisher) -> None:
    activity = _sub(root, "iati-activity", hierarchy=str(a.hierarchy))
    _sub(activity, "iati-identifier").text = _clean(a.identifier)
    org = _sub(activity, "reporting-org", ref=publisher.ref, type=publisher.type)
    _narratives(org, publisher.name)
    _narratives(_sub(activity, "title"), a.title)
    _narratives(_sub(activity, "description", type="1"), a.description)
    _orgs(activity, a.orgs)
    _sub(activity, "activity-status", code=STATUS_CODES.get(a.status, "1"))
    _dates(activity, a.dates)
    for t in a.transactions:
        _transaction(activity, t)
    for ref, kind in a.related:
        _sub(activity, "related-activity", ref=ref, type=kind)
    if a.measures:
        result = _sub(activity, "result", type=OUTCOME)
        _narratives(_sub(result, "title"), a.result_title)
        for m in a.measures:
            _indicator(result, m)


def to_xml(doc: IatiFile) -> bytes:
    """The ``iati-activities`` document, UTF-8 with an XML declaration. The view's
    dates are kept as ``pactstream:as-of`` and ``pactstream:known-at``; characters XML
    cannot hold are left out of every text."""
    ET.register_namespace("pactstream", NAMESPACE)
    root = ET.Element(
        "iati-activities",
        {
            "version": VERSION,
            "generated-datetime": doc.generated_at.isoformat(timespec="seconds"),
            f"{{{NAMESPACE}}}as-of": doc.as_of.isoformat(),
            f"{{{NAMESPACE}}}known-at": doc.known_at.isoformat(),
        },
    )
    for a in doc.activities:
        _activity(root, a, doc.publisher)
        root[-1].set(_XML_LANG, doc.language)
    ET.indent(root)
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode()
    )
