"""The read models' lag: the time since they last held everything on their topics."""

from __future__ import annotations

from shared.freshness import Freshness

P0, P1 = ("t", 0), ("t", 1)


def test_before_any_check_the_lag_counts_from_the_start() -> None:
    f = Freshness(started=100.0)
    assert f.lag(now=103.0) == 3.0


def test_caught_up_at_a_check_means_fresh_as_of_that_check() -> None:
    f = Freshness(started=100.0)
    f.observe(110.0, {P0: 5, P1: 7}, {P0: 5, P1: 7})
    assert f.lag(now=110.5) == 0.5


def test_a_partition_behind_keeps_the_lag_growing_until_it_reaches_an_end_seen() -> None:
    f = Freshness(started=100.0)
    f.observe(110.0, {P0: 5, P1: 7}, {P0: 5, P1: 3})
    assert f.lag(now=111.0) == 11.0  # P1 has never been seen complete.
    f.observe(111.0, {P0: 5, P1: 9}, {P0: 5, P1: 8})
    # P1 now holds what it had at 110 (7), not yet what it had at 111 (9).
    assert f.lag(now=111.5) == 1.5
    f.observe(112.0, {P0: 5, P1: 9}, {P0: 5, P1: 9})
    assert f.lag(now=112.0) == 0.0


def test_under_steady_load_the_lag_stays_about_one_interval() -> None:
    f = Freshness(started=0.0)
    end = 0
    for tick in range(1, 100):
        end += 50  # 100 events a second, checked every half second,
        f.observe(tick * 0.5, {P0: end}, {P0: end - 5})  # applied 5 events behind.
    assert 0.5 <= f.lag(now=99 * 0.5) <= 0.6


def test_when_checks_stop_the_lag_grows() -> None:
    f = Freshness(started=0.0)
    f.observe(10.0, {P0: 1}, {P0: 1})
    assert f.lag(now=40.0) == 30.0


def test_a_partition_that_went_away_is_forgotten() -> None:
    f = Freshness(started=0.0)
    f.observe(10.0, {P0: 1, P1: 4}, {P0: 1})
    f.observe(11.0, {P0: 1}, {P0: 1})
    assert f.lag(now=11.0) == 0.0


def test_a_backlog_found_at_start_is_as_stale_as_the_last_event_applied() -> None:
    """A replica back after an hour away, its partition far behind, says so."""
    f = Freshness(started=10_000.0)
    f.observe(10_001.0, {P0: 900}, {P0: 300}, {P0: 6_400.0})
    assert f.lag(now=10_001.0) == 3_601.0
    f.observe(10_002.0, {P0: 900}, {P0: 900})
    assert f.lag(now=10_002.0) == 0.0
