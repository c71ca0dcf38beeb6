"""Exact money: a decimal amount in an ISO 4217 currency.

Amounts are ``Decimal`` from decimal strings or integers, never from floats (0.1 has no
exact binary form). An amount may not be more precise than its currency's minor unit
(cents for EUR); it is then kept at exactly that scale, so ``600000`` reads
``600000.00``. Money in different currencies is never added: that raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from funding.domain.errors import InvalidMoney
from shared.money import currency_problem, minor_unit


def check_currency(code: str, field: str = "/currency") -> str:
    """A currency chosen in new input (an agreement's, a target's, a rate's): a current
    ISO 4217 code with a minor unit; a withdrawn one is refused."""
    if problem := currency_problem(code):
        raise InvalidMoney(problem, field)
    return code


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def parse(
        cls, amount: object, currency: str, field: str = "/amount", *, held: bool = False
    ) -> Money:
        """From a decimal string or an integer; floats and excess precision refused.

        ``held``: the currency is an agreement's own, checked when it was concluded; a
        code withdrawn since still takes amounts (at two decimals), so that an
        agreement in lev goes on recording flows after the euro came."""
        if not held:
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
    def recorded(cls, amount: str, currency: str) -> Money:
        """An amount from a stored event: never checked again against today's list,
        and never rounded (a minor unit that shrank since keeps the recorded
        decimals); one written with fewer decimals is padded to the minor unit."""
        value = Decimal(amount)
        places = minor_unit(currency)
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent < places:
            value = value.quantize(Decimal(1).scaleb(-places))
        return cls(value, currency)

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
