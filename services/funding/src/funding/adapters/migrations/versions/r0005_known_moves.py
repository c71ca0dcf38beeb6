"""Where plan revisions moved the commitments funding knows: the latest move of each
(``revision`` orders them), read over the section a commitment was made in. A table of
its own, since a revision and the commitment it moves travel on different partitions of
the commitments topic and may arrive in either order."""

from __future__ import annotations

from alembic import op

revision = "funding_0005"
down_revision = "funding_0004"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE IF NOT EXISTS known_moves (
            commitment_id text PRIMARY KEY,
            section       text NOT NULL,
            revision      integer NOT NULL
        )
        """
    )
