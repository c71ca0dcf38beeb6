"""Each commitment's values as of now, kept by the projections
(``reporting.adapters.commitment_state``): views of today read them instead of
looking every value up.

Views use the rows only once ``rm_commitment_state_kept`` says every commitment's row
is kept. On a database without commitments yet, that is from the start. On one that
has some, it is once ``./pactstream reporting rebuild`` has filled the rows after the
release is rolled out everywhere: a replica of the release before, still projecting
during a rolling update, would change a commitment's facts without its row, and
until every row is filled by the new release views look every value up, as before."""

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
    op.execute(
        "CREATE TABLE IF NOT EXISTS rm_commitment_state_kept "
        "(kept boolean PRIMARY KEY DEFAULT true CHECK (kept))"
    )
    op.execute(
        "INSERT INTO rm_commitment_state_kept SELECT "
        "WHERE NOT EXISTS (SELECT FROM rm_commitments) ON CONFLICT DO NOTHING"
    )
