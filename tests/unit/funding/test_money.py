from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from funding.domain import agreement as rules
from funding.domain.agreement import ConcludeAgreement, RecordFlow
from funding.domain.errors import InvalidMoney
from funding.domain.money import Money, check_currency
from shared import money
from shared.contracts.funding import AgreementConcluded
from shared.decider import fold


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
        ("10", "ZWL"),  # Withdrawn in 2024 for ZWG.
        ("10", "ANG"),  # Withdrawn in 2025 for XCG.
        ("10", "XAU"),  # Gold: an ISO 4217 code, not money with a minor unit.
        ("10", "XXX"),
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


def test_the_codes_iso_added_lately_are_money_with_their_minor_units() -> None:
    assert Money.parse("10.5", "ZWG").text == "10.50"  # Zimbabwe Gold, 2024.
    assert Money.parse("10", "XCG").text == "10.00"  # Caribbean guilder, 2025.
    assert {code: money.minor_unit(code) for code in ("EUR", "JPY", "BHD", "CLF", "XOF")} == {
        "EUR": 2,
        "JPY": 0,
        "BHD": 3,
        "CLF": 4,
        "XOF": 0,
    }
    assert Money.parse("1.2345", "CLF").text == "1.2345"


def test_a_withdrawn_code_is_refused_naming_why() -> None:
    with pytest.raises(InvalidMoney) as raised:
        check_currency("ZWL")
    assert "not a current ISO 4217 currency code" in raised.value.detail
    assert raised.value.field == "/currency"
    with pytest.raises(InvalidMoney, match="without a minor unit"):
        check_currency("XAU", "/base")


LEV = ConcludeAgreement(
    agreement_id="bg",
    code="BG",
    title="Concluded in lev before the euro",
    currency="EUR",
    period=None,
    plan_id=None,
    section=None,
    contributions=(("STATE", "1000"),),
    known_sources=frozenset({"STATE"}),
)


def test_an_agreement_in_a_code_withdrawn_since_still_folds_and_records_flows() -> None:
    """Stored events are never checked against today's list: an agreement concluded in
    lev (BGN, withdrawn when Bulgaria took the euro in 2026) loads and takes flows."""
    (event,) = rules.DECIDER.decide(None, LEV)
    assert isinstance(event, AgreementConcluded)
    in_lev = event.model_copy(update={"currency": "BGN", "total": "1000", "contributions": ()})
    state = fold(rules.DECIDER, [in_lev], None)
    assert state is not None and state.total.text == "1000.00"
    (flow,) = rules.DECIDER.decide(state, RecordFlow("f1", "pledge", "12.34", date(2026, 2, 1)))
    assert flow.currency == "BGN" and flow.amount == "12.34"
    with pytest.raises(InvalidMoney):
        rules.DECIDER.decide(None, replace(LEV, currency="BGN"))


def test_recorded_amounts_are_padded_never_rounded() -> None:
    assert Money.recorded("5", "EUR").text == "5.00"
    assert Money.recorded("5.50", "JPY").text == "5.50"
