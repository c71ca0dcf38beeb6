"""The AsyncAPI document covers every published event type and its schemas hold; they
come from the registry it is given."""

import json
from datetime import date
from typing import Any, ClassVar

import jsonschema
import pytest

from shared import asyncapi
from shared.contracts import access, build_registry, commitments, funding
from shared.contracts.access import WebhookSecretAdded
from shared.contracts.commitments import CommitmentMade, PartyData
from shared.contracts.common import DeadlineData
from shared.events import EventRegistry, UnknownEventType


def resolve(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


def test_every_published_type_has_one_message_on_its_topic() -> None:
    registry = build_registry()
    doc = asyncapi.document(registry)
    assert doc["asyncapi"] == "3.0.0"
    assert doc["channels"]["commitments"]["address"] == "pactstream.commitments"
    assert doc["channels"]["funding"]["address"] == "pactstream.funding"
    names = [m["name"] for m in doc["components"]["messages"].values()]
    # Every contract type but the plain webhook secret of older releases, which is
    # published sealed.
    assert sorted(names) == [t for t in registry.types() if t != WebhookSecretAdded.event_type]
    assert '"secret"' not in json.dumps(
        doc["components"]["schemas"]["access_webhook_secret_sealed"]
    )
    on = {
        name: {m["$ref"].rsplit("/", 1)[1] for m in channel["messages"].values()}
        for name, channel in doc["channels"].items()
    }
    assert on["access"] == {
        "access_partner_registered",
        "access_key_issued",
        "access_key_retired",
        "access_partner_revoked",
        "access_webhook_secret_sealed",
        "access_webhook_secret_removed",
        "access_person_invited",
        "access_person_password_set",
        "access_person_revoked",
    }
    assert doc["channels"]["access"]["x-internal"] is True
    assert not any(key.startswith("access_") for key in on["commitments"] | on["funding"])
    assert "commitment_made" in on["commitments"]
    for ref in refs(doc):
        assert resolve(doc, ref) is not None, ref


def test_a_real_event_validates_against_its_generated_schema() -> None:
    doc = asyncapi.document(build_registry())
    event = CommitmentMade(
        commitment_id="c",
        plan_id="p",
        code="PI-1.1",
        section="1",
        title="Launch",
        parties=(PartyData(name="EU", role="responsible"),),
        deadline=DeadlineData(
            label="by end 2016", start=date(2016, 12, 31), end=date(2016, 12, 31)
        ),
        made_on=date(2015, 11, 12),
    )
    schema = {**doc["components"]["schemas"]["commitment_made"], "components": doc["components"]}
    jsonschema.validate(event.model_dump(mode="json"), schema)
    bad = {**event.model_dump(mode="json"), "parties": [{"name": "EU", "role": "owner"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_the_committed_document_is_the_generated_one() -> None:
    import json
    from pathlib import Path

    written = Path(__file__).resolve().parents[3] / "docs" / "asyncapi.json"
    assert json.loads(written.read_text()) == asyncapi.document(build_registry()), (
        "docs/asyncapi.json is stale: run ./pactstream docs"
    )


class Noted(CommitmentMade):
    """A commitment made, with a note."""

    event_type: ClassVar[str] = CommitmentMade.event_type
    note: str


def test_the_schemas_are_those_of_the_registry_given() -> None:
    published = [*commitments.EVENTS, *funding.EVENTS, *access.EVENTS]
    noted = EventRegistry(Noted if m is CommitmentMade else m for m in published)
    doc = asyncapi.document(noted)
    assert doc["components"]["messages"]["commitment_made"]["title"] == "Noted"
    assert "note" in doc["components"]["schemas"]["commitment_made"]["properties"]
    plain = asyncapi.document(build_registry())["components"]["schemas"]["commitment_made"]
    assert "note" not in plain["properties"]
    without = EventRegistry(m for m in published if m is not CommitmentMade)
    with pytest.raises(UnknownEventType, match=r"commitment\.made"):
        asyncapi.document(without)
