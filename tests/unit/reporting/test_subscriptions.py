"""Subscriptions' rules: targets, backoff, giving up."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from reporting.application.subscriptions import (
    InvalidTarget,
    check_target,
    gives_up,
    next_attempt,
)


def resolving_to(*addresses: str):  # type: ignore[no-untyped-def]
    async def resolve(host: str) -> Sequence[str]:
        return addresses

    return resolve


def check(url: str, *addresses: str, allow: bool = False) -> str:
    return asyncio.run(check_target(url, allow, resolving_to(*addresses)))


def test_a_public_http_or_https_target_without_credentials_is_accepted() -> None:
    assert check("https://hooks.example.org/in", "93.184.216.34") == "https://hooks.example.org/in"
    assert check("http://127.0.0.1:9000/x", allow=True) == "http://127.0.0.1:9000/x"


@pytest.mark.parametrize(
    ("url", "addresses", "reason"),
    [
        ("ftp://hooks.example.org/", ("93.184.216.34",), "scheme"),
        ("https://user:pw@hooks.example.org/", ("93.184.216.34",), "credentials"),
        ("https://hooks.example.org/", ("10.1.2.3",), "private"),
        ("https://hooks.example.org/", ("93.184.216.34", "127.0.0.1"), "private"),
        ("https://[::1]/", ("::1",), "private"),
        ("https:///nohost", (), "no host"),
    ],
)
def test_targets_that_are_not_safe_to_push_to_are_refused(
    url: str, addresses: tuple[str, ...], reason: str
) -> None:
    with pytest.raises(InvalidTarget, match=reason) as refused:
        check(url, *addresses)
    assert refused.value.parameter == "url"


def test_retries_back_off_from_a_second_to_an_hour_and_give_up_after_a_day() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    waits = [next_attempt(n, now) - now for n in (1, 2, 3, 10, 13, 1000)]
    assert waits[:3] == [timedelta(seconds=1), timedelta(seconds=2), timedelta(seconds=4)]
    assert waits[3] == timedelta(seconds=512) and waits[4] == waits[5] == timedelta(hours=1)
    day = timedelta(days=1)
    assert not gives_up(now, now + timedelta(hours=23), day)
    assert gives_up(now, now + day, day)
