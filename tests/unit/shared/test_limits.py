import json
import random

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


def test_a_backslash_run_decides_whether_u0000_is_an_escape() -> None:
    # Three backslashes: an escaped backslash, then \u0000 (a NUL).
    assert "NUL" in (json_shape_problem(b'{"s": "\\\\\\u0000"}') or "")
    # Four: two escaped backslashes, then the text u0000.
    assert json_shape_problem(b'{"s": "\\\\\\\\u0000"}') is None


def test_an_unterminated_string_still_counts_its_length() -> None:
    assert "longer than" in (json_shape_problem(b'["' + b"x" * (MAX_STRING + 5)) or "")
    assert json_shape_problem(b'["[[[[') is None  # brackets inside it do not nest


def _one_byte_at_a_time(body: bytes) -> str | None:
    """The obvious scanner, byte by byte: the oracle for the fast one."""
    depth, in_string, escaped, start = 0, False, False, 0
    for i, byte in enumerate(body):
        if in_string:
            if escaped:
                escaped = False
                if byte == 0x75 and body[i + 1 : i + 5] == b"0000":
                    return "nul"
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
                if i - start - 1 > MAX_STRING:
                    return "long"
        elif byte == 0x22:
            in_string, start = True, i
        elif byte in b"[{":
            depth += 1
            if depth > MAX_DEPTH:
                return "deep"
        elif byte in b"]}":
            depth -= 1
    if in_string and len(body) - start - 1 > MAX_STRING:
        return "long"
    return None


def test_the_fast_scanner_agrees_with_the_obvious_one_on_random_bodies() -> None:
    rng = random.Random(20161112)
    alphabet = b'[]{}"\\u00x '
    for _ in range(20_000):
        body = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert (json_shape_problem(body) is None) == (_one_byte_at_a_time(body) is None), body
