"""Every published event type that reporting reports on has its projection, and the
projection reads events with the registry its composition root gives it."""

from __future__ import annotations

import pytest

from reporting.adapters.projections import PROJECTIONS, projection
from reporting.web import terms
from shared import access
from shared.contracts import build_registry, commitments
from shared.contracts.commitments import PlanCreated
from shared.events import EventRegistry, UnknownEventType
from tests.received import OLD, Recording, received, renaming


def test_every_published_commitments_and_funding_type_has_a_projection() -> None:
    registry = build_registry()
    reported = [t for t in registry.types() if not t.startswith(access.EVENT_TYPE_PREFIX)]
    assert len(reported) >= 17
    missing = [t for t in reported if registry.model(t) not in PROJECTIONS]
    assert missing == []


def test_every_reported_type_has_a_name_on_the_pages_and_a_plan_its_changes_list_under() -> None:
    """The timeline and the changes page name an event by ``web/terms.py`` (in French
    through the catalogue, which ``test_catalogues`` keeps complete); the plan's history
    and changes find a commitment event by its ``plan_id``."""
    registry = build_registry()
    reported = [t for t in registry.types() if not t.startswith(access.EVENT_TYPE_PREFIX)]
    unnamed = [t for t in reported if t.rsplit(".", 1)[-1] not in terms.EVENTS]
    assert unnamed == [], "add each type's English name to EVENTS in web/terms.py"
    planless = [m.event_type for m in commitments.EVENTS if "plan_id" not in m.model_fields]
    assert planless == [], "a commitment event carries the plan_id it is listed under"


def test_no_projection_is_registered_for_a_type_outside_the_contracts() -> None:
    registry = build_registry()
    published = {registry.model(t) for t in registry.types()}
    assert set(PROJECTIONS) <= published


async def test_both_paths_of_the_projection_decode_with_the_registry_given() -> None:
    old = {"plan": "p1", "code": "VAP", "title": "Plan", "language": "en"}
    event = received(PlanCreated.event_type, old, OLD)
    renamed = projection(renaming(PlanCreated, "plan", "plan_id"))
    assert renamed.bulk is not None
    one, many = Recording(), Recording()
    await renamed.handler(one, event)  # type: ignore[arg-type]
    await renamed.bulk(many, [event])  # type: ignore[arg-type]
    for conn in (one, many):
        timeline, plan = conn.statements
        assert timeline[0].startswith("INSERT INTO rm_timeline") and timeline[1][4] == ["p1"]
        assert plan[0].startswith("INSERT INTO rm_plans") and plan[1][:2] == ("p1", "VAP")
    conn = Recording()
    await projection(EventRegistry([])).handler(conn, event)  # type: ignore[arg-type]
    assert conn.statements == []  # A type from a newer publisher stays on the topic.
    with pytest.raises(UnknownEventType):
        await projection(build_registry()).handler(conn, event)  # type: ignore[arg-type]
