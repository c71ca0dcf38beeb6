"""The commitments' kept state refreshed apart from the poll that changes it
(``reporting.adapters.commitment_state``): a poll marks the rows of what it changed
stale (``fresh`` false, ``generation`` one more), creating a row without values for a
commitment that has none, and a worker refreshes stale rows later, each only if its
generation is still the one the worker read. Views trust fresh rows only.

A replica of the release before, still projecting during a rolling update, would
refresh a row in place without a new generation, and a worker of this release could
then write over it what it read before; so views stop trusting the rows here, until
``./pactstream reporting rebuild`` fills them again once every replica runs this
release (a database without commitments trusts them from the start, as before)."""

from __future__ import annotations

from alembic import op

revision = "reporting_0015"
down_revision = "reporting_0014"

_VALUES = ("section", "title", "parties", "status", "horizon", "recorded_through")


def upgrade() -> None:
    op.execute(
        "ALTER TABLE rm_commitment_state "
        "ADD COLUMN IF NOT EXISTS generation bigint NOT NULL DEFAULT 0, "
        "ADD COLUMN IF NOT EXISTS fresh boolean NOT NULL DEFAULT true, "
        + ", ".join(f"ALTER COLUMN {c} DROP NOT NULL" for c in _VALUES)
    )
    op.execute(
        "CREATE INDEX IF NOT EXISTS rm_commitment_state_stale_idx "
        "ON rm_commitment_state (commitment_id) WHERE NOT fresh"
    )
    op.execute("DELETE FROM rm_commitment_state_kept WHERE EXISTS (SELECT FROM rm_commitments)")
