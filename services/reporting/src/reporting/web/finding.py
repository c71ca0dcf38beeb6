"""The plan page's commitment finder: the form's fields as read from the query string,
the links to next pages (of the finder's list, the overdue and upcoming lists, a
commitment's timeline and flows), each keeping every other parameter of the page, and
the links that download the finder's list as a file, its filters kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request

from reporting.application.errors import InvalidQuery
from reporting.application.lists import MAX_LIMIT, SORTS, CommitmentFilter, Sort

PAGE_SIZE: Final = 100
#: The page sizes the finder offers (``limit``; any from 1 to 1000 is taken).
PAGE_SIZES: Final = (5, 10, 25, 50, 100)
#: The plan page's overdue and upcoming lists, a page at a time.
DEADLINES_PAGE: Final = 25
#: A commitment page's timeline and flows, a page at a time.
EVENTS_PAGE: Final = 50


@dataclass(frozen=True, slots=True)
class Finding:
    """What the form shows as chosen; empty strings for fields left blank."""

    q: str
    status: str
    party: str
    section: str
    priority: bool
    overdue: bool
    deadline_from: str
    deadline_to: str
    sort: str
    cursor: str | None
    limit: int = PAGE_SIZE

    @property
    def active(self) -> bool:
        return bool(
            self.q
            or self.status
            or self.party
            or self.section
            or self.priority
            or self.overdue
            or self.deadline_from
            or self.deadline_to
        )

    def query(self) -> tuple[CommitmentFilter, Sort, str | None]:
        sort = next((s for s in SORTS if s == self.sort), None)
        if sort is None:
            raise InvalidQuery(f"sort: one of {', '.join(SORTS)}", parameter="sort")
        criteria = CommitmentFilter(
            status=frozenset(s for s in self.status.split(",") if s),
            party=self.party or None,
            section=self.section or None,
            priority=True if self.priority else None,
            overdue=True if self.overdue else None,
            deadline_from=_day(self.deadline_from, "deadline_from"),
            deadline_to=_day(self.deadline_to, "deadline_to"),
            q=self.q or None,
        )
        return criteria, sort, self.cursor

    @property
    def sizes(self) -> list[int]:
        """The page sizes offered, the one chosen among them."""
        return sorted({*PAGE_SIZES, self.limit})

    def export_query(self, dates: str) -> str:
        """The list's filters and sort after ``dates`` (:func:`dates_query`): every
        row that matches, unpaged, as the download links ask for them."""
        fields = {
            "q": self.q,
            "status": self.status,
            "party": self.party,
            "section": self.section,
            "priority": "true" if self.priority else "",
            "overdue": "true" if self.overdue else "",
            "deadline_from": self.deadline_from,
            "deadline_to": self.deadline_to,
            "sort": self.sort,
        }
        return f"{dates}&{urlencode({k: v for k, v in fields.items() if v})}"

    def next_page(self, request: Request, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        following = request.url.include_query_params(cursor=cursor)
        return f"{following.path}?{following.query}"


def _day(text: str, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidQuery(f"{name} must be YYYY-MM-DD, got {text!r}", parameter=name) from None


def finder(params: QueryParams) -> Finding:
    def text(name: str) -> str:
        return (params.get(name) or "").strip()

    return Finding(
        q=text("q"),
        status=",".join(params.getlist("status")).strip(","),
        party=text("party"),
        section=text("section"),
        priority=text("priority") in ("true", "on", "1"),
        overdue=text("overdue") in ("true", "on", "1"),
        deadline_from=text("deadline_from"),
        deadline_to=text("deadline_to"),
        sort=text("sort") or "code",
        cursor=params.get("cursor") or None,
        limit=_limit(text("limit")),
    )


def _limit(text: str) -> int:
    if not text:
        return PAGE_SIZE
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise InvalidQuery(f"limit: a number from 1 to {MAX_LIMIT}, got {text!r}", "limit")
    return int(text)


def page_link(request: Request, parameter: str, cursor: str | None, anchor: str) -> str | None:
    """This page with ``parameter`` set to ``cursor`` (the next page of one of its
    lists), every other parameter kept: filters, ``as_of``, ``known_at``, the other
    lists' cursors."""
    if cursor is None:
        return None
    following = request.url.include_query_params(**{parameter: cursor})
    return f"{following.path}?{following.query}#{anchor}"


def first_page(request: Request, parameter: str, anchor: str) -> str | None:
    """This page with the list that ``parameter`` pages back at its start (``None``
    when it is there already)."""
    if parameter not in request.query_params:
        return None
    kept = request.url.remove_query_params(parameter)
    return f"{kept.path}?{kept.query}#{anchor}"


def dates_query(request: Request, as_of: date) -> str:
    """``as_of`` and, when the page was asked for one, ``known_at``: what every link
    from a page carries so that the next page answers for the same dates."""
    params = {"as_of": as_of.isoformat()}
    known_at = request.query_params.get("known_at")
    if known_at:
        params["known_at"] = known_at
    return urlencode(params)
