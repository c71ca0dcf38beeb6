"""A process that collects reference cycles on a timer: no collection set off by
allocations while it runs, the cycles it makes still freed, and the collector as it was
afterwards."""

from __future__ import annotations

import asyncio
import gc
import weakref

from shared.process import cycles_collected_every


class Node:
    """An object that can take part in a reference cycle."""

    other: Node | None = None


def a_cycle() -> weakref.ref[Node]:
    first, second = Node(), Node()
    first.other, second.other = second, first
    return weakref.ref(first)


async def test_no_collection_is_set_off_by_allocations_within() -> None:
    collections: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    async with cycles_collected_every(3600):
        gc.callbacks.append(count)
        try:
            kept = [[n] for n in range(200_000)]  # Far past generation 0's threshold.
            await asyncio.sleep(0)
        finally:
            gc.callbacks.remove(count)
        assert not gc.isenabled()
    assert gc.isenabled()
    assert len(kept) == 200_000
    assert collections == []


async def test_the_cycles_made_within_are_freed_on_the_timer() -> None:
    async with cycles_collected_every(0.01):
        made = a_cycle()
        await asyncio.sleep(0.005)
        assert made() is not None  # Not before the timer: nothing else frees a cycle.
        for _ in range(100):
            if made() is None:
                break
            await asyncio.sleep(0.01)
        assert made() is None


async def test_the_collector_is_on_again_after_a_failure_within() -> None:
    try:
        async with cycles_collected_every(3600):
            raise RuntimeError("the replay failed")
    except RuntimeError:
        pass
    assert gc.isenabled()
