"""The one shape of an aggregate's rules: ``initial``, ``decide``, ``evolve``.

A decider is pure: given the state its past events folded to and a command, it says
which events the command causes, or raises why it may not; given a state and one
event, it says the state after it. It reads no clock, store or network: ids, dates and
anything looked up elsewhere come in on the command. This module imports nothing but
the standard library, so every domain may use it.

An event a decider's ``evolve`` does not know is an error (:class:`UnknownEvent`),
never a no-op: a stream the rules cannot read back is a bug to hear about, not a
state that silently lags behind its events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Generic, Protocol, TypeVar
from uuid import uuid4

S = TypeVar("S")
C = TypeVar("C")
E = TypeVar("E")
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
C_contra = TypeVar("C_contra", contravariant=True)


class Decider(Protocol[C_contra, S, E]):
    """An aggregate's rules: its state before any event, what a command causes, and
    how one event changes the state."""

    def initial(self) -> S:
        """The state of an aggregate with no events yet."""
        ...

    def decide(self, state: S, command: C_contra) -> Sequence[E]:
        """The events ``command`` causes on ``state``; raises the domain's error when
        the rules refuse it. No events: the command changes nothing."""
        ...

    def evolve(self, state: S, event: E) -> S:
        """The state after ``event``; raises :class:`UnknownEvent` for an event these
        rules do not know."""
        ...


@dataclass(frozen=True, slots=True)
class Rules(Generic[C, S, E]):
    """A :class:`Decider` made of three functions, for domains written as module
    functions."""

    initial_state: Callable[[], S]
    decide_on: Callable[[S, C], Sequence[E]]
    evolve_on: Callable[[S, E], S]

    def initial(self) -> S:
        return self.initial_state()

    def decide(self, state: S, command: C) -> Sequence[E]:
        return self.decide_on(state, command)

    def evolve(self, state: S, event: E) -> S:
        return self.evolve_on(state, event)


class UnknownEvent(TypeError):
    """An event an aggregate's ``evolve`` does not know: its stream holds something
    its rules cannot read back (a missing case, or an event in the wrong stream)."""

    def __init__(self, aggregate: str, event: object) -> None:
        self.aggregate = aggregate
        self.event = event
        super().__init__(f"{aggregate} does not know the event {type(event).__name__}")


def fold(decider: Decider[C, S, E], events: Iterable[E], state: S) -> S:
    """``state`` after each of ``events`` in turn."""
    for event in events:
        state = decider.evolve(state, event)
    return state


@dataclass(frozen=True, slots=True)
class Versioned(Generic[T_co]):
    """A state and the version of its stream it was folded from (0: no events)."""

    value: T_co
    version: int


def existing(found: Versioned[T | None]) -> Versioned[T]:
    """``found`` as the state of an aggregate that exists (one with events)."""
    if found.value is None:
        raise ValueError(f"no aggregate at version {found.version}")
    return Versioned(found.value, found.version)


class StaleVersion(Exception):
    """``If-Match`` named a version the aggregate has moved past (HTTP 412)."""

    def __init__(self, current: int, given: int, kind: str = "aggregate") -> None:
        self.current = current
        self.given = given
        self.kind = kind
        self.detail = f"If-Match {given} is stale: the {kind} is at version {current}"
        super().__init__(self.detail)


def check_version(current: Versioned[object], expected: int | None, kind: str) -> None:
    """Raise :class:`StaleVersion` when a writer named a version (``If-Match``) that
    is not the aggregate's; ``None``: the writer named none."""
    if expected is not None and expected != current.version:
        raise StaleVersion(current.version, expected, kind)


def new_id() -> str:
    """A fresh id for an aggregate or an entity in one, where the caller gave none."""
    return str(uuid4())


def business_time(day: date) -> datetime:
    """Midnight UTC of a business date: when a dated fact took effect."""
    return datetime.combine(day, time.min, tzinfo=UTC)
