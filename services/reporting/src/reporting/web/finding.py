"""The plan page's commitment finder: the form's fields as read from the query string,
and the link to the next page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

from starlette.datastructures import QueryParams
from starlette.requests import Request

from reporting.application.errors import InvalidQuery
from reporting.application.lists import SORTS, CommitmentFilter, Sort

PAGE_SIZE: Final = 100


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
    )
