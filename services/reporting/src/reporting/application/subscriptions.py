"""Subscriptions' rules: which targets may be pushed to, when to try again, when to
give up. No I/O here but the name resolution, which is passed in."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from reporting.application.errors import InvalidQuery

#: Resolves a host name to its addresses.
Resolve = Callable[[str], Awaitable[Sequence[str]]]
#: The first retry waits this long; each next one twice as long, up to :data:`MAX_BACKOFF`.
FIRST_BACKOFF = timedelta(seconds=1)
MAX_BACKOFF = timedelta(hours=1)


class InvalidTarget(InvalidQuery):
    """A subscription URL that cannot be pushed to (422, naming ``/url``)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, parameter="url")


async def check_target(url: str, allow_private: bool, resolve: Resolve) -> str:
    """The URL if pushes may go there: ``http`` or ``https``, no credentials in it, and
    (unless ``allow_private``) every address it resolves to a public one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InvalidTarget(f"url: the scheme must be http or https, not {parts.scheme!r}")
    if parts.username is not None or parts.password is not None:
        raise InvalidTarget("url: credentials do not belong in the URL; the pushes are signed")
    if not parts.hostname:
        raise InvalidTarget("url: it names no host")
    if allow_private:
        return url
    try:
        addresses = await resolve(parts.hostname)
    except OSError:
        raise InvalidTarget(f"url: the host {parts.hostname!r} does not resolve") from None
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            raise InvalidTarget(
                f"url: {parts.hostname} is a private or loopback address ({address}); "
                "PACTSTREAM_SUBSCRIPTIONS_ALLOW_PRIVATE=true allows those"
            )
    return url


def next_attempt(failures: int, now: datetime) -> datetime:
    """When to try again after ``failures`` failures in a row."""
    wait: timedelta = min(FIRST_BACKOFF * (2 ** min(max(failures - 1, 0), 20)), MAX_BACKOFF)
    later: datetime = now + wait
    return later


def gives_up(first_failure: datetime, now: datetime, give_up_after: timedelta) -> bool:
    return now - first_failure >= give_up_after
