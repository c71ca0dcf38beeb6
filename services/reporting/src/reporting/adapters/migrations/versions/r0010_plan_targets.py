"""Targets plans share among several commitments: every definition as set, so a view
as known at any time finds the one in force then."""

from __future__ import annotations

from alembic import op

revision = "reporting_0010"
down_revision = "reporting_0009"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE IF NOT EXISTS rm_plan_targets (
            event_id    uuid PRIMARY KEY,
            plan_id     text NOT NULL,
            code        text NOT NULL,
            definition  jsonb NOT NULL,
            recorded_at timestamptz NOT NULL
        )
        """
    )
    op.execute(
        "CREATE INDEX IF NOT EXISTS rm_plan_targets_plan "
        "ON rm_plan_targets (plan_id, code, recorded_at)"
    )
