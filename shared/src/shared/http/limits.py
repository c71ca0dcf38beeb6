"""JSON shape bounds checked before any handler parses a body (see ``shared.http.asgi``
for the middlewares that apply them)."""

from __future__ import annotations

import re
from typing import Final

MAX_DEPTH: Final = 32
MAX_STRING: Final = 65_536

#: A JSON string, escapes included, its content the group; the closing quote is
#: optional so that an unterminated string runs to the end of the body.
_STRING: Final = re.compile(rb'"([^"\\]*(?:\\.[^"\\]*)*)"?', re.DOTALL)
#: ``\u0000`` preceded by an even number of backslashes (an odd one escapes the first).
_NUL: Final = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_NOT_BRACKETS: Final = bytes(sorted(set(range(256)) - set(b"[]{}")))


def json_shape_problem(body: bytes) -> str | None:
    """Why ``body`` is too deep or holds too long a string or a NUL, else ``None``.

    A hostile body costs little and an ordinary one less: C code (``bytes.split`` or
    the regular expression engine, then ``bytes.translate``) walks the bytes, and
    Python looks only at the brackets outside strings."""
    strings, rest = _split_strings(body)
    if len(body) > MAX_STRING and any(len(s) > MAX_STRING for s in strings):
        return f"a string is longer than {MAX_STRING} bytes"
    if b"\\u0000" in body and any(_NUL.search(s) for s in strings):
        return "strings may not contain NUL characters (\\u0000)"
    depth = 0
    for bracket in rest.translate(None, _NOT_BRACKETS):
        if bracket in b"[{":
            depth += 1
            if depth > MAX_DEPTH:
                return f"the JSON nests deeper than {MAX_DEPTH} levels"
        else:
            depth -= 1
    return None


def _split_strings(body: bytes) -> tuple[list[bytes], bytes]:
    """The strings' contents, and the body without them."""
    if b"\\" not in body:  # No escapes (the usual case): every quote opens or closes.
        parts = body.split(b'"')
        return parts[1::2], b"".join(parts[0::2])
    return _STRING.findall(body), _STRING.sub(b"", body)
