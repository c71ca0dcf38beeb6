from typing import ClassVar

import pytest

from shared.contracts import build_registry
from shared.events import EventData, EventRegistry, UnknownEventType


class Renamed(EventData):
    event_type: ClassVar[str] = "org.example.renamed"
    schema_version: ClassVar[int] = 3
    full_name: str
    country: str


def v1_to_v2(data: dict[str, object]) -> dict[str, object]:
    return {"full_name": data["name"]}


def v2_to_v3(data: dict[str, object]) -> dict[str, object]:
    return {**data, "country": "unknown"}


def test_old_schema_versions_are_upcast_step_by_step_to_the_current_model() -> None:
    upcasters = {("org.example.renamed", 1): v1_to_v2, ("org.example.renamed", 2): v2_to_v3}
    registry = EventRegistry([Renamed], upcasters)

    event = registry.decode("org.example.renamed", 1, {"name": "Niger"})
    assert event == Renamed(full_name="Niger", country="unknown")
    assert registry.decode("org.example.renamed", 3, {"full_name": "Mali", "country": "ML"})


def test_unknown_types_and_missing_upcasters_are_reported() -> None:
    class V2(EventData):
        event_type: ClassVar[str] = "org.example.v2"
        schema_version: ClassVar[int] = 2

    registry = EventRegistry([V2])

    with pytest.raises(UnknownEventType):
        registry.decode("org.example.nope", 1, {})
    with pytest.raises(UnknownEventType):
        registry.decode("org.example.v2", 1, {})
    with pytest.raises(UnknownEventType):
        registry.decode("org.example.v2", 3, {})


def test_a_type_name_cannot_be_registered_for_two_models() -> None:
    class A(EventData):
        event_type: ClassVar[str] = "org.example.same"

    class B(EventData):
        event_type: ClassVar[str] = "org.example.same"

    assert EventRegistry([A, A]).model("org.example.same") is A
    with pytest.raises(ValueError, match="twice"):
        EventRegistry([A, B])


def test_an_upcaster_must_belong_to_a_registered_type() -> None:
    with pytest.raises(ValueError, match="no model"):
        EventRegistry([Renamed], {("org.example.gone", 1): v1_to_v2})


def test_a_built_registry_cannot_be_changed() -> None:
    models: list[type[EventData]] = [Renamed]
    upcasters = {("org.example.renamed", 1): v1_to_v2}
    registry = EventRegistry(models, upcasters)
    models.clear()
    upcasters[("org.example.renamed", 2)] = v2_to_v3

    assert registry.types() == ["org.example.renamed"]
    with pytest.raises(UnknownEventType, match="no upcaster to v3"):
        registry.decode("org.example.renamed", 1, {"name": "Niger"})
    assert not hasattr(registry, "register") and not hasattr(registry, "upcaster")
    with pytest.raises(AttributeError):
        registry._models = {}
    with pytest.raises(TypeError):
        registry._models["org.example.other"] = Renamed


def test_published_contracts_have_stable_names() -> None:
    assert {
        "org.pactstream.plan.created",
        "org.pactstream.commitment.made",
        "org.pactstream.commitment.status_changed",
    } <= set(build_registry().types())


def test_every_payload_model_of_the_contracts_is_listed_and_registered() -> None:
    import inspect

    from shared import contracts

    registry = build_registry()
    modules = (contracts.access, contracts.commitments, contracts.funding)
    for module in modules:
        models = {
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, EventData)
            and cls is not EventData
            and cls.__module__ == module.__name__
        }
        assert models == set(module.EVENTS), module.__name__
        assert all(registry.model(m.event_type) is m for m in models)
    listed = {m.event_type for module in modules for m in module.EVENTS}
    assert set(registry.types()) == listed and len(listed) >= 31


def test_no_module_holds_a_registry_once_imported() -> None:
    """Registries are built by composition roots and handed on, never found through a
    module: importing every module of shared and the services leaves none behind."""
    import importlib
    import pkgutil

    held = []
    for root in ("shared", "commitments", "funding", "reporting"):
        package = importlib.import_module(root)
        for found in pkgutil.walk_packages(package.__path__, f"{root}."):
            module = importlib.import_module(found.name)
            held += [
                f"{found.name}.{name}"
                for name, value in vars(module).items()
                if isinstance(value, EventRegistry)
            ]
    assert held == []
