"""The events of :mod:`.curvedata`'s histories: the structure built from the
contracts themselves (validated once per plan and commitment), the history's events
from dictionaries of the contracts' fields (millions of them; the unit tests decode a
sample with the registry)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from pactstream_bench.curvedata import Batch, Generator, Row

SOURCES = 5
INDICATOR = IndicatorData(
    code="n", title="n", unit="u", direction="increase", target=IndicatorPoint(value="1000")
)
FLOW_TYPES = (("commitment", 2), ("disbursement", 3), ("expenditure", 4))
COMPLETION = ("not_started", "limited", "substantial", "complete")
MADE_ON = date(2015, 1, 1)


def _event(gen: Generator, stream: str, event: EventData, day: date) -> Row:
    return gen._row(
        stream,
        event.event_type.removeprefix("org.pactstream."),
        event.model_dump(mode="json"),
        day,
    )


def structure(gen: Generator) -> Batch:
    """Plans, their commitments (most launched), funding sources, one agreement per
    plan and allocations to a fifth of its commitments."""
    from pactstream_bench.curvedata import Batch

    batch = Batch()
    sections = tuple(
        SectionData(code=f"D{d}", title=f"Domain {d}", kind="domain") for d in range(10)
    )
    for plan in gen.plans:
        created = PlanCreated(
            plan_id=plan,
            code=plan,
            title=plan,
            language="en",
            adopted_on=MADE_ON,
            sections=sections,
        )
        batch.commitments.append(_event(gen, f"plan-{plan}", created, MADE_ON))
    for s in range(SOURCES):
        source = SourceRegistered(
            source_id=f"{gen.run}-s{s}", code=f"S{s}", name=f"Source {s}", kind="donor"
        )
        batch.funding.append(_event(gen, f"source-{gen.run}-s{s}", source, MADE_ON))
    for plan in gen.plans:
        agreement = AgreementConcluded(
            agreement_id=f"{plan}-a",
            code=f"{plan}-A",
            title="Agreement",
            currency="EUR",
            plan_id=plan,
            contributions=tuple(
                ContributionData(source=f"{gen.run}-s{s}", amount="1000000000") for s in range(2)
            ),
            total="2000000000",
        )
        batch.funding.append(_event(gen, f"agreement-{plan}-a", agreement, MADE_ON))
    for i, (cid, plan, section) in enumerate(gen.commitments):
        _commitment(gen, batch, i, cid, plan, section)
    return batch


def _commitment(gen: Generator, batch: Batch, i: int, cid: str, plan: str, section: str) -> None:
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
    batch.commitments.append(_event(gen, stream, made, MADE_ON))
    status = "planned"
    if i % 10 < 8:
        as_of = MADE_ON + timedelta(days=60 + i % 300)
        launched = CommitmentStatusChanged(
            commitment_id=cid, plan_id=plan, previous="planned", status="launched", as_of=as_of
        )
        batch.commitments.append(_event(gen, stream, launched, as_of))
        status = "launched"
    gen._status.append(status)
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
        batch.funding.append(_event(gen, f"agreement-{plan}-a", allocated, MADE_ON))


def partner_event(gen: Generator, cid: str, plan: str, kind: str, day: date) -> Row:
    """A measurement or a progress report, as a partner posts them."""
    stream = f"commitment-{cid}"
    if kind == "report":
        data: dict[str, object] = {
            "commitment_id": cid,
            "plan_id": plan,
            "report_id": f"r{gen._ids}",
            "as_of": day.isoformat(),
            "completion": COMPLETION[gen._ids % 4],
            "narrative": [{"lang": "en", "text": "On track, with the partners' figures."}],
            "evidence": [],
        }
        return gen._row(stream, "commitment.progress_reported", data, day)
    # The hot path (85% of the history), written as JSON directly: ids and dates are
    # plain ASCII without quotes, so this is what json.dumps would write.
    measured = (
        f'{{"commitment_id": "{cid}", "plan_id": "{plan}", "indicator": "n", '
        f'"value": "{gen._ids % 1000}", "as_of": "{day.isoformat()}"}}'
    )
    return gen._row(stream, "commitment.measurement_recorded", measured, day)


def status(gen: Generator, cid: str, plan: str, previous: str, day: date) -> Row:
    data = {
        "commitment_id": cid,
        "plan_id": plan,
        "previous": previous,
        "status": gen._status_of(cid),
        "as_of": day.isoformat(),
        "note": None,
    }
    return gen._row(f"commitment-{cid}", "commitment.status_changed", data, day)


def flow(gen: Generator, cid: str, plan: str, section: str, day: date) -> Row:
    kind, code = FLOW_TYPES[gen._ids % 3]
    data = {
        "agreement_id": f"{plan}-a",
        "flow_id": f"f{gen._ids}",
        "type": kind,
        "direction": "outgoing",
        "iati_code": code,
        "amount": "250",
        "currency": "EUR",
        "date": day.isoformat(),
        "commitment_id": cid,
        "plan_id": plan,
        "section": section,
        "source": f"{gen.run}-s{gen._ids % 2}",
        "reference": None,
        "illustrative": False,
    }
    return gen._row(f"agreement-{plan}-a", "funding.flow_recorded", data, day)
