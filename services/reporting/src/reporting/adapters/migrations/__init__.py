"""Reporting's schema: the linear, forward-only chain of revisions in ``versions/``,
applied at start-up by :func:`shared.migrations.migrate`, and by a rebuild to its
shadow schema, so that rebuilt read models have the live ones' schema."""

from __future__ import annotations

from typing import Final

from shared.migrations import MigrationChain

CHAIN: Final = MigrationChain(__name__)
