from decimal import Decimal

import pytest

from funding.domain.errors import InvalidMoney
from funding.domain.money import Money


def test_amounts_are_exact_and_kept_at_the_currency_scale() -> None:
    assert Money.parse("600000", "EUR").text == "600000.00"
    assert Money.parse(1980000, "EUR").text == "1980000.00"
    total = Money.parse("0.10", "EUR") + Money.parse("0.20", "EUR")
    assert total.text == "0.30"
    assert total.amount == Decimal("0.30")
    assert Money.parse("1500", "JPY").text == "1500"
    assert Money.parse("1.234", "KWD").text == "1.234"


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        (0.1, "EUR"),
        ("0.105", "EUR"),
        ("abc", "EUR"),
        ("NaN", "EUR"),
        ("1.5", "JPY"),
        ("10", "EU"),
        ("10", "XYZ"),
        (True, "EUR"),
        (None, "EUR"),
    ],
)
def test_floats_excess_precision_and_unknown_currencies_are_refused(
    amount: object, currency: str
) -> None:
    with pytest.raises(InvalidMoney):
        Money.parse(amount, currency)


def test_different_currencies_are_never_added() -> None:
    with pytest.raises(InvalidMoney, match="without a rate"):
        Money.parse("1", "EUR") + Money.parse("1", "USD")
