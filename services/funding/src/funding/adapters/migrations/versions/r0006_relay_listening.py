"""The relay's flag (``relay_listening``): appends skip the notification while the relay
says it is busy reading, for a notification makes PostgreSQL serialise their commits
(see :data:`shared.eventstore.postgres.LISTENING_SQL`)."""

from __future__ import annotations

from alembic import op

from shared.eventstore import postgres as eventstore

revision = "funding_0006"
down_revision = "funding_0005"


def upgrade() -> None:
    op.execute(eventstore.LISTENING_SQL)
