"""A visitor without a key reads public plans and their commitments, nothing else."""

from __future__ import annotations

import pytest

from reporting.application.visibility import open_to_visitors
from tests.unit.reporting.fakes import FakeCommitments


def reader() -> FakeCommitments:
    return FakeCommitments(
        plan_rows={"open": {"public": True}, "closed": {"public": False}},
        commitment_rows=[
            {"commitment_id": "c-open", "plan_id": "open"},
            {"commitment_id": "c-closed", "plan_id": "closed"},
        ],
    )


@pytest.mark.parametrize(
    ("subject", "key", "readable"),
    [
        ("plan_id", "open", True),
        ("plan_id", "closed", False),
        ("plan_id", "never-made", False),
        ("commitment_id", "c-open", True),
        ("commitment_id", "c-closed", False),
        ("commitment_id", "never-made", False),
    ],
)
async def test_only_what_a_public_plan_holds_is_open(
    subject: str, key: str, readable: bool
) -> None:
    assert await open_to_visitors(reader(), subject, key) is readable  # type: ignore[arg-type]


async def test_nothing_is_open_while_no_plan_is_public() -> None:
    closed = FakeCommitments(
        plan_rows={"p": {"public": False}}, commitment_rows=[{"commitment_id": "c", "plan_id": "p"}]
    )
    assert not await open_to_visitors(closed, "commitment_id", "c")
