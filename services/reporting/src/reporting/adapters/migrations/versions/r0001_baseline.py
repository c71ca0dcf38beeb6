"""Baseline: the schema reporting created at start-up before migrations.

Every statement is idempotent (``IF NOT EXISTS``), so this applies both to an empty
database and to one made by a release before migrations (its tables there, no
``alembic_version``). It runs the very SQL texts those releases ran, in their order,
which is why those texts must never change: a change to the schema is a new revision.
Reporting's own tables are ``adapters/schema.sql``, read when the revision runs.
"""

from __future__ import annotations

from importlib.resources import files

from shared import access, consumer
from shared.http import idempotency
from shared.migrations import execute_script

revision = "reporting_0001"
down_revision = None


def upgrade() -> None:
    for sql in (
        access.SCHEMA_SQL,
        idempotency.SCHEMA_SQL,
        consumer.SCHEMA_SQL,
        files("reporting.adapters").joinpath("schema.sql").read_text(),
    ):
        execute_script(sql)
