"""ISO 4217 facts every service needs to print money right: which codes exist and how
many decimals each one's minor unit has. Exact arithmetic lives with the domain that
owns the money."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

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
    """Decimals of the currency's minor unit: 2 for EUR, 0 for JPY, 3 for KWD."""
    if currency in _ZERO_DECIMALS:
        return 0
    if currency in _THREE_DECIMALS:
        return 3
    return 2


def is_currency(code: str) -> bool:
    return code in _CODES


def format_amount(amount: Decimal, currency: str) -> str:
    """``Decimal("2580000")`` in EUR → ``"2580000.00"``."""
    return f"{amount.quantize(Decimal(1).scaleb(-minor_unit(currency))):f}"
