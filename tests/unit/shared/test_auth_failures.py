"""Failing authentication is cheap and limited: a client address spends a budget of
failures, then gets 429 with Retry-After before any key lookup; valid keys found a
moment ago pass whatever their address has spent."""

import asyncio

import pytest

from shared.access import Credential, Scope
from shared.http.auth import FailureLimit, KeyAuthenticator, key_digest
from shared.http.problems import Problem


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Store:
    """Knows one key; counts lookups; 'caches' a key once it was found."""

    def __init__(self, key: str) -> None:
        self.digest = key_digest(key)
        self.lookups = 0
        self.found: set[str] = set()

    def cached(self, digest: str) -> bool:
        return digest in self.found

    async def find(self, digest: str) -> Credential | None:
        self.lookups += 1
        if digest != self.digest:
            return None
        self.found.add(digest)
        return Credential("p1", "Partner", "partner", Scope.everything())

    async def owners(self, sources: object) -> dict[str, str]:
        return {}


def refused(auth: KeyAuthenticator, key: str, client: str) -> Problem:
    with pytest.raises(Problem) as raised:
        asyncio.run(auth.authenticate(key, client))
    return raised.value


def test_an_address_that_failed_too_often_is_refused_429_without_a_lookup() -> None:
    clock, store = Clock(), Store("good")
    auth = KeyAuthenticator("op", store, FailureLimit(3, 0.5, clock))
    assert [refused(auth, f"made-up-{n}", "10.0.0.1").status for n in range(3)] == [401] * 3
    limited = refused(auth, "made-up-4", "10.0.0.1")
    assert limited.status == 429 and limited.headers["Retry-After"] == "2"
    assert store.lookups == 3
    assert refused(auth, "made-up-5", "10.0.0.2").status == 401  # Another address.
    clock.now += 2  # One failure back.
    assert refused(auth, "made-up-6", "10.0.0.1").status == 401
    assert refused(auth, "made-up-7", "10.0.0.1").status == 429


def test_a_valid_key_is_not_charged_and_passes_once_known() -> None:
    clock, store = Clock(), Store("good")
    auth = KeyAuthenticator("op", store, FailureLimit(1, 0.1, clock))
    assert asyncio.run(auth.authenticate("good", "10.0.0.1")).id == "p1"
    assert refused(auth, "bad", "10.0.0.1").status == 401
    assert refused(auth, "bad", "10.0.0.1").status == 429
    assert asyncio.run(auth.authenticate("good", "10.0.0.1")).id == "p1"  # Known a moment ago.
    assert auth.knows("good") and not auth.knows("bad")


def test_the_operator_and_a_limit_of_zero_are_never_limited() -> None:
    store = Store("good")
    auth = KeyAuthenticator("op", store, FailureLimit(5, 0))
    assert all(refused(auth, f"x{n}", "10.0.0.1").status == 401 for n in range(20))
    limited = KeyAuthenticator("op", store, FailureLimit(0, 1.0, Clock()))
    assert refused(limited, "x", "10.0.0.1").status == 401  # The first failure is heard.
    assert asyncio.run(limited.authenticate("op", "10.0.0.1")).role == "operator"


def test_ipv6_failures_are_charged_to_the_64_they_come_from() -> None:
    clock, store = Clock(), Store("good")
    auth = KeyAuthenticator("op", store, FailureLimit(2, 0.1, clock))
    assert refused(auth, "a", "2001:db8:1:2::1").status == 401
    assert refused(auth, "b", "2001:db8:1:2::ffff").status == 401
    assert refused(auth, "c", "2001:db8:1:2:abcd::9").status == 429
    assert refused(auth, "d", "2001:db8:1:3::1").status == 401  # Another /64.
