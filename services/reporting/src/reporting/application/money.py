"""Views of money: a plan's funding and a commitment's. Sums stay per currency;
``convert_to`` adds a converted view that names every rate it used."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from reporting.application.funding import Ledger, Rate, convert
from reporting.application.models import (
    Agreement,
    ByCurrency,
    Contribution,
    Converted,
    Money,
    PartyFigures,
    PlanFunding,
    ReportDates,
    SectionFigures,
    SourceFigures,
    Target,
)
from reporting.application.ports import FundingReader, Readers, Row, Rows
from reporting.application.rows import existing_plan, plan_head
from reporting.application.texts import fields
from shared.money import format_amount


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount=format_amount(amount, currency), currency=currency)


async def commitment_funding(
    reader: FundingReader, commitment_id: str, dates: ReportDates
) -> ByCurrency:
    """Allocated, flows and the amount to mobilise on one commitment, per currency."""
    day, known = dates.as_of, dates.known_at
    ledger = Ledger()
    ledger.add_rows(await reader.flow_sums("commitment_id", commitment_id, None, day, known), None)
    ledger.add_rows(
        await reader.allocation_sums("commitment_id", commitment_id, None, day, known), None
    )
    for t in await reader.targets("commitment_id", commitment_id, known):
        ledger.figures("", t["currency"]).add("to_mobilise", t["amount"])
    return ledger.by_currency()


@dataclass
class _PlanLedgers:
    """The plan's figures grouped four ways, each per currency."""

    totals: Ledger = field(default_factory=Ledger)
    by_source: Ledger = field(default_factory=Ledger)
    by_section: Ledger = field(default_factory=Ledger)
    by_party: Ledger = field(default_factory=Ledger)

    def add_agreements(self, agreements: Rows) -> None:
        for a in agreements:
            f = self.totals.figures("", a["currency"])
            f.add("agreed", a["total"])
            f.illustrative = f.illustrative or a["illustrative"]
            if a["section"]:
                self.by_section.figures(a["section"], a["currency"]).add("agreed", a["total"])
            for c in a["contributions"]:
                self.by_source.figures(c["source"], a["currency"]).add(
                    "agreed", Decimal(c["amount"])
                )

    async def add_flows(self, reader: FundingReader, plan_id: str, dates: ReportDates) -> None:
        day, known = dates.as_of, dates.known_at
        self.totals.add_rows(await reader.flow_sums("plan_id", plan_id, None, day, known), None)
        self.totals.add_rows(
            await reader.allocation_sums("plan_id", plan_id, None, day, known), None
        )
        self.by_source.add_rows(
            await reader.flow_sums("plan_id", plan_id, "source", day, known), "grp"
        )
        self.by_section.add_rows(
            await reader.flow_sums("plan_id", plan_id, "section", day, known), "grp"
        )
        self.by_section.add_rows(
            await reader.allocation_sums("plan_id", plan_id, "section", day, known), "grp"
        )
        self.by_party.add_rows(await reader.flow_sums_by_party(plan_id, day, known), "grp")

    def add_targets(self, targets: Rows) -> None:
        for t in targets:
            self.totals.figures("", t["currency"]).add("to_mobilise", t["amount"])
            if t["section"]:
                self.by_section.figures(t["section"], t["currency"]).add("to_mobilise", t["amount"])


def _agreement(a: Row) -> Agreement:
    return Agreement(
        id=a["agreement_id"],
        code=a["code"],
        title=a["title"],
        section=a["section"],
        period=a["period"],
        total=_money(a["total"], a["currency"]),
        contributions=[
            Contribution(
                source=c["source"], amount=Money(amount=c["amount"], currency=a["currency"])
            )
            for c in a["contributions"]
        ],
        illustrative=a["illustrative"],
        signed_on=a.get("signed_on"),
        recorded_at=a.get("recorded_at"),
        partner=a.get("partner"),
        event_id=None if a.get("event_id") is None else str(a["event_id"]),
    )


def _target(t: Row) -> Target:
    return Target(
        id=t["target_id"],
        code=t["code"],
        title=t["title"],
        section=t["section"],
        commitment=t["commitment_id"],
        amount=_money(t["amount"], t["currency"]),
        from_kinds=t["from_kinds"],
    )


async def plan_funding(
    read: Readers, plan_id: str, dates: ReportDates, convert_to: str | None = None
) -> PlanFunding:
    """Agreed, allocated, pledged, committed, disbursed and spent per currency, with
    absorption (disbursed ÷ committed), by source, by section and by party."""
    plan = await existing_plan(read.commitments, plan_id, dates)
    reader = read.funding
    ledgers = _PlanLedgers()
    agreements = await reader.agreements(plan_id, dates.as_of, dates.known_at)
    ledgers.add_agreements(agreements)
    await ledgers.add_flows(reader, plan_id, dates)
    targets = await reader.targets("plan_id", plan_id, dates.known_at)
    ledgers.add_targets(targets)
    sources = await reader.sources()
    titles = {s["code"]: fields(s["title"]) for s in plan["sections"]}
    return PlanFunding(
        plan=plan_head(plan),
        as_of=dates.as_of,
        known_at=dates.known_at,
        totals=ledgers.totals.by_currency(),
        by_source=[
            SourceFigures(
                source=code,
                name=sources[code]["name"] if code in sources else None,
                kind=sources[code]["kind"] if code in sources else None,
                figures=ledgers.by_source.by_currency(code),
            )
            for code in ledgers.by_source.group_keys()
        ],
        by_section=[
            SectionFigures(
                code=code,
                **titles.get(code, {"title": None}),
                figures=ledgers.by_section.by_currency(code),
            )
            for code in ledgers.by_section.group_keys()
        ],
        by_party=[
            PartyFigures(party=name, figures=ledgers.by_party.by_currency(name))
            for name in ledgers.by_party.group_keys()
        ],
        agreements=[_agreement(a) for a in agreements],
        targets=[_target(t) for t in targets],
        converted=None
        if convert_to is None
        else await _converted(reader, ledgers.totals, convert_to, dates),
    )


async def _converted(
    reader: FundingReader, totals: Ledger, target: str, dates: ReportDates
) -> Converted:
    rates = {
        r["other"]: Rate(r["base"], r["quote"], r["rate"], r["on_date"].isoformat())
        for r in await reader.latest_rates(target, dates.as_of, dates.known_at)
    }
    per_currency = {cur: f for (key, cur), f in totals.groups.items() if key == ""}
    return convert(per_currency, target, rates)
