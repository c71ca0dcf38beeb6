"""Baseline: the schema funding created at start-up before migrations.

Every statement is idempotent (``IF NOT EXISTS``), so this applies both to an empty
database and to one made by a release before migrations (its tables there, no
``alembic_version``). It runs the very SQL texts those releases ran, in their order,
which is why those texts must never change: a change to the schema is a new revision.
"""

from __future__ import annotations

from funding.adapters import directory
from shared import access, consumer, inbound
from shared.eventstore import postgres as eventstore
from shared.http import idempotency
from shared.migrations import execute_script

revision = "funding_0001"
down_revision = None


def upgrade() -> None:
    for sql in (
        access.SCHEMA_SQL,
        idempotency.SCHEMA_SQL,
        eventstore.schema_sql(),
        inbound.SCHEMA_SQL,
        consumer.SCHEMA_SQL,
        directory.SCHEMA_SQL,
    ):
        execute_script(sql)
