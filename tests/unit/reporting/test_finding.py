"""The plan page's finder reads its form from the query string."""

from __future__ import annotations

from datetime import date

import pytest
from starlette.datastructures import QueryParams

from reporting.application.errors import InvalidQuery
from reporting.web.finding import finder


def test_the_form_s_fields_become_the_list_s_criteria() -> None:
    finding = finder(
        QueryParams(
            "q=energie&status=planned,launched&status=suspended&priority=on&overdue=true"
            "&deadline_from=2020-01-01&deadline_to=2020-03-31&sort=-deadline&cursor=abc"
        )
    )
    criteria, sort, cursor = finding.query()
    assert finding.active
    assert criteria.status == {"planned", "launched", "suspended"}
    assert criteria.priority is True and criteria.overdue is True
    assert (criteria.deadline_from, criteria.deadline_to) == (date(2020, 1, 1), date(2020, 3, 31))
    assert criteria.q == "energie"
    assert (sort, cursor) == ("-deadline", "abc")


def test_an_empty_form_finds_everything_by_code() -> None:
    finding = finder(QueryParams("as_of=2020-01-01"))
    criteria, sort, cursor = finding.query()
    assert not finding.active and sort == "code" and cursor is None
    assert criteria.status == frozenset() and criteria.overdue is None


@pytest.mark.parametrize(
    ("query", "named"),
    [("sort=title", "sort"), ("deadline_to=31/12/2020", "deadline_to"), ("status=done", "status")],
)
def test_a_field_that_is_not_one_is_refused_naming_it(query: str, named: str) -> None:
    with pytest.raises(InvalidQuery) as raised:
        finder(QueryParams(query)).query()
    assert raised.value.parameter == named
