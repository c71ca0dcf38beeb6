"""ISO 4217 facts every service needs to print money right: which codes are current and
how many decimals each one's minor unit has. Exact arithmetic lives with the domain
that owns the money.

The list is the maintenance agency's own table (List One, current codes), as the
``iso4217`` package ships it (``table.xml`` with each code's minor unit; its release is
named after the table's publication date): a code appears when ISO publishes it (ZWG
in 2024, XCG in 2025) and goes when it is withdrawn (ZWL, ANG, BGN), with a dependency
update rather than an edit here. Codes the table gives no minor unit (precious metals,
SDR, test and "no currency" codes) are not money here.

Importing the package parses its XML and builds an enum: 60 to 90 ms and about 1 MiB
in a service process, so it is loaded on the first question asked, not at import.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Final

#: Minor unit of a code that is not (or no longer) current: every code withdrawn
#: since the platform began (HRK, ZWL, ANG, BGN) had two decimals, and amounts
#: recorded in them keep their own scale anyway.
_WITHDRAWN_MINOR_UNIT: Final = 2


@functools.cache
def _current() -> tuple[Mapping[str, int], frozenset[str], str]:
    """The current codes with their minor units, the codes without one, and the
    table's publication date."""
    import iso4217

    minor: dict[str, int] = {}
    unitless: set[str] = set()
    for code, entry in iso4217.raw_table.items():
        units = entry.get("CcyMnrUnts")
        if not code:  # Antarctica has no universal currency: an entry without a code.
            continue
        if isinstance(units, str) and units.isdigit():
            minor[code] = int(units)
        else:
            unitless.add(code)
    return minor, frozenset(unitless), iso4217.__published__.isoformat()


def minor_unit(currency: str) -> int:
    """Decimals of the currency's minor unit: 2 for EUR, 0 for JPY, 3 for BHD; 2 for a
    code that is no longer current."""
    return _current()[0].get(currency, _WITHDRAWN_MINOR_UNIT)


def is_currency(code: str) -> bool:
    """Whether ``code`` is a current ISO 4217 currency with a minor unit."""
    return code in _current()[0]


def currency_problem(code: str) -> str | None:
    """Why ``code`` cannot name money in new input, or ``None`` when it can."""
    minor, unitless, published = _current()
    if code in minor:
        return None
    if code in unitless:
        return (
            f"{code!r} is an ISO 4217 code without a minor unit (a precious metal, a unit "
            "of account or a test code), not a currency"
        )
    return (
        f"{code!r} is not a current ISO 4217 currency code (ISO 4217 as published "
        f"{published}; withdrawn codes are refused)"
    )


def format_amount(amount: Decimal, currency: str) -> str:
    """``Decimal("2580000")`` in EUR → ``"2580000.00"``."""
    return f"{amount.quantize(Decimal(1).scaleb(-minor_unit(currency))):f}"
