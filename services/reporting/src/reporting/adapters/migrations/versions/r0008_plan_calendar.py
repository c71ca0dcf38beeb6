"""A plan's calendar in its read model: the month its fiscal years start and its key
dates, which deadlines written relative to a key date are resolved against."""

from __future__ import annotations

from alembic import op

revision = "reporting_0008"
down_revision = "reporting_0007"


def upgrade() -> None:
    op.execute("ALTER TABLE rm_plans ADD COLUMN IF NOT EXISTS fiscal_year_start integer")
    op.execute(
        "ALTER TABLE rm_plans ADD COLUMN IF NOT EXISTS key_dates jsonb NOT NULL DEFAULT '[]'"
    )
