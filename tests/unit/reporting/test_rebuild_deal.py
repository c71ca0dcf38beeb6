"""How a rebuild deals partitions to its worker processes."""

from __future__ import annotations

from reporting.adapters.replay import RECORDS_PER_WORKER, deal


def test_the_largest_partitions_go_to_the_least_loaded_worker() -> None:
    records = {("c", 0): 500, ("c", 1): 300, ("c", 2): 250, ("f", 0): 200, ("f", 1): 0}
    # 500 and 300 open the two shares; 250 joins the 300, 200 then the 500.
    assert deal(records, 2, per_worker=1) == [[("c", 0), ("f", 0)], [("c", 1), ("c", 2)]]


def test_every_partition_with_records_is_dealt_once() -> None:
    records = {("t", p): 1000 + 37 * p for p in range(12)}
    shares = deal(records, 3, per_worker=1)
    assert len(shares) == 3
    assert sorted(tp for share in shares for tp in share) == sorted(records)
    loads = [sum(records[tp] for tp in share) for share in shares]
    assert max(loads) - min(loads) <= max(records.values())


def test_a_small_replay_stays_in_one_process() -> None:
    records = {("t", p): RECORDS_PER_WORKER // 4 for p in range(4)}  # One worker's worth.
    assert deal(records, 8) == [sorted(records, reverse=True)]
    records[("t", 4)] = 1  # One record more: two workers pay off.
    assert len(deal(records, 8)) == 2


def test_no_more_shares_than_partitions_with_records() -> None:
    assert deal({("t", 0): 10**6, ("t", 1): 0}, 4) == [[("t", 0)]]
    assert deal({("t", 0): 0}, 4) == []
