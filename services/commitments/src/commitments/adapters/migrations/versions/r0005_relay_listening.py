"""The relay's flag (``relay_listening``): appends skip the notification while the relay
says it is busy reading, for a notification makes PostgreSQL serialise their commits
(see :data:`shared.eventstore.postgres.LISTENING_SQL`)."""

from __future__ import annotations

from alembic import op

from shared.eventstore import postgres as eventstore

revision = "commitments_0005"
down_revision = "commitments_0004"


def upgrade() -> None:
    op.execute(eventstore.LISTENING_SQL)
