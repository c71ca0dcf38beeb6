from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary_event

from shared import cloudevents
from shared.events import EventMetadata, StoredEvent


def stored() -> StoredEvent:
    return StoredEvent(
        position=42,
        stream_id="commitment-abc",
        stream_version=3,
        event_id=uuid4(),
        type="org.pactstream.commitment.made",
        schema_version=1,
        data={"title": "Réduire le coût des transferts à moins de 3 %", "amount": "600000.00"},
        metadata=EventMetadata(partner="ministry", correlation_id="corr-1"),
        occurred_at=datetime(2016, 12, 31, tzinfo=UTC),
        recorded_at=datetime(2017, 1, 5, 9, 30, tzinfo=UTC),
    )


def test_published_messages_decode_with_the_cloudevents_sdk_kafka_binding() -> None:
    event = stored()
    key, value, headers = cloudevents.to_kafka(event, "/pactstream/commitments")
    decoded = from_binary_event(KafkaMessage(headers=dict(headers), key=key, value=value))
    assert decoded.get_id() == str(event.event_id)
    assert decoded.get_type() == event.type
    assert decoded.get_source() == "/pactstream/commitments"
    assert decoded.get_subject() == "commitment-abc"
    assert decoded.get_specversion() == "1.0"
    assert decoded.get_time() == event.occurred_at
    assert decoded.get_datacontenttype() == "application/json"
    assert decoded.get_extension("partner") == "ministry"
    assert decoded.get_extension("streamversion") == "3"
    assert decoded.get_data() == event.data
    assert key == b"commitment-abc"


def test_a_published_event_reads_back_with_both_times_and_provenance() -> None:
    event = stored()
    _, value, headers = cloudevents.to_kafka(event, "/pactstream/commitments")
    received = cloudevents.from_kafka(value, headers)
    assert received.event_id == event.event_id
    assert received.occurred_at == event.occurred_at
    assert received.recorded_at == event.recorded_at
    assert received.stream_version == 3
    assert received.metadata == event.metadata
    assert received.data == event.data


@pytest.mark.parametrize(
    ("value", "headers"),
    [
        (b"{}", []),
        (b"not json", [("ce_specversion", b"1.0"), ("ce_id", b"x")]),
        (b"[1]", [("ce_specversion", b"1.0")]),
    ],
)
def test_a_message_that_is_not_a_binary_cloudevent_is_malformed(
    value: bytes, headers: list[tuple[str, bytes]]
) -> None:
    with pytest.raises(cloudevents.MalformedMessage):
        cloudevents.from_kafka(value, headers)


def test_a_structured_cloudevent_needs_its_required_attributes() -> None:
    with pytest.raises(cloudevents.InvalidCloudEvent) as raised:
        cloudevents.parse_structured({"specversion": "1.0", "id": "1", "type": "t"})
    assert raised.value.pointer == "/source"
    parsed = cloudevents.parse_structured(
        {
            "specversion": "1.0",
            "id": "1",
            "source": "s",
            "type": "t",
            "subject": "c",
            "time": "2016-01-01T00:00:00Z",
            "data": {"a": 1},
        }
    )
    assert parsed.subject == "c" and parsed.data == {"a": 1}


def test_times_go_out_in_utc_with_z_and_read_back_equal() -> None:
    from datetime import timedelta, timezone

    from shared.cloudevents import parse_time, rfc3339

    paris = timezone(timedelta(hours=2))
    cases = {
        datetime(2016, 6, 30, 12, 0): "2016-06-30T12:00:00.000000Z",  # naive: taken as UTC
        datetime(2016, 6, 30, 12, 0, tzinfo=UTC): "2016-06-30T12:00:00.000000Z",
        datetime(2016, 6, 30, 14, 0, 0, 5, tzinfo=paris): "2016-06-30T12:00:00.000005Z",
    }
    for moment, text in cases.items():
        assert rfc3339(moment) == text
        assert parse_time(text) == (moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def test_a_traced_event_carries_w3c_traceparent_for_opentelemetry_consumers() -> None:
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    event = replace(stored(), metadata=EventMetadata(partner="ministry", traceparent=parent))
    _, value, headers = cloudevents.to_kafka(event, "/pactstream/commitments")
    assert dict(headers)["traceparent"] == dict(headers)["ce_traceparent"] == parent.encode()
    only_w3c = [(k, v) for k, v in headers if k != "ce_traceparent"]
    assert cloudevents.from_kafka(value, only_w3c).metadata.traceparent == parent
