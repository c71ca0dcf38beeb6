"""The change feed's table, numbered in the order the consumer commits."""

from __future__ import annotations

from reporting.adapters.feed import FEED_SQL
from shared.migrations import execute_script

revision = "reporting_0005"
down_revision = "reporting_0004"


def upgrade() -> None:
    execute_script(FEED_SQL)
