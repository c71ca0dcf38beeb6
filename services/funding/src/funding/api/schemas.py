"""Request and response bodies of the funding API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError(
            f'amounts are decimal strings such as "0.10" (or integers), never JSON '
            f"fractions like {value!r}"
        )
    return value


Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\s/]([^/]*[^\s/])?$")]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]


class MoneyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Annotated[str | int, BeforeValidator(_no_float)]
    currency: Currency


Amount = Annotated[
    str | int | MoneyIn,
    BeforeValidator(_no_float),
    Field(description='A decimal string ("600000.00"), an integer, or a money object'),
]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SourceIn(Body):
    id: Id | None = None
    code: Code
    name: Text
    kind: Annotated[str, Field(min_length=1, max_length=60)] = Field(
        description="public budget, trust fund, multilateral bank, private, industry body, ..."
    )
    plans: list[Id] = Field(default_factory=list, max_length=100)


class ContributionIn(Body):
    source: Code
    amount: Amount


class AgreementIn(Body):
    id: Id | None = None
    code: Code
    title: Text
    currency: Currency
    period: Annotated[str, Field(max_length=100)] | None = None
    plan: Id | None = None
    section: Code | None = None
    signed_on: dt.date | None = None
    contributions: list[ContributionIn] = Field(min_length=1, max_length=200)
    illustrative: bool = False


class AllocationIn(Body):
    id: Id | None = None
    commitment: Id
    amount: Amount
    date: dt.date | None = Field(default=None, description="When it was decided (default today)")


class FlowIn(Body):
    id: Id | None = None
    type: Literal["pledge", "commitment", "decommitment", "disbursement", "expenditure"]
    direction: Literal["outgoing", "incoming"] = "outgoing"
    amount: Amount
    date: dt.date
    commitment: Id | None = None
    source: Code | None = None
    reference: Annotated[str, Field(max_length=200)] | None = None
    illustrative: bool = False


class ReversalIn(Body):
    reason: Annotated[str, Field(min_length=1, max_length=4000)]
    date: dt.date | None = None


class TargetIn(Body):
    id: Id | None = None
    code: Code
    title: Text
    amount: Amount
    currency: Currency
    plan: Id | None = None
    section: Code | None = None
    commitment: Id | None = None
    from_kinds: list[Annotated[str, Field(max_length=60)]] = Field(
        default_factory=list, max_length=20
    )


class RateIn(Body):
    date: dt.date
    base: Currency
    quote: Currency
    rate: Annotated[str | int, BeforeValidator(_no_float)]


class MoneyOut(BaseModel):
    amount: str
    currency: str


class PeriodOut(BaseModel):
    label: str
    start: dt.date
    end: dt.date


class SourceOut(BaseModel):
    id: str
    version: int
    code: str
    name: str
    kind: str
    plans: list[str]


class ContributionOut(BaseModel):
    source: str
    amount: MoneyOut


class AllocationOut(BaseModel):
    id: str
    commitment: str
    amount: MoneyOut


class FlowOut(BaseModel):
    id: str
    type: str
    direction: str
    amount: MoneyOut
    date: dt.date
    reversed: bool


class AgreementOut(BaseModel):
    id: str
    version: int
    code: str
    title: str
    currency: str
    period: PeriodOut | None
    plan: str | None
    section: str | None
    illustrative: bool
    contributions: list[ContributionOut]
    total: MoneyOut
    allocated: MoneyOut
    committed: MoneyOut
    disbursed: MoneyOut
    spent: MoneyOut
    allocations: list[AllocationOut]
    flows: list[FlowOut]


class FlowCreatedOut(BaseModel):
    id: str
    agreement: str
    version: int
    type: str
    direction: str
    iati_code: int
    amount: MoneyOut
    date: dt.date


class CreatedOut(BaseModel):
    id: str
    version: int
