from typing import ClassVar

import pytest

from shared.events import EventData, EventRegistry, UnknownEventType


def test_old_schema_versions_are_upcast_step_by_step_to_the_current_model() -> None:
    registry = EventRegistry()

    @registry.register
    class Renamed(EventData):
        event_type: ClassVar[str] = "org.example.renamed"
        schema_version: ClassVar[int] = 3
        full_name: str
        country: str

    @registry.upcaster("org.example.renamed", 1)
    def v1_to_v2(data: dict[str, object]) -> dict[str, object]:
        return {"full_name": data["name"]}

    @registry.upcaster("org.example.renamed", 2)
    def v2_to_v3(data: dict[str, object]) -> dict[str, object]:
        return {**data, "country": "unknown"}

    event = registry.decode("org.example.renamed", 1, {"name": "Niger"})
    assert event == Renamed(full_name="Niger", country="unknown")
    assert registry.decode("org.example.renamed", 3, {"full_name": "Mali", "country": "ML"})


def test_unknown_types_and_missing_upcasters_are_reported() -> None:
    registry = EventRegistry()

    @registry.register
    class V2(EventData):
        event_type: ClassVar[str] = "org.example.v2"
        schema_version: ClassVar[int] = 2

    with pytest.raises(UnknownEventType):
        registry.decode("org.example.nope", 1, {})
    with pytest.raises(UnknownEventType):
        registry.decode("org.example.v2", 1, {})
    with pytest.raises(UnknownEventType):
        registry.decode("org.example.v2", 3, {})


def test_a_type_name_cannot_be_registered_for_two_models() -> None:
    registry = EventRegistry()

    class A(EventData):
        event_type: ClassVar[str] = "org.example.same"

    class B(EventData):
        event_type: ClassVar[str] = "org.example.same"

    registry.register(A)
    with pytest.raises(ValueError, match="twice"):
        registry.register(B)


def test_published_contracts_have_stable_names() -> None:
    from shared.contracts import registry

    assert {
        "org.pactstream.plan.created",
        "org.pactstream.commitment.made",
        "org.pactstream.commitment.status_changed",
    } <= set(registry.types())


def test_every_payload_model_of_the_contracts_is_listed_and_registered() -> None:
    import inspect

    from shared import contracts
    from shared.events import EventData

    for module in (contracts.access, contracts.commitments, contracts.funding):
        models = {
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, EventData)
            and cls is not EventData
            and cls.__module__ == module.__name__
        }
        assert models == set(module.EVENTS), module.__name__
        assert all(contracts.registry.model(m.event_type) is m for m in models)
    assert len(contracts.registry.types()) == 28
