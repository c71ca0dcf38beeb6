"""An index on idempotency keys' age: expired keys are deleted in bounded batches by
a worker (``shared.http.idempotency.KeyExpiry``) that finds them by range, instead of
a scan of the whole table after every keyed request.

Built in the revision's transaction, under the migration lock: a plain CREATE INDEX
blocks writes to this one table while it runs, which is short (it holds a day of
keys at most), and it is safe when several replicas start together, which
``CONCURRENTLY`` is not."""

from __future__ import annotations

from alembic import op

revision = "reporting_0009"
down_revision = "reporting_0008"


def upgrade() -> None:
    op.execute(
        "CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON idempotency_keys (created_at)"
    )
