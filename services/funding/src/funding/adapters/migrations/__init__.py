"""The funding schema: the linear, forward-only chain of revisions in ``versions/``,
applied at start-up by :func:`shared.migrations.migrate`."""

from __future__ import annotations

from typing import Final

from shared.migrations import MigrationChain

CHAIN: Final = MigrationChain(__name__)
