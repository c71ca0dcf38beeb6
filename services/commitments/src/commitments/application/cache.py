"""Folded states each replica keeps in memory between requests."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

from shared.decider import Versioned

T = TypeVar("T")


class StateCache(Generic[T]):
    """Folded states by id, bounded, least recently used out first.

    A cached commitment is only a starting point: every load reads the events after
    its version from the store, so another replica's writes are never missed. Only
    states of committed events are kept, never one decided but not yet committed, and
    a state never replaces a newer one.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._states: OrderedDict[str, Versioned[T]] = OrderedDict()

    def get(self, key: str) -> Versioned[T] | None:
        found = self._states.get(key)
        if found is not None:
            self._states.move_to_end(key)
        return found

    def put(self, key: str, value: Versioned[T]) -> None:
        known = self._states.get(key)
        if known is not None and known.version > value.version:
            return
        self._states[key] = value
        self._states.move_to_end(key)
        while len(self._states) > self._size:
            self._states.popitem(last=False)
