"""Commands on agreements: what a writer asks for, with every id and date it needs;
what the rules must know from elsewhere (a commitment, the registered sources) the use
case looks up and puts on the command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.contracts.common import PeriodData
from shared.contracts.funding import Direction, FlowType


@dataclass(frozen=True, slots=True)
class CommitmentRef:
    """A commitment as funding knows it (from the topic, or asked over HTTP)."""

    commitment_id: str
    plan_id: str
    section: str
    parties: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ConcludeAgreement:
    agreement_id: str
    code: str
    title: str
    currency: str
    period: PeriodData | None
    plan_id: str | None
    section: str | None
    contributions: tuple[tuple[str, object], ...]
    illustrative: bool = False
    #: The contributing sources that are registered, as the use case found them.
    known_sources: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Allocate:
    allocation_id: str
    commitment: CommitmentRef | None
    commitment_id: str
    amount: object
    date: date | None = None
    #: The currency the amount was given in, if the caller named one.
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class RecordFlow:
    flow_id: str
    type: FlowType
    amount: object
    date: date
    direction: Direction = "outgoing"
    commitment: CommitmentRef | None = None
    commitment_id: str | None = None
    source: str | None = None
    reference: str | None = None
    illustrative: bool = False
    #: The currency the amount was given in, if the caller named one.
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class ReverseFlow:
    """Reverse a flow from ``date`` on; the use case dates a reversal its writer did
    not date (``None``) today."""

    flow_id: str
    reason: str
    date: date | None


Command = ConcludeAgreement | Allocate | RecordFlow | ReverseFlow
