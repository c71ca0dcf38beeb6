"""Titles, section titles and narratives given in several languages: beside each text
column, the whole language map as ordered translations (``[{"lang", "text"}]``, since
``jsonb`` does not keep an object's key order and the first given is the fallback),
``NULL`` when the text was a plain string. The text columns keep the first language
given, so sorting, search and every existing query still read them."""

from __future__ import annotations

from alembic import op

revision = "reporting_0012"
down_revision = "reporting_0011"

_COLUMNS = (
    ("rm_plans", "title_local"),
    ("rm_commitments", "title_local"),
    ("rm_amendments", "title_local"),
    ("rm_milestones", "title_local"),
    ("rm_progress_reports", "narrative_local"),
)


def upgrade() -> None:
    for table, column in _COLUMNS:
        op.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} jsonb")
