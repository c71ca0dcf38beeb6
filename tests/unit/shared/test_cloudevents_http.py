"""The HTTP modes partners post in, read as the CloudEvents SDK writes them: binary mode
is the same event as its structured form; ``data_base64`` holding JSON is honoured."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from cloudevents.core.bindings.http import HTTPMessage, to_binary_event, to_structured_event
from cloudevents.core.v1.event import CloudEvent

from shared import jsontext
from shared.cloudevents import (
    InvalidCloudEvent,
    StructuredEvent,
    from_binary_http,
    is_json,
    parse_structured,
)

LAUNCHED = base64.b64encode(b"launched").decode()  # Not JSON.
REPORT = {"as_of": "2016-05-01", "completion": "limited", "narrative": "Lancé au Niger"}


def sdk_event(data: Any = None, **attributes: Any) -> CloudEvent:
    return CloudEvent(
        attributes={
            "id": "report-1",
            "source": "/ministère/planning",
            "type": "org.pactstream.commitment.progress_reported",
            "subject": "valletta-2015-pi-2-1",
            "time": datetime(2016, 5, 2, 9, 30, tzinfo=UTC),
            "datacontenttype": "application/json",
            **attributes,
        },
        data=REPORT if data is None else data,
    )


def from_binary(message: HTTPMessage) -> StructuredEvent:
    ctype = message.headers.get("content-type", "")
    return parse_structured(from_binary_http(message.headers.items(), ctype, message.body))


def from_structured(message: HTTPMessage) -> StructuredEvent:
    return parse_structured(jsontext.loads(message.body))


def test_a_binary_event_is_the_same_event_as_its_structured_form() -> None:
    event = sdk_event()
    binary = from_binary(to_binary_event(event))
    assert "ce-source" in to_binary_event(event).headers
    assert binary == from_structured(to_structured_event(event))
    assert binary.source == "/ministère/planning"  # Percent-encoded in its header.
    assert binary.time == datetime(2016, 5, 2, 9, 30, tzinfo=UTC)
    assert binary.data == REPORT


def test_a_json_data_content_type_with_parameters_or_a_json_suffix_is_taken() -> None:
    for ctype in ("application/json; charset=utf-8", "application/vnd.pactstream.report+json"):
        assert is_json(ctype)
        assert from_binary(to_binary_event(sdk_event(datacontenttype=ctype))).data == REPORT
    assert not is_json("text/plain")
    assert not is_json("application/xml")


def test_missing_binary_headers_are_named_with_400() -> None:
    message = to_binary_event(sdk_event())
    headers = {k: v for k, v in message.headers.items() if k not in {"ce-id", "ce-type"}}
    with pytest.raises(InvalidCloudEvent) as caught:
        from_binary_http(headers.items(), "application/json", message.body)
    assert caught.value.status == 400
    assert "ce-id" in caught.value.detail and "ce-type" in caught.value.detail
    assert [e["header"] for e in caught.value.errors] == ["ce-id", "ce-type"]


def test_a_binary_body_that_is_not_json_is_refused() -> None:
    message = to_binary_event(sdk_event())
    with pytest.raises(InvalidCloudEvent) as caught:
        from_binary_http(message.headers.items(), "text/plain", b"launched")
    assert caught.value.status == 415
    assert caught.value.kind == "unsupported-media-type"
    assert "application/json" in caught.value.detail
    with pytest.raises(InvalidCloudEvent) as caught:
        from_binary_http(message.headers.items(), "application/json", b"{not json")
    assert caught.value.status == 400
    assert caught.value.kind == "malformed-json"


def test_data_base64_holding_json_is_honoured() -> None:
    raw = jsontext.dumps_bytes(REPORT)
    message = to_structured_event(sdk_event(data=raw))
    assert "data_base64" in jsontext.loads(message.body)
    assert from_structured(message).data == REPORT


def structured(**fields: Any) -> dict[str, Any]:
    return {"specversion": "1.0", "id": "e", "source": "/s", "type": "t", **fields}


@pytest.mark.parametrize(
    ("fields", "status", "pointer"),
    [
        ({"data_base64": LAUNCHED}, 400, "/data_base64"),
        ({"data_base64": "not base64!"}, 400, "/data_base64"),
        ({"data_base64": "e30=", "data": {}}, 400, "/data_base64"),
        (
            {"data_base64": LAUNCHED, "datacontenttype": "text/plain"},
            415,
            "/datacontenttype",
        ),
        ({"data": "launched", "datacontenttype": "text/plain"}, 415, "/datacontenttype"),
    ],
)
def test_data_that_cannot_be_read_as_json_is_refused_clearly(
    fields: dict[str, Any], status: int, pointer: str
) -> None:
    with pytest.raises(InvalidCloudEvent) as caught:
        parse_structured(structured(**fields))
    assert caught.value.status == status
    assert caught.value.pointer == pointer
    assert caught.value.errors == [{"pointer": pointer, "detail": caught.value.detail}]
