"""Plan revisions: each revision's whole section tree from its business date
(``as_of``) on, as recorded (``recorded_at``), and the commitments each moved, so the
progress of a past date groups commitments under the plan as it stood then. Revision 0,
the plan as created, stays in ``rm_plans``."""

from __future__ import annotations

from alembic import op

revision = "reporting_0011"
down_revision = "reporting_0010"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE IF NOT EXISTS rm_plan_revisions (
            plan_id     text        NOT NULL,
            revision    integer     NOT NULL,
            event_id    uuid        NOT NULL,
            as_of       date        NOT NULL,
            reason      text        NOT NULL,
            sections    jsonb       NOT NULL,
            moves       jsonb       NOT NULL DEFAULT '[]',
            recorded_at timestamptz NOT NULL,
            PRIMARY KEY (plan_id, revision)
        )
        """
    )
    op.execute(
        """
        CREATE TABLE IF NOT EXISTS rm_commitment_moves (
            commitment_id text        NOT NULL,
            plan_id       text        NOT NULL,
            revision      integer     NOT NULL,
            section       text        NOT NULL,
            as_of         date        NOT NULL,
            recorded_at   timestamptz NOT NULL,
            PRIMARY KEY (commitment_id, revision)
        )
        """
    )
