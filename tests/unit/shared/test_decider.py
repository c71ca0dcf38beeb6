"""The one decider shape: folds, versions and the errors every aggregate shares."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared.decider import (
    Rules,
    StaleVersion,
    UnknownEvent,
    Versioned,
    business_time,
    check_version,
    existing,
    fold,
)

Counter: Rules[int, int, int] = Rules(
    lambda: 0, lambda state, n: [n] if n else [], lambda s, e: s + e
)


def test_a_fold_applies_each_event_in_turn_from_the_state_given() -> None:
    assert fold(Counter, [1, 2, 3], Counter.initial()) == 6
    assert fold(Counter, [], 10) == 10
    assert list(Counter.decide(6, 0)) == []


def test_a_named_version_that_is_not_the_aggregates_is_stale() -> None:
    check_version(Versioned("x", 3), None, "commitment")
    check_version(Versioned("x", 3), 3, "commitment")
    with pytest.raises(StaleVersion) as raised:
        check_version(Versioned("x", 3), 2, "commitment")
    assert (raised.value.current, raised.value.given) == (3, 2)
    assert raised.value.detail == "If-Match 2 is stale: the commitment is at version 3"


def test_an_aggregate_exists_only_with_a_state() -> None:
    assert existing(Versioned("x", 1)) == Versioned("x", 1)
    with pytest.raises(ValueError, match="no aggregate"):
        existing(Versioned(None, 0))


def test_business_time_is_midnight_utc_of_the_day() -> None:
    assert business_time(date(2016, 6, 30)) == datetime(2016, 6, 30, tzinfo=UTC)


def test_an_unknown_event_names_the_aggregate_and_the_event() -> None:
    error = UnknownEvent("plan", 3.5)
    assert isinstance(error, TypeError)
    assert str(error) == "plan does not know the event float"
