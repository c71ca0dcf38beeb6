"""The relay's flag (``relay_listening``): appends wake the relay only while it waits to
be woken, instead of each sending a notification, which makes PostgreSQL serialise
their commits (see :data:`shared.eventstore.postgres.LISTENING_SQL`)."""

from __future__ import annotations

from alembic import op

from shared.eventstore import postgres as eventstore

revision = "commitments_0005"
down_revision = "commitments_0004"


def upgrade() -> None:
    op.execute(eventstore.LISTENING_SQL)
