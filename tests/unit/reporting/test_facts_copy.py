"""A fact's ``jsonb`` text must come as ``jsontext.Raw`` to be copied: the pools' codec
would store a plain string as a JSON string, where the insert stores the value."""

from __future__ import annotations

from typing import Any

import pytest

from reporting.adapters.facts import facts_table, json_column
from shared import jsontext
from tests.received import received


def _table(value: Any) -> Any:
    return facts_table("t", {"event_id": "uuid", "doc": "jsonb"}, lambda e, d: (e.event_id, value))


async def test_plain_text_for_a_jsonb_column_is_refused_before_anything_is_copied() -> None:
    event = received("org.pactstream.test.happened", {})
    with pytest.raises(TypeError, match=r"jsontext\.Raw"):
        await _table('{"a": 1}').copy(None, [(event, None)])  # type: ignore[arg-type]


def test_json_column_gives_raw_text() -> None:
    assert type(json_column({"a": 1})) is jsontext.Raw
    assert json_column(None) is None
