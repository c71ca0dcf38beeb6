"""``jsonb``'s binary form, as the pools' codec writes and reads it."""

from __future__ import annotations

import pytest

from shared import jsontext


def test_a_value_is_encoded_after_the_version_byte() -> None:
    assert jsontext.dumps_jsonb({"a": [1, "x"]}) == b'\x01{"a":[1,"x"]}'
    assert jsontext.dumps_jsonb("text") == b'\x01"text"', "a string is a JSON string"


def test_raw_text_goes_as_it_is() -> None:
    assert jsontext.dumps_jsonb(jsontext.Raw('{"b": 2}')) == b'\x01{"b": 2}'


def test_the_binary_form_decodes_back() -> None:
    assert jsontext.loads_jsonb(b'\x01{"a": [1, "x"]}') == {"a": [1, "x"]}


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match="version"):
        jsontext.loads_jsonb(b'\x02{"a": 1}')
