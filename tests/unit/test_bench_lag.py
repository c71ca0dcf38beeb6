"""The relay-lag probe's arithmetic: a message's lag from the record time it carries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pactstream_bench.lag import lag_ms
from shared.cloudevents import rfc3339


def test_lag_is_the_time_from_the_record_time_header_to_receipt() -> None:
    recorded = datetime(2026, 12, 4, 12, 0, 0, 250_000, tzinfo=UTC)
    header = rfc3339(recorded).encode()
    assert lag_ms(header, recorded.timestamp() + 0.0375) == pytest.approx(37.5, abs=0.01)


def test_a_header_that_is_not_a_time_gives_no_sample() -> None:
    assert lag_ms(b"yesterday", 0.0) is None
