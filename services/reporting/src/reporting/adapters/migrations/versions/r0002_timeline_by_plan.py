"""The timeline by plan, by business time and by record time: what changed in a plan
between two dates is read from it without scanning every plan's events.

Built in the revision's transaction, under the migration lock, so that replicas
starting together build it once; projections wait while it is built (seconds for a
million events here)."""

from __future__ import annotations

from alembic import op

revision = "reporting_0002"
down_revision = "reporting_0001"


def upgrade() -> None:
    op.execute(
        "CREATE INDEX IF NOT EXISTS rm_timeline_plan_occurred_idx "
        "ON rm_timeline (plan_id, occurred_at)"
    )
    op.execute(
        "CREATE INDEX IF NOT EXISTS rm_timeline_plan_recorded_idx "
        "ON rm_timeline (plan_id, recorded_at)"
    )
