"""People who sign in to the dashboard (projected from the credential events) and their
server-side sessions."""

from __future__ import annotations

from reporting.adapters.sessions import SESSIONS_SQL
from shared import access
from shared.migrations import execute_script

revision = "reporting_0004"
down_revision = "reporting_0003"


def upgrade() -> None:
    execute_script(access.PEOPLE_SQL)
    execute_script(SESSIONS_SQL)
