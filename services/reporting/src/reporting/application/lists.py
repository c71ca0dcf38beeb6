"""Finding in lists: filters, text search, sort orders and stable cursors.

A cursor names the sort key of the last item of a page; the next page starts after
it, so a page never repeats or skips an item that was already in the list, whatever
was added meanwhile. It is opaque to callers (base64url of a small JSON document)."""

from __future__ import annotations

import base64
import binascii
import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final, Generic, Literal, TypeVar

from reporting.application.errors import InvalidCursor, InvalidQuery, InvalidRange
from reporting.application.ports import Row
from reporting.application.progress import STATUSES
from reporting.application.texts import all_texts
from reporting.application.views import deadline_class, due

T = TypeVar("T")
Key = tuple[int | str, ...]
Sort = Literal["code", "deadline", "-deadline", "status"]
SORTS: Final[tuple[Sort, ...]] = ("code", "deadline", "-deadline", "status")
DEFAULT_LIMIT: Final = 100
MAX_LIMIT: Final = 1000
#: Where commitments without a deadline go, in either direction: last.
_NO_DEADLINE: Final = 10**7
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def folded(text: str) -> str:
    """Case and accents removed: ``Énergie`` and ``energie`` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def matches(text: str | None, query: str | None) -> bool:
    """Whether ``query`` occurs in ``text``, ignoring case and accents; no query
    matches everything."""
    return not query or (text is not None and folded(query.strip()) in folded(text))


@dataclass(frozen=True, slots=True)
class CommitmentFilter:
    """Which commitments of a plan to list; every criterion given must hold."""

    status: frozenset[str] = frozenset()
    party: str | None = None
    section: str | None = None
    priority: bool | None = None
    overdue: bool | None = None
    deadline_from: date | None = None
    deadline_to: date | None = None
    q: str | None = None

    def __post_init__(self) -> None:
        unknown = sorted(self.status - set(STATUSES))
        if unknown:
            raise InvalidQuery(
                f"status: unknown {', '.join(unknown)} (one of {', '.join(STATUSES)})",
                parameter="status",
            )
        if self.deadline_from and self.deadline_to and self.deadline_from > self.deadline_to:
            raise InvalidRange(
                f"deadline_from {self.deadline_from} is after deadline_to {self.deadline_to}",
                parameter="deadline_from",
            )

    def admits(self, row: Row, sections: frozenset[str] | None, day: date) -> bool:
        """``sections``: the codes the ``section`` criterion stands for (it and its
        sub-sections)."""
        end: date | None = due(row, day)
        late = deadline_class(row, day, 0)
        return (
            (not self.status or row["status"] in self.status)
            and (self.party is None or _names(row, self.party))
            and (sections is None or row["section"] in sections)
            and (self.priority is None or row["priority"] == self.priority)
            and (
                self.overdue is None or (late is not None and late[0] == "overdue") == self.overdue
            )
            and (self.deadline_from is None or (end is not None and end >= self.deadline_from))
            and (self.deadline_to is None or (end is not None and end <= self.deadline_to))
            and any(matches(t, self.q) for t in all_texts(row["title"], row.get("title_local")))
        )


def _names(row: Row, party: str) -> bool:
    wanted = folded(party.strip())
    return any(folded(p["name"]) == wanted for p in row["parties"] or [])


def descendants(sections: Sequence[Row], code: str) -> frozenset[str]:
    """``code`` and every section below it in the plan's tree."""
    children: dict[str, list[str]] = {}
    for s in sections:
        if s.get("parent"):
            children.setdefault(s["parent"], []).append(s["code"])
    found, todo = {code}, [code]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def commitment_key(sort: Sort) -> Callable[[Row], Key]:
    """The sort key of a commitment row; the code breaks ties, so keys are unique."""

    def deadline(row: Row) -> int:
        end: date | None = row["deadline_end"]
        if end is None:
            return _NO_DEADLINE
        return -end.toordinal() if sort == "-deadline" else end.toordinal()

    if sort in ("deadline", "-deadline"):
        return lambda row: (deadline(row), row["code"])
    if sort == "status":
        return lambda row: (_status_rank(row["status"]), row["code"])
    return lambda row: (row["code"],)


def _status_rank(status: str) -> int:
    return STATUSES.index(status) if status in STATUSES else len(STATUSES)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(sort: str, key: Key) -> str:
    raw = json.dumps({"s": sort, "k": list(key)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> Key:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        doc = json.loads(raw)
        key = doc["k"]
        valid = (
            doc["s"] == sort
            and isinstance(key, list)
            and all(isinstance(k, int | str) and not isinstance(k, bool) for k in key)
        )
    except (binascii.Error, ValueError, TypeError, KeyError):
        valid = False
    if not valid:
        raise InvalidCursor(
            "cursor: not a cursor of this list (pass the one from the previous page's "
            'Link rel="next" as it is, with the same sort)',
            parameter="cursor",
        )
    return tuple(key)


def page(
    items: Sequence[T], key: Callable[[T], Key], sort: str, cursor: str | None, limit: int
) -> Page[T]:
    """The ``limit`` items after ``cursor`` in ``key`` order."""
    ordered = sorted(items, key=key)
    if cursor is not None:
        after = decode_cursor(cursor, sort)
        ordered = [i for i in ordered if _comparable(key(i)) > _comparable(after)]
    shown = ordered[:limit]
    more = len(ordered) > limit
    return Page(shown, encode_cursor(sort, key(shown[-1])) if more and shown else None)


def micros(t: datetime) -> int:
    """A time as microseconds since 1970 (UTC when it has no offset): a cursor's key."""
    aware = t if t.tzinfo is not None else t.replace(tzinfo=UTC)
    return (aware - _EPOCH) // timedelta(microseconds=1)


def _comparable(key: Key) -> tuple[tuple[int, int | str], ...]:
    """Mixed keys (a cursor from another sort) compare without a TypeError."""
    return tuple((0, k) if isinstance(k, int) else (1, k) for k in key)
