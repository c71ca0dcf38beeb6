"""A process that collects reference cycles on a timer: no collection set off by
allocations while it runs, the cycles it makes still freed by full collections, and
the collector as it was afterwards."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from shared.process import cycles_collected_every
from tests.polling import until


class Node:
    """An object that can take part in a reference cycle."""

    other: Node | None = None


def a_cycle() -> weakref.ref[Node]:
    """Two nodes that refer to each other, which only a collection frees."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    return weakref.ref(first)


@contextmanager
def collections() -> Iterator[list[int]]:
    """The generation of each collection that starts within."""
    started: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(count)
    try:
        yield started
    finally:
        gc.callbacks.remove(count)


async def test_no_collection_is_set_off_by_allocations_within() -> None:
    async with cycles_collected_every(3600):
        with collections() as started:
            kept = [[n] for n in range(200_000)]  # Far past generation 0's threshold.
            await asyncio.sleep(0)
        assert not gc.isenabled()
    assert gc.isenabled()
    assert len(kept) == 200_000
    assert started == []


async def test_the_timer_collects_every_generation_and_frees_the_cycles_made() -> None:
    async with cycles_collected_every(0.01):
        made = a_cycle()
        with collections() as started:
            await asyncio.sleep(0.005)
            assert made() is not None  # Not before the timer: nothing else frees a cycle.

            async def freed() -> bool:
                return made() is None

            await until(freed, timeout=5)
        assert started[0] == 2  # A full collection.


async def test_the_timer_stops_on_the_way_out() -> None:
    async with cycles_collected_every(0.01):
        await asyncio.sleep(0.02)
    gc.disable()  # So that only a timer left running could collect.
    try:
        with collections() as started:
            await asyncio.sleep(0.05)
    finally:
        gc.enable()
    assert started == []


async def test_the_collector_is_on_again_after_a_failure_within() -> None:
    try:
        async with cycles_collected_every(3600):
            raise RuntimeError("the replay failed")
    except RuntimeError:
        pass
    assert gc.isenabled()


async def test_a_collector_switched_off_before_stays_off_and_nesting_keeps_it_off() -> None:
    async with cycles_collected_every(3600):
        async with cycles_collected_every(3600):
            pass
        assert not gc.isenabled()  # The inner block's end does not switch it on.
    assert gc.isenabled()
    gc.disable()
    try:
        async with cycles_collected_every(3600):
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
