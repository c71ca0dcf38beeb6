from datetime import date

import pytest

from reporting.application.views import deadline_class, percent_of_way


@pytest.mark.parametrize(
    ("definition", "latest", "expected"),
    [
        (
            {"direction": "increase", "baseline": {"value": "0"}, "target": {"value": "10"}},
            "5",
            50.0,
        ),
        ({"direction": "increase", "target": {"value": "0.5"}}, "0.2", 40.0),
        (
            {"direction": "decrease", "baseline": {"value": "9.5"}, "target": {"value": "3"}},
            "6.25",
            50.0,
        ),
        (
            {"direction": "decrease", "baseline": {"value": "10"}, "target": {"value": "3"}},
            "12",
            -28.6,
        ),
        (
            {"direction": "increase", "baseline": {"value": "1"}, "target": {"value": "2"}},
            "2.5",
            150.0,
        ),
        ({"direction": "decrease", "target": {"value": "3"}}, "5", None),
        ({"direction": "increase", "target": {"value": "10"}}, None, None),
    ],
)
def test_percent_of_the_way_from_baseline_to_target_honours_direction(
    definition: dict,
    latest: str | None,
    expected: float | None,  # type: ignore[type-arg]
) -> None:
    assert percent_of_way(definition, latest) == expected


def test_deadlines_are_overdue_after_their_end_and_upcoming_within_the_window() -> None:
    def row(end: date | None, status: str = "launched") -> dict[str, object]:
        return {"deadline_end": end, "status": status}

    end = date(2016, 12, 31)
    assert deadline_class(row(end), date(2017, 1, 10), 30) == ("overdue", 10)
    assert deadline_class(row(end), date(2016, 12, 1), 30) == ("upcoming", 30)
    assert deadline_class(row(end), date(2016, 11, 30), 30) is None
    assert deadline_class(row(end, "completed"), date(2017, 1, 10), 30) is None
    assert deadline_class(row(None, "planned"), date(2017, 1, 10), 30) is None
