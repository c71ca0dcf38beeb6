"""Which plans an operator made public: their reports answer without a key.

The visibility in force now, not a history: whether a plan may be read without a key
is decided on the latest word, whatever date a report is asked for."""

from __future__ import annotations

from alembic import op

revision = "reporting_0007"
down_revision = "reporting_0006"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE IF NOT EXISTS rm_plan_visibility (
            plan_id     text PRIMARY KEY,
            public      boolean NOT NULL,
            recorded_at timestamptz NOT NULL
        )
        """
    )
