"""Every service's migration chain is linear and forward-only, names its revisions
after its service, and ends at the head the start-up check reads from the revision
files' source: the one Alembic finds."""

from __future__ import annotations

import pytest

from commitments.adapters.migrations import CHAIN as COMMITMENTS
from funding.adapters.migrations import CHAIN as FUNDING
from reporting.adapters.migrations import CHAIN as REPORTING
from shared.migrations import MigrationChain


@pytest.mark.parametrize("chain", [COMMITMENTS, FUNDING, REPORTING], ids=lambda c: c.package)
def test_a_chain_is_linear_forward_only_and_ends_at_the_head_alembic_finds(
    chain: MigrationChain,
) -> None:
    script = chain.script()
    first_to_last = list(reversed(list(script.walk_revisions())))
    ids = [r.revision for r in first_to_last]
    assert [r.down_revision for r in first_to_last] == [None, *ids[:-1]]
    assert chain.head() == script.get_current_head() == ids[-1]
    assert [r.id for r in chain.revisions()] == ids
    service = chain.package.split(".")[0]
    for revision in first_to_last:
        # Unique across chains: one chain run on another's database finds nothing it knows.
        assert revision.revision.startswith(f"{service}_")
        assert not hasattr(revision.module, "downgrade"), "migrations are forward-only"
