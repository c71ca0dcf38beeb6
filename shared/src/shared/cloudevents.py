"""CloudEvents 1.0: the Kafka binary-mode binding for published events, and the
binary, structured and batch HTTP modes that partners post.

Binary mode keeps the event data as the Kafka value and every attribute in a
``ce_``-prefixed header, so a standard CloudEvents SDK decodes the messages.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote
from uuid import UUID

from shared import jsontext
from shared.events import EventMetadata, JsonObject, StoredEvent

SPEC_VERSION = "1.0"
JSON = "application/json"
Headers = list[tuple[str, bytes]]

# Extension attribute names: lowercase letters and digits only (CloudEvents 1.0 §3.1.1).
EXT_RECORDED = "recordedtime"
EXT_SCHEMA = "schemaversion"
EXT_STREAM_VERSION = "streamversion"
EXT_POSITION = "position"
EXT_PARTNER = "partner"
EXT_CORRELATION = "correlationid"
EXT_CAUSATION = "causationid"
EXT_TRACEPARENT = "traceparent"

_SPEC_VERSION_BYTES = SPEC_VERSION.encode()
_JSON_BYTES = JSON.encode()
_H_RECORDED = f"ce_{EXT_RECORDED}"
_H_SCHEMA = f"ce_{EXT_SCHEMA}"
_H_STREAM_VERSION = f"ce_{EXT_STREAM_VERSION}"
_H_POSITION = f"ce_{EXT_POSITION}"
_H_PARTNER = f"ce_{EXT_PARTNER}"
_H_CORRELATION = f"ce_{EXT_CORRELATION}"
_H_CAUSATION = f"ce_{EXT_CAUSATION}"
_H_TRACEPARENT = f"ce_{EXT_TRACEPARENT}"
_W3C_TRACEPARENT = "traceparent"


def rfc3339(moment: datetime) -> str:
    """UTC with a ``Z`` and always six fractional digits: the form PostgreSQL's
    :data:`RFC3339_SQL` writes too, so every publisher agrees to the byte."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    elif moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")[:-6] + "Z"  # "+00:00" -> "Z"


#: :func:`rfc3339` as a PostgreSQL format for ``to_char(moment AT TIME ZONE 'UTC', ...)``.
RFC3339_SQL = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)  # Python 3.11 reads RFC 3339's "Z" itself.


def kafka_headers(
    *,
    event_id: bytes,
    source: bytes,
    type: bytes,
    time: bytes,
    subject: bytes,
    recorded_time: bytes,
    schema_version: bytes,
    stream_version: bytes,
    position: bytes,
    partner: bytes | None,
    correlation_id: bytes | None,
    causation_id: bytes | None,
    traceparent: bytes | None,
) -> Headers:
    """A published event's headers from its attributes already encoded: the one
    definition of the binary-mode message's headers. The relay passes the bytes it
    reads from PostgreSQL as they are; :func:`to_kafka` encodes an event's fields."""
    headers = [
        ("ce_specversion", _SPEC_VERSION_BYTES),
        ("ce_id", event_id),
        ("ce_source", source),
        ("ce_type", type),
        ("ce_time", time),
        ("ce_subject", subject),
        (_H_RECORDED, recorded_time),
        (_H_SCHEMA, schema_version),
        (_H_STREAM_VERSION, stream_version),
        (_H_POSITION, position),
        ("content-type", _JSON_BYTES),
    ]
    if partner is not None:
        headers.append((_H_PARTNER, partner))
    if correlation_id is not None:
        headers.append((_H_CORRELATION, correlation_id))
    if causation_id is not None:
        headers.append((_H_CAUSATION, causation_id))
    if traceparent is not None:
        # Twice: as the CloudEvents Kafka binding names the extension, and as W3C
        # trace context names it, which OpenTelemetry's Kafka instrumentations read.
        headers.append((_H_TRACEPARENT, traceparent))
        headers.append((_W3C_TRACEPARENT, traceparent))
    return headers


def _encoded(text: str | None) -> bytes | None:
    return None if text is None else text.encode()


def to_kafka(event: StoredEvent, source: str) -> tuple[bytes, bytes, Headers]:
    """Key, value and headers of the Kafka message publishing ``event``.

    The key is the stream id, so every event of one aggregate lands in one partition
    and keeps its order.
    """
    meta = event.metadata
    subject = event.stream_id.encode()
    headers = kafka_headers(
        event_id=str(event.event_id).encode(),
        source=source.encode(),
        type=event.type.encode(),
        time=rfc3339(event.occurred_at).encode(),
        subject=subject,
        recorded_time=rfc3339(event.recorded_at).encode(),
        schema_version=str(event.schema_version).encode(),
        stream_version=str(event.stream_version).encode(),
        position=str(event.position).encode(),
        partner=_encoded(meta.partner),
        correlation_id=_encoded(meta.correlation_id),
        causation_id=_encoded(meta.causation_id),
        traceparent=_encoded(meta.traceparent),
    )
    return subject, jsontext.dumps_bytes(event.data), headers


class MalformedMessage(ValueError):
    """A Kafka message that is not a binary-mode CloudEvent this platform can read."""


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """A published event as a consumer sees it."""

    event_id: UUID
    source: str
    type: str
    subject: str
    occurred_at: datetime
    recorded_at: datetime
    schema_version: int
    stream_version: int
    data: JsonObject
    metadata: EventMetadata
    #: ``data`` as the JSON text it arrived in, for writers that store it as is.
    data_json: str


def type_of(headers: Sequence[tuple[str, bytes]]) -> str | None:
    """A Kafka message's event type from its headers alone, without decoding it."""
    for key, value in headers:
        if key == "ce_type":
            return value.decode("utf-8", "replace")
    return None


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", "replace")


def from_kafka(value: bytes | None, headers: Sequence[tuple[str, bytes]]) -> ReceivedEvent:
    """The event a binary-mode message carries. Each header is decoded only if it is
    read (a message has a dozen; decoding them all was a third of this function, which
    is a fifth of a rebuild's replay)."""
    attrs = dict(headers)
    try:
        if (version := attrs.get("ce_specversion")) != _SPEC_VERSION_BYTES:
            raise MalformedMessage(f"unsupported ce_specversion {_text(version)!r}")
        text = (value or b"null").decode()
        data = jsontext.loads(text)
        if not isinstance(data, dict):
            raise MalformedMessage("event data is not a JSON object")
        get = attrs.get
        return ReceivedEvent(
            event_id=UUID(attrs["ce_id"].decode()),
            source=attrs["ce_source"].decode("utf-8", "replace"),
            type=attrs["ce_type"].decode("utf-8", "replace"),
            subject=attrs["ce_subject"].decode("utf-8", "replace"),
            occurred_at=parse_time(attrs["ce_time"].decode()),
            recorded_at=parse_time(attrs[_H_RECORDED].decode()),
            schema_version=int(get(_H_SCHEMA, b"1")),
            stream_version=int(get(_H_STREAM_VERSION, b"0")),
            data=data,
            metadata=EventMetadata(
                partner=_text(get(_H_PARTNER)),
                correlation_id=_text(get(_H_CORRELATION)),
                causation_id=_text(get(_H_CAUSATION)),
                traceparent=_text(get(_H_TRACEPARENT) or get(_W3C_TRACEPARENT)),
            ),
            data_json=text,
        )
    except MalformedMessage:
        raise
    except (KeyError, ValueError) as exc:
        raise MalformedMessage(f"not a binary-mode CloudEvent: {exc!r}") from exc


@dataclass(frozen=True, slots=True)
class StructuredEvent:
    """A CloudEvent posted by a partner in structured JSON mode."""

    id: str
    source: str
    type: str
    subject: str | None
    time: datetime | None
    data: Any


class InvalidCloudEvent(ValueError):
    """A posted CloudEvent missing a required attribute or with one of the wrong kind:
    422 by default, 400 for an envelope that cannot be read (missing binary-mode
    headers, bad base64), 415 for data that is not JSON."""

    def __init__(
        self,
        detail: str,
        pointer: str = "",
        *,
        status: int = 422,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.pointer = pointer
        self.status = status
        #: The problem type's slug.
        self.kind = {415: "unsupported-media-type"}.get(status, "invalid-cloudevent")
        self.errors = errors if errors is not None else [{"pointer": pointer, "detail": detail}]


#: The data content types taken: JSON, as ``application/json`` or any ``+json`` type.
ACCEPTED_DATA = "application/json or an application/*+json type"


def is_json(content_type: str) -> bool:
    """Whether a (data) content type is JSON: ``application/json`` or ``…/…+json``,
    parameters (``; charset=utf-8``) and case aside."""
    media = content_type.split(";")[0].strip().lower()
    return media == JSON or (media.startswith("application/") and media.endswith("+json"))


def _data(obj: dict[str, Any], pointer: str) -> Any:
    """The event's data: ``data``, or ``data_base64`` decoded when it holds JSON."""
    ctype = obj.get("datacontenttype", JSON)
    if not isinstance(ctype, str) or not is_json(ctype):
        raise InvalidCloudEvent(
            f"datacontenttype {ctype!r} is not taken; data must be {ACCEPTED_DATA}",
            f"{pointer}/datacontenttype",
            status=415,
        )
    if "data_base64" not in obj:
        return obj.get("data")
    if "data" in obj:
        raise InvalidCloudEvent(
            "an event carries data or data_base64, not both", f"{pointer}/data_base64", status=400
        )
    encoded = obj["data_base64"]
    try:
        if not isinstance(encoded, str):
            raise ValueError("not a string")
        raw = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error):
        raise InvalidCloudEvent(
            "data_base64 must be a base64 string", f"{pointer}/data_base64", status=400
        ) from None
    try:
        return jsontext.loads(raw)
    except ValueError:
        raise InvalidCloudEvent(
            f"data_base64 does not decode to JSON, as datacontenttype {ctype!r} says",
            f"{pointer}/data_base64",
            status=400,
        ) from None


def parse_structured(obj: Any, pointer: str = "") -> StructuredEvent:
    """Validate one structured-mode CloudEvent (a decoded JSON object)."""
    if not isinstance(obj, dict):
        raise InvalidCloudEvent("a CloudEvent must be a JSON object", pointer or "/")
    for name in ("specversion", "id", "source", "type"):
        value = obj.get(name)
        if not isinstance(value, str) or not value:
            raise InvalidCloudEvent(f"attribute {name!r} is required", f"{pointer}/{name}")
    if obj["specversion"] != SPEC_VERSION:
        raise InvalidCloudEvent("specversion must be '1.0'", f"{pointer}/specversion")
    subject = obj.get("subject")
    if subject is not None and not isinstance(subject, str):
        raise InvalidCloudEvent("subject must be a string", f"{pointer}/subject")
    time: datetime | None = None
    if obj.get("time") is not None:
        try:
            time = parse_time(str(obj["time"]))
        except ValueError:
            raise InvalidCloudEvent("time must be RFC 3339", f"{pointer}/time") from None
    return StructuredEvent(
        id=obj["id"],
        source=obj["source"],
        type=obj["type"],
        subject=subject,
        time=time,
        data=_data(obj, pointer),
    )


BINARY_REQUIRED = ("specversion", "id", "source", "type")


def from_binary_http(headers: Iterable[tuple[str, str]], content_type: str, body: bytes) -> Any:
    """A binary-mode HTTP request as the structured event it stands for: every
    ``ce-`` header an attribute (percent-decoded, as the HTTP binding writes them), the
    Content-Type its ``datacontenttype`` and the body its ``data``. Validate the result
    with :func:`parse_structured`, as a structured event is."""
    attrs: dict[str, Any] = {
        name[3:].lower(): unquote(value)
        for name, value in headers
        if name.lower().startswith("ce-") and len(name) > 3
    }
    missing = [f"ce-{name}" for name in BINARY_REQUIRED if not attrs.get(name)]
    if missing:
        raise InvalidCloudEvent(
            f"a binary-mode CloudEvent needs the headers {', '.join(missing)}; "
            "one event in the body is sent as application/cloudevents+json",
            status=400,
            errors=[{"in": "header", "header": h, "detail": "required"} for h in missing],
        )
    for name in ("datacontenttype", "data", "data_base64"):
        attrs.pop(name, None)  # Not header attributes: the Content-Type and the body.
    attrs["datacontenttype"] = content_type
    if not is_json(content_type):
        raise InvalidCloudEvent(
            f"Content-Type {content_type or '(none)'!r} is not taken; the body (the event's "
            f"data) must be {ACCEPTED_DATA}",
            status=415,
            errors=[{"in": "header", "header": "content-type", "detail": "not JSON"}],
        )
    try:
        attrs["data"] = jsontext.loads(body) if body.strip() else None
    except ValueError as exc:
        invalid = InvalidCloudEvent(
            f"the body is not valid JSON, as Content-Type {content_type!r} says: {exc}",
            status=400,
            errors=[{"pointer": "", "detail": "not JSON"}],
        )
        invalid.kind = "malformed-json"  # As a structured event's body would be.
        raise invalid from None
    return attrs
