"""Sources belong to partners: the sources each partner may post with, and inbound
claims keyed by partner as well, so that one partner's event can never make
another's a duplicate. Claims made before keep the partner that made them."""

from __future__ import annotations

from shared import access, inbound
from shared.migrations import execute_script

revision = "funding_0002"
down_revision = "funding_0001"


def upgrade() -> None:
    execute_script(access.SOURCES_SQL)
    execute_script(inbound.PER_PARTNER_SQL)
