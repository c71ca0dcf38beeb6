"""HTML forms posted url-encoded (the pages that post: sign-in, sign-out, setting a
password), read the one way."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request


async def form_fields(request: Request) -> dict[str, str]:
    """Each field's first value; a field left out or blank is absent (read it with
    ``.get(name, "")``)."""
    parsed = parse_qs((await request.body()).decode("utf-8", "replace"))
    return {name: values[0] for name, values in parsed.items()}
