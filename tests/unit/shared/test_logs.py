import json
import logging

from shared import logs


def test_a_log_line_is_one_json_object_with_its_request_context() -> None:
    formatter = logs.JsonFormatter("commitments")
    logs.request_id.set("req-1")
    logs.partner.set("ministry-of-planning")
    logs.stream_id.set("commitment-c1")
    logs.trace_id.set(logs.trace_of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "disbursed %s", ("0.30",), None)
    line = json.loads(formatter.format(record))
    assert line["message"] == "disbursed 0.30"
    assert line["level"] == "warning" and line["service"] == "commitments"
    assert line["request_id"] == "req-1"
    assert line["partner"] == "ministry-of-planning"
    assert line["stream_id"] == "commitment-c1"
    assert line["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_a_malformed_traceparent_has_no_trace_id() -> None:
    assert logs.trace_of("garbage") is None
    assert logs.trace_of(None) is None
