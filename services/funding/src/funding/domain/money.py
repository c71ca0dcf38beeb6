"""Exact money: a decimal amount in an ISO 4217 currency.

Amounts are ``Decimal`` from decimal strings or integers, never from floats (0.1 has no
exact binary form). An amount may not be more precise than its currency's minor unit
(cents for EUR); it is then kept at exactly that scale, so ``600000`` reads
``600000.00``. Money in different currencies is never added: that raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from funding.domain.errors import InvalidMoney

#: ISO 4217 active codes, and those whose minor unit is not 2 decimals.
_CODES_TEXT: Final = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
"""
_ZERO_DECIMALS_TEXT: Final = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS_TEXT: Final = "BHD IQD JOD KWD LYD OMR TND"
_CODES: Final = frozenset(_CODES_TEXT.split())
_ZERO_DECIMALS: Final = frozenset(_ZERO_DECIMALS_TEXT.split())
_THREE_DECIMALS: Final = frozenset(_THREE_DECIMALS_TEXT.split())


def minor_unit(currency: str) -> int:
    if currency in _ZERO_DECIMALS:
        return 0
    if currency in _THREE_DECIMALS:
        return 3
    return 2


def check_currency(code: str, field: str = "/currency") -> str:
    if code not in _CODES:
        raise InvalidMoney(f"{code!r} is not an ISO 4217 currency code", field)
    return code


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def parse(cls, amount: object, currency: str, field: str = "/amount") -> Money:
        """From a decimal string or an integer; floats and excess precision refused."""
        check_currency(currency)
        if isinstance(amount, bool | float):
            raise InvalidMoney(
                f'amounts are decimal strings such as "0.10", not JSON numbers ({amount!r})',
                field,
            )
        if not isinstance(amount, int | str | Decimal):
            raise InvalidMoney("an amount must be a decimal string", field)
        try:
            value = Decimal(str(amount).strip())
        except InvalidOperation:
            raise InvalidMoney(f"{amount!r} is not a decimal amount", field) from None
        if not value.is_finite():
            raise InvalidMoney(f"{amount!r} is not a finite amount", field)
        places = minor_unit(currency)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            raise InvalidMoney(
                f"{amount} has more decimals than {currency} allows ({places})", field
            )
        return cls(value.quantize(Decimal(1).scaleb(-places)), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0).quantize(Decimal(1).scaleb(-minor_unit(currency))), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidMoney(
                f"{self.currency} and {other.currency} cannot be added without a rate"
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    @property
    def text(self) -> str:
        """The amount as a decimal string at the currency's scale: ``2580000.00``."""
        return f"{self.amount:f}"

    def __str__(self) -> str:
        return f"{self.text} {self.currency}"
