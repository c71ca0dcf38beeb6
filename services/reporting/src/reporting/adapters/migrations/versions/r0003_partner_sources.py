"""The sources each partner may post with, projected from the credential events like
the rest of the credentials (reporting takes no events, but honours the same
credentials as the writing services)."""

from __future__ import annotations

from shared import access
from shared.migrations import execute_script

revision = "reporting_0003"
down_revision = "reporting_0002"


def upgrade() -> None:
    execute_script(access.SOURCES_SQL)
