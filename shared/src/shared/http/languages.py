"""The languages a caller reads, from ``Accept-Language``: the text a partner gave in
several languages (``shared.contracts.common.LocalText``) answers in the best of them,
else in the first language given (``shared.contracts.common.text_in``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Response


def _quality(text: str) -> float | None:
    try:
        q = float(text)
    except ValueError:
        return None
    return q if 0 <= q <= 1 else None


def accepted(header: str | None) -> list[str]:
    """The language ranges of an ``Accept-Language`` header, most wanted first: by
    q-value (1 when absent), ties in the header's order; ranges with ``q=0`` (not
    wanted) or a malformed q-value are left out."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, *params = (p.strip() for p in part.split(";"))
        if not tag:
            continue
        q: float | None = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                q = _quality(value.strip())
        if q:
            ranked.append((-q, index, tag))
    return [tag for _, _, tag in sorted(ranked)]


async def _languages(
    response: Response,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> tuple[str, ...]:
    """The caller's languages; the answer then differs by ``Accept-Language``."""
    response.headers["Vary"] = "Accept-Language"
    return tuple(accepted(accept_language))


#: The caller's languages, most wanted first (empty without ``Accept-Language``: text
#: given in several languages then answers in the first given).
Languages = Annotated[tuple[str, ...], Depends(_languages)]
