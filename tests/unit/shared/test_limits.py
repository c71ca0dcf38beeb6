import json

from shared.http.limits import MAX_DEPTH, MAX_STRING, json_shape_problem


def test_ordinary_json_passes() -> None:
    body = json.dumps({"a": [1, {"b": "x" * 1000, "c": '"quoted" [not nesting] {'}]}).encode()
    assert json_shape_problem(body) is None


def test_nesting_beyond_the_bound_is_named() -> None:
    ok = ("[" * MAX_DEPTH + "]" * MAX_DEPTH).encode()
    deep = ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)).encode()
    assert json_shape_problem(ok) is None
    assert "nests deeper" in (json_shape_problem(deep) or "")


def test_brackets_inside_strings_do_not_count_and_long_strings_are_named() -> None:
    inside = json.dumps({"s": "[" * 100}).encode()
    assert json_shape_problem(inside) is None
    long = json.dumps({"s": "é" * (MAX_STRING // 2 + 10)}).encode()
    assert "longer than" in (json_shape_problem(long) or "")


def test_nul_characters_are_refused_but_an_escaped_backslash_is_not_one() -> None:
    assert "NUL" in (json_shape_problem(json.dumps({"s": "a\x00b"}).encode()) or "")
    assert json_shape_problem(json.dumps({"s": "a\\u0000b"}).encode()) is None
