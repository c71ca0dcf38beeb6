"""JSON shape bounds checked before any handler parses a body (see ``shared.http.asgi``
for the middlewares that apply them)."""

from __future__ import annotations

from typing import Final

MAX_DEPTH: Final = 32
MAX_STRING: Final = 65_536


def json_shape_problem(body: bytes) -> str | None:
    """Why ``body`` is too deep or holds too long a string, else ``None``. Scans the
    text once, without building anything, so a hostile body costs little."""
    depth = 0
    in_string = escaped = False
    string_start = 0
    for i, byte in enumerate(body):
        if in_string:
            if escaped:
                escaped = False
                if byte == 0x75 and body[i + 1 : i + 5] == b"0000":  # \u0000
                    return "strings may not contain NUL characters (\\u0000)"
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
                if i - string_start > MAX_STRING:
                    return f"a string is longer than {MAX_STRING} bytes"
            continue
        if byte == 0x22:
            in_string, string_start = True, i
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_DEPTH:
                return f"the JSON nests deeper than {MAX_DEPTH} levels"
        elif byte in (0x5D, 0x7D):
            depth -= 1
    if in_string and len(body) - string_start > MAX_STRING:
        return f"a string is longer than {MAX_STRING} bytes"
    return None
