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
    [
        ("sort=title", "sort"),
        ("deadline_to=31/12/2020", "deadline_to"),
        ("status=done", "status"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=many", "limit"),
    ],
)
def test_a_field_that_is_not_one_is_refused_naming_it(query: str, named: str) -> None:
    with pytest.raises(InvalidQuery) as raised:
        finder(QueryParams(query)).query()
    assert raised.value.parameter == named


def test_the_page_size_is_chosen_among_those_offered_or_any_up_to_a_thousand() -> None:
    assert finder(QueryParams("")).limit == 100
    chosen = finder(QueryParams("limit=5"))
    assert chosen.limit == 5 and chosen.sizes == [5, 10, 25, 50, 100]
    assert finder(QueryParams("limit=7")).sizes == [5, 7, 10, 25, 50, 100], "the one asked shown"


def test_the_download_links_keep_the_filters_and_sort_but_not_the_page() -> None:
    finding = finder(
        QueryParams(
            "party=Etat&overdue=true&priority=on&status=launched&q=m%C3%A9taux&sort=deadline"
            "&limit=5&cursor=abc&lang=fr&as_of=2020-01-01"
        )
    )
    exported = QueryParams(finding.export_query("as_of=2020-01-01&known_at=2020-02-01"))
    assert dict(exported) == {
        "as_of": "2020-01-01",
        "known_at": "2020-02-01",
        "party": "Etat",
        "overdue": "true",
        "priority": "true",
        "status": "launched",
        "q": "métaux",
        "sort": "deadline",
    }
