"""Every stored event type is classified by exactly one service's publication, and a
publication routes, hides and refuses as it says."""

import pytest

from shared.contracts import access, build_registry
from shared.contracts.publications import PUBLICATIONS
from shared.publication import Publication, Route, Topic, Unclassified


def test_every_contract_type_and_version_is_published_by_exactly_one_service() -> None:
    publications = [of("pactstream") for of in PUBLICATIONS.values()]
    registry = build_registry()
    for event_type in registry.types():
        model = registry.model(event_type)
        for version in range(1, model.schema_version + 1):
            routed = [p for p in publications if (event_type, version) in p.routes]
            assert len(routed) == 1, (event_type, version)


def test_credentials_go_to_the_internal_access_topic_and_nothing_else_does() -> None:
    commitments = PUBLICATIONS["commitments"]("x")
    for model in access.EVENTS:
        route = commitments.route(model.event_type, model.schema_version)
        assert route is not None and route.topic == "x.access"
    others = [
        r
        for key, r in commitments.routes.items()
        if not key[0].startswith("org.pactstream.access.")
    ]
    assert others and all(r.topic == "x.commitments" for r in others)
    assert commitments.fill == {"x.access"}
    assert [t.internal for t in commitments.topics] == [False, True]


def test_a_route_maps_the_stored_type_and_version_to_the_published_ones() -> None:
    renamed = Route("t", "org.example.old_name", 1)
    publication = Publication(
        (Topic("t", "t"),),
        {("org.example.new_name", 3): renamed},
        internal=frozenset({"org.example.private"}),
    )
    assert publication.route("org.example.new_name", 3) == renamed
    assert publication.route("org.example.private", 1) is None
    with pytest.raises(Unclassified, match="new_name"):
        publication.route("org.example.new_name", 4)  # A version nobody mapped.
    assert publication.published("t") == [("org.example.old_name", 1)]
