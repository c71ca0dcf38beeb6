"""A plan's money, per currency, and the overview's cards."""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from reporting.application.models.base import Money, Period, Texts, Timestamp, View
from reporting.application.models.commitments import ByCurrency, Figures
from reporting.application.models.plans import PlanHead, Totals


class SourceFigures(View):
    source: str
    name: str | None
    kind: str | None
    figures: ByCurrency


class SectionFigures(View):
    code: str
    title: str | None
    titles: Texts = None
    figures: ByCurrency


class PartyFigures(View):
    """A commitment with two parties counts for both: party figures overlap."""

    party: str
    figures: ByCurrency


class Contribution(View):
    source: str
    amount: Money


class Agreement(View):
    id: str
    code: str
    title: str
    section: str | None
    period: Period | None
    total: Money
    contributions: list[Contribution]
    illustrative: bool
    signed_on: dt.date | None = Field(default=None, description="Business date.")
    recorded_at: Timestamp | None = Field(default=None, description="Record time.")
    partner: str | None = Field(default=None, description="Who posted it.")
    event_id: str | None = Field(default=None, description="The event that recorded it.")


class Target(View):
    id: str
    code: str
    title: str
    section: str | None
    commitment: str | None
    amount: Money
    from_kinds: list[str]


class RateUsed(View):
    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)

    from_: str = Field(alias="from")
    to: str
    rate: str
    pair: str
    date: str


class Converted(View):
    """Totals in one currency where a rate from each currency is known, naming every
    rate used; currencies without one are listed in ``not_converted``."""

    currency: str
    figures: Figures
    rates: list[RateUsed]
    not_converted: list[str]


class PlanFunding(View):
    plan: PlanHead
    as_of: dt.date
    known_at: Timestamp
    totals: ByCurrency
    by_source: list[SourceFigures]
    by_section: list[SectionFigures]
    by_party: list[PartyFigures]
    agreements: list[Agreement]
    targets: list[Target]
    converted: Converted | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="Only when ``convert_to`` is given.",
    )


class PlanCard(View):
    """A plan on the overview: its progress totals and money."""

    plan: PlanHead
    totals: Totals
    funding: ByCurrency
