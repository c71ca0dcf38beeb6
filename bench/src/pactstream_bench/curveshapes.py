"""The events of :mod:`.curvedata`'s histories, as :mod:`.curverows` rows: the structure built from the
contracts themselves (validated once per plan and commitment), the history's events
from dictionaries of the contracts' fields (millions of them; the unit tests decode a
sample with the registry)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from pactstream_bench.curverows import Batch, Row, Rows
from shared.contracts.commitments import (
    CommitmentMade,
    CommitmentStatusChanged,
    IndicatorData,
    IndicatorPoint,
    PartyData,
    PlanCreated,
    SectionData,
)
from shared.contracts.common import DeadlineData
from shared.contracts.funding import (
    AgreementConcluded,
    ContributionData,
    FundsAllocated,
    SourceRegistered,
)
from shared.events import EventData

SOURCES = 5
INDICATOR = IndicatorData(
    code="n", title="n", unit="u", direction="increase", target=IndicatorPoint(value="1000")
)
FLOW_TYPES = (("commitment", 2), ("disbursement", 3), ("expenditure", 4))
COMPLETION = ("not_started", "limited", "substantial", "complete")
MADE_ON = date(2015, 1, 1)


def _event(rows: Rows, stream: str, event: EventData, day: date) -> Row:
    return rows.row(
        stream,
        event.event_type.removeprefix("org.pactstream."),
        event.model_dump(mode="json"),
        day,
    )


def structure(
    rows: Rows, plans: Sequence[str], commitments: Sequence[tuple[str, str, str]]
) -> tuple[Batch, list[str]]:
    """Plans, their ``commitments`` ((id, plan, section); most launched), funding
    sources, one agreement per plan and allocations to a fifth of its commitments; and
    each commitment's status once made."""
    batch = Batch()
    sections = tuple(
        SectionData(code=f"D{d}", title=f"Domain {d}", kind="domain") for d in range(10)
    )
    for plan in plans:
        created = PlanCreated(
            plan_id=plan,
            code=plan,
            title=plan,
            language="en",
            adopted_on=MADE_ON,
            sections=sections,
        )
        batch.commitments.append(_event(rows, f"plan-{plan}", created, MADE_ON))
    for s in range(SOURCES):
        source = SourceRegistered(
            source_id=f"{rows.run}-s{s}", code=f"S{s}", name=f"Source {s}", kind="donor"
        )
        batch.funding.append(_event(rows, f"source-{rows.run}-s{s}", source, MADE_ON))
    for plan in plans:
        agreement = AgreementConcluded(
            agreement_id=f"{plan}-a",
            code=f"{plan}-A",
            title="Agreement",
            currency="EUR",
            plan_id=plan,
            contributions=tuple(
                ContributionData(source=f"{rows.run}-s{s}", amount="1000000000") for s in range(2)
            ),
            total="2000000000",
        )
        batch.funding.append(_event(rows, f"agreement-{plan}-a", agreement, MADE_ON))
    statuses = [
        _commitment(rows, batch, i, cid, plan, section)
        for i, (cid, plan, section) in enumerate(commitments)
    ]
    return batch, statuses


def _commitment(rows: Rows, batch: Batch, i: int, cid: str, plan: str, section: str) -> str:
    year = 2016 + i % 8
    made = CommitmentMade(
        commitment_id=cid,
        plan_id=plan,
        code=f"C{i:06d}",
        section=section,
        title=f"Commitment {i}",
        parties=(PartyData(name=f"Party {i % 25}", role="responsible"),),
        deadline=DeadlineData(label=str(year), start=date(year, 1, 1), end=date(year, 12, 31)),
        priority=i % 7 == 0,
        made_on=MADE_ON,
        indicators=(INDICATOR,),
    )
    stream = f"commitment-{cid}"
    batch.commitments.append(_event(rows, stream, made, MADE_ON))
    status = "planned"
    if i % 10 < 8:
        as_of = MADE_ON + timedelta(days=60 + i % 300)
        launched = CommitmentStatusChanged(
            commitment_id=cid, plan_id=plan, previous="planned", status="launched", as_of=as_of
        )
        batch.commitments.append(_event(rows, stream, launched, as_of))
        status = "launched"
    if i % 5 == 0:
        allocated = FundsAllocated(
            agreement_id=f"{plan}-a",
            allocation_id=f"{cid}-al",
            commitment_id=cid,
            plan_id=plan,
            section=section,
            amount="100000",
            currency="EUR",
        )
        batch.funding.append(_event(rows, f"agreement-{plan}-a", allocated, MADE_ON))
    return status


def partner_event(rows: Rows, cid: str, plan: str, kind: str, day: date) -> Row:
    """A measurement or a progress report, as a partner posts them."""
    stream = f"commitment-{cid}"
    if kind == "report":
        data: dict[str, object] = {
            "commitment_id": cid,
            "plan_id": plan,
            "report_id": f"r{rows.made}",
            "as_of": day.isoformat(),
            "completion": COMPLETION[rows.made % 4],
            "narrative": [{"lang": "en", "text": "On track, with the partners' figures."}],
            "evidence": [],
        }
        return rows.row(stream, "commitment.progress_reported", data, day)
    # The hot path (85% of the history), written as JSON directly: ids and dates are
    # plain ASCII without quotes, so this is what json.dumps would write.
    measured = (
        f'{{"commitment_id": "{cid}", "plan_id": "{plan}", "indicator": "n", '
        f'"value": "{rows.made % 1000}", "as_of": "{day.isoformat()}"}}'
    )
    return rows.row(stream, "commitment.measurement_recorded", measured, day)


def status(rows: Rows, cid: str, plan: str, change: tuple[str, str], day: date) -> Row:
    """A status change of ``cid`` (``change``: from, to)."""
    previous, following = change
    data = {
        "commitment_id": cid,
        "plan_id": plan,
        "previous": previous,
        "status": following,
        "as_of": day.isoformat(),
        "note": None,
    }
    return rows.row(f"commitment-{cid}", "commitment.status_changed", data, day)


def flow(rows: Rows, cid: str, plan: str, section: str, day: date) -> Row:
    kind, code = FLOW_TYPES[rows.made % 3]
    data = {
        "agreement_id": f"{plan}-a",
        "flow_id": f"f{rows.made}",
        "type": kind,
        "direction": "outgoing",
        "iati_code": code,
        "amount": "250",
        "currency": "EUR",
        "date": day.isoformat(),
        "commitment_id": cid,
        "plan_id": plan,
        "section": section,
        "source": f"{rows.run}-s{rows.made % 2}",
        "reference": None,
        "illustrative": False,
    }
    return rows.row(f"agreement-{plan}-a", "funding.flow_recorded", data, day)
