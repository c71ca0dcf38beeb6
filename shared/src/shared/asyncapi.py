"""An AsyncAPI 3.0 document generated from the services' publications
(:mod:`shared.contracts.publications`): a channel per topic they publish, a message per
published type and version with its JSON Schema, and the CloudEvents Kafka binding's
headers. Generated, never written by hand, so it describes exactly what the relays
send."""

from __future__ import annotations

from typing import Any

from shared.contracts.publications import PUBLICATIONS
from shared.events import EventData, EventRegistry

HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents 1.0 Kafka protocol binding, binary content mode.",
    "required": [
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_subject",
        "content-type",
    ],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "format": "uuid", "description": "The event id."},
        "ce_source": {"type": "string", "examples": ["/pactstream/commitments"]},
        "ce_type": {"type": "string", "description": "The stable event type name."},
        "ce_time": {
            "type": "string",
            "format": "date-time",
            "description": "Business time: when it happened (occurred_at).",
        },
        "ce_subject": {"type": "string", "description": "The stream id; also the Kafka key."},
        "ce_recordedtime": {
            "type": "string",
            "format": "date-time",
            "description": "Record time: when it was stored.",
        },
        "ce_schemaversion": {"type": "string"},
        "ce_streamversion": {"type": "string"},
        "ce_position": {"type": "string"},
        "ce_partner": {"type": "string", "description": "Who posted it."},
        "ce_correlationid": {"type": "string"},
        "ce_causationid": {"type": "string"},
        "ce_traceparent": {"type": "string", "description": "W3C trace context."},
        "content-type": {"type": "string", "const": "application/json"},
    },
}


def _key(event_type: str) -> str:
    return event_type.removeprefix("org.pactstream.").replace(".", "_")


def _message(model: type[EventData], version: int) -> dict[str, Any]:
    return {
        "name": model.event_type,
        "title": model.__name__,
        "summary": (model.__doc__ or "").strip().split("\n")[0] or model.event_type,
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/CloudEventsKafkaHeaders"},
        "payload": {"$ref": f"#/components/schemas/{_key(model.event_type)}"},
        "bindings": {"kafka": {"key": {"type": "string", "description": "The stream id."}}},
        "x-schema-version": version,
    }


def document(
    registry: EventRegistry, topic_prefix: str = "pactstream", version: str = "0.1.0"
) -> dict[str, Any]:
    """The document of what the publications send, each type's schema from its model
    in ``registry``."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for context, publication_of in PUBLICATIONS.items():
        publication = publication_of(topic_prefix)
        for topic in publication.topics:
            name = topic.name.removeprefix(f"{topic_prefix}.")
            channel_messages = {}
            for event_type, schema_version in publication.published(topic.name):
                model = registry.model(event_type)
                key = _key(event_type)
                schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                for definition_name, definition in schema.pop("$defs", {}).items():
                    schemas.setdefault(definition_name, definition)
                schemas[key] = schema
                messages[key] = _message(model, schema_version)
                channel_messages[key] = {"$ref": f"#/components/messages/{key}"}
            channels[name] = {
                "address": topic.name,
                "description": f"{topic.description} Published by the {context} service, "
                "keyed by stream id, unlimited retention.",
                "messages": channel_messages,
                "bindings": {"kafka": {"topic": topic.name, "partitions": 6}},
                "x-internal": topic.internal,
            }
            operations[f"publish_{name}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{name}"},
                "summary": f"The {context} service's outbox relay publishes here.",
            }
    schemas["CloudEventsKafkaHeaders"] = HEADERS
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Pactstream events",
            "version": version,
            "description": "Events published by Pactstream's services on Kafka, as "
            "CloudEvents 1.0 in binary mode.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
