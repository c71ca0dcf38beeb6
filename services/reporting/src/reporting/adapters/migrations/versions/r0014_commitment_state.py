"""Each commitment's values as of now, kept by the projections
(``reporting.adapters.commitment_state``): views of today read them instead of
looking every value up. A commitment without a row is looked up as before, so the
table starts empty: new events fill it, and ``./pactstream reporting rebuild`` fills
it for every commitment at once."""

from __future__ import annotations

from alembic import op

revision = "reporting_0014"
down_revision = "reporting_0013"


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE IF NOT EXISTS rm_commitment_state (
            commitment_id    text        PRIMARY KEY,
            plan_id          text        NOT NULL,
            section          text        NOT NULL,
            title            text        NOT NULL,
            title_local      jsonb,
            deadline         jsonb,
            recurrence       jsonb,
            reported_on      date,
            deadline_end     date,
            parties          jsonb       NOT NULL,
            status           text        NOT NULL,
            completion       text,
            -- The latest business date and the latest record (or retraction) among
            -- the commitment's facts: the state holds for a view at or after both.
            horizon          date        NOT NULL,
            recorded_through timestamptz NOT NULL
        )
        """
    )
    op.execute(
        "CREATE INDEX IF NOT EXISTS rm_commitment_state_plan_idx ON rm_commitment_state (plan_id)"
    )
