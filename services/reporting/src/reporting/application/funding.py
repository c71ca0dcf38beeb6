"""Funding figures per currency, never added across currencies; converted totals only
on request, each labelled with the rate it used. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from reporting.application.models import ByCurrency, Converted, Money, RateUsed
from reporting.application.models import Figures as FiguresView
from reporting.application.ports import Row
from shared.money import format_amount

FIGURES: Final = (
    "agreed",
    "allocated",
    "pledged",
    "committed",
    "disbursed",
    "spent",
    "to_mobilise",
    "incoming_pledged",
    "incoming_committed",
    "received",
)


@dataclass
class Figures:
    """Sums in one currency."""

    currency: str
    sums: dict[str, Decimal] = field(default_factory=dict)
    illustrative: bool = False

    def add(self, name: str, amount: Decimal | None) -> None:
        if amount is not None:
            self.sums[name] = self.sums.get(name, Decimal(0)) + amount

    def view(self) -> FiguresView:
        committed = self.sums.get("committed", Decimal(0))
        disbursed = self.sums.get("disbursed", Decimal(0))
        spent = self.sums.get("spent", Decimal(0))
        return FiguresView(
            **{
                name: Money(
                    amount=format_amount(self.sums.get(name, Decimal(0)), self.currency),
                    currency=self.currency,
                )
                for name in FIGURES
            },
            absorption_pct=float(round(disbursed / committed * 100, 1)) if committed > 0 else None,
            spent_pct=float(round(spent / disbursed * 100, 1)) if disbursed > 0 else None,
            illustrative=self.illustrative,
        )


class Ledger:
    """Figures grouped by a key (a source, a section, …) and a currency."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], Figures] = {}

    def figures(self, key: str, currency: str) -> Figures:
        return self.groups.setdefault((key, currency), Figures(currency))

    def add_rows(self, rows: Iterable[Row], key_column: str | None) -> None:
        """Rows of per-currency sums named like :data:`FIGURES` (missing ones ignored)."""
        for row in rows:
            value = None if key_column is None else row[key_column]
            key = "" if value is None else str(value)
            f = self.figures(key, row["currency"])
            for name in FIGURES:
                if name in row:
                    f.add(name, row[name])
            f.illustrative = f.illustrative or bool(row.get("illustrative"))

    def by_currency(self, key: str = "") -> ByCurrency:
        return {
            currency: figures.view()
            for (k, currency), figures in sorted(self.groups.items())
            if k == key
        }

    def group_keys(self) -> list[str]:
        """The named groups (flows without a source or section are left out)."""
        return sorted({k for k, _ in self.groups if k})


@dataclass(frozen=True, slots=True)
class Rate:
    base: str
    quote: str
    rate: Decimal
    on_date: str


def convert(totals: Mapping[str, Figures], target: str, rates: Mapping[str, Rate]) -> Converted:
    """Totals in ``target`` where a rate from each currency is known; others listed."""
    converted = Figures(target)
    used: list[RateUsed] = []
    missing: list[str] = []
    for currency, figures in sorted(totals.items()):
        if currency == target:
            factor = Decimal(1)
        elif currency in rates:
            r = rates[currency]
            factor = r.rate if r.base == currency else Decimal(1) / r.rate
            used.append(
                RateUsed(
                    from_=currency,
                    to=target,
                    rate=f"{r.rate:f}",
                    pair=f"{r.base}/{r.quote}",
                    date=r.on_date,
                )
            )
        else:
            missing.append(currency)
            continue
        for name, amount in figures.sums.items():
            converted.add(name, amount * factor)
        converted.illustrative = converted.illustrative or figures.illustrative
    return Converted(currency=target, figures=converted.view(), rates=used, not_converted=missing)
