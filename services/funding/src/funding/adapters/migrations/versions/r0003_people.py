"""People who sign in to the dashboard, projected from the credential events like the
rest of the credentials."""

from __future__ import annotations

from shared import access
from shared.migrations import execute_script

revision = "funding_0003"
down_revision = "funding_0002"


def upgrade() -> None:
    execute_script(access.PEOPLE_SQL)
