"""Events published on ``pactstream.funding``. Amounts are decimal strings in the
currency named beside them; no event ever carries a float."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.contracts.common import PeriodData
from shared.events import EventData

FlowType = Literal["pledge", "commitment", "decommitment", "disbursement", "expenditure"]
Direction = Literal["outgoing", "incoming"]


class MoneyData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: str
    currency: str


class ContributionData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    amount: str


class SourceRegistered(EventData):
    event_type = "org.pactstream.funding.source_registered"

    source_id: str
    code: str
    name: str
    kind: str
    plans: tuple[str, ...] = ()


class AgreementConcluded(EventData):
    """A convention: contributions per source in one currency; ``total`` is their sum."""

    event_type = "org.pactstream.funding.agreement_concluded"

    agreement_id: str
    code: str
    title: str
    currency: str
    period: PeriodData | None = None
    plan_id: str | None = None
    section: str | None = None
    contributions: tuple[ContributionData, ...] = ()
    total: str
    illustrative: bool = False


class FundsAllocated(EventData):
    event_type = "org.pactstream.funding.funds_allocated"

    agreement_id: str
    allocation_id: str
    commitment_id: str
    plan_id: str | None = None
    section: str | None = None
    amount: str
    currency: str


class FlowRecorded(EventData):
    """A money flow with its IATI transaction-type code (12/2/3/4 outgoing,
    13/11/1 incoming; a decommitment is a commitment reduced, code 2)."""

    event_type = "org.pactstream.funding.flow_recorded"

    agreement_id: str
    flow_id: str
    type: FlowType
    direction: Direction = "outgoing"
    iati_code: int
    amount: str
    currency: str
    date: date
    commitment_id: str | None = None
    plan_id: str | None = None
    section: str | None = None
    source: str | None = None
    reference: str | None = None
    illustrative: bool = False


class FlowReversed(EventData):
    """A correction: the flow stops counting from ``date``; nothing is deleted."""

    event_type = "org.pactstream.funding.flow_reversed"

    agreement_id: str
    flow_id: str
    reason: str
    date: date


class FundingTargetSet(EventData):
    """Money to be mobilised: an objective, never a flow."""

    event_type = "org.pactstream.funding.target_set"

    target_id: str
    code: str
    title: str
    amount: str
    currency: str
    plan_id: str | None = None
    section: str | None = None
    commitment_id: str | None = None
    from_kinds: tuple[str, ...] = ()


class ExchangeRateRecorded(EventData):
    """1 ``base`` = ``rate`` ``quote`` on ``date``."""

    event_type = "org.pactstream.funding.exchange_rate_recorded"

    date: date
    base: str
    quote: str
    rate: str


#: Every event type of this contract, in the order they were added; registries are
#: built from these lists (``shared.contracts.build_registry``), and a test fails when
#: a payload model of this module is missing here.
EVENTS: tuple[type[EventData], ...] = (
    SourceRegistered,
    AgreementConcluded,
    FundsAllocated,
    FlowRecorded,
    FlowReversed,
    FundingTargetSet,
    ExchangeRateRecorded,
)
