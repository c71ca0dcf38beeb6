from datetime import date

from reporting.application.progress import CommitmentRow, progress_tree

SECTIONS = [
    {"code": "1", "title": "Domain 1", "parent": None, "kind": "domain"},
    {"code": "1.1", "title": "Action 1.1", "parent": "1", "kind": "action"},
    {"code": "1.1.a", "title": "Measure", "parent": "1.1", "kind": "measure"},
    {"code": "2", "title": "Domain 2", "parent": None, "kind": "domain"},
]


def row(
    cid: str,
    section: str,
    status: str = "planned",
    priority: bool = False,
    deadline: date | None = None,
) -> CommitmentRow:
    del cid  # Named for the reader of the test: the totals count no ids.
    return CommitmentRow(section, status, priority, deadline)


def test_a_section_counts_the_commitments_of_its_sub_sections() -> None:
    rows = [
        row("a", "1", "launched"),
        row("b", "1.1", "completed", priority=True),
        row("c", "1.1.a"),
        row("d", "2", "cancelled"),
    ]
    totals, tree = progress_tree(SECTIONS, rows, date(2016, 1, 1))
    assert totals.commitments == 4
    assert totals.completed_pct == 25.0
    one, two = tree
    assert one.totals.commitments == 3
    assert one.totals.priority == 1
    assert one.sections[0].totals.commitments == 2
    assert one.sections[0].sections[0].totals.by_status["planned"] == 1
    assert two.totals.by_status == {
        "planned": 0,
        "launched": 0,
        "completed": 0,
        "suspended": 0,
        "cancelled": 1,
    }


def test_overdue_means_past_the_deadline_and_neither_completed_nor_cancelled() -> None:
    deadline = date(2016, 12, 31)
    rows = [
        row("a", "1", "launched", deadline=deadline),
        row("b", "1", "completed", deadline=deadline),
        row("c", "1", "cancelled", deadline=deadline),
        row("d", "1", "planned", deadline=None),
    ]
    before, _ = progress_tree(SECTIONS, rows, date(2016, 12, 31))
    after, _ = progress_tree(SECTIONS, rows, date(2017, 1, 1))
    assert before.overdue == 0
    assert after.overdue == 1


def test_a_commitment_under_an_unknown_section_still_counts_in_the_plan() -> None:
    totals, tree = progress_tree(SECTIONS, [row("a", "zz")], date(2016, 1, 1))
    assert totals.commitments == 1
    assert sum(n.totals.commitments for n in tree) == 0


def test_a_row_of_commitments_alike_counts_each_of_them() -> None:
    deadline = date(2016, 12, 31)
    grouped = [
        CommitmentRow("1.1", "launched", True, deadline, commitments=3),
        CommitmentRow("2", "completed", False, None, commitments=2),
    ]
    totals, (one, two) = progress_tree(SECTIONS, grouped, date(2017, 1, 1))
    assert (totals.commitments, totals.priority, totals.overdue) == (5, 3, 3)
    assert totals.completed_pct == 40.0
    assert one.totals.by_status["launched"] == 3 and two.totals.commitments == 2
