"""Every published event type that reporting reports on has its projection."""

from __future__ import annotations

from reporting.adapters.projections import PROJECTIONS
from shared import access
from shared.contracts import registry


def test_every_published_commitments_and_funding_type_has_a_projection() -> None:
    reported = [t for t in registry.types() if not t.startswith(access.EVENT_TYPE_PREFIX)]
    assert len(reported) >= 17
    missing = [t for t in reported if registry.model(t) not in PROJECTIONS]
    assert missing == []


def test_no_projection_is_registered_for_a_type_outside_the_contracts() -> None:
    published = {registry.model(t) for t in registry.types()}
    assert set(PROJECTIONS) <= published
