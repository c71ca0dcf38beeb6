"""Subscriptions to the change feed and their deliveries."""

from __future__ import annotations

from reporting.adapters.subscriptions import SUBSCRIPTIONS_SQL
from shared.migrations import execute_script

revision = "reporting_0006"
down_revision = "reporting_0005"


def upgrade() -> None:
    execute_script(SUBSCRIPTIONS_SQL)
