"""Sources belong to partners: which CloudEvents sources a caller may not post with."""

import asyncio
from collections.abc import Iterable

from shared.access import Credential
from shared.http.auth import KeyAuthenticator, Principal


class Owners:
    """A credential store that only knows who holds which source."""

    def __init__(self, held: dict[str, str]) -> None:
        self.held = held
        self.asked: list[set[str]] = []

    def cached(self, key_digest: str) -> bool:
        return False

    async def find(self, key_digest: str) -> Credential | None:
        return None

    async def owners(self, sources: Iterable[str]) -> dict[str, str]:
        wanted = set(sources)
        self.asked.append(wanted)
        return {s: p for s, p in self.held.items() if s in wanted}


def foreign(store: Owners, principal: Principal, *sources: str) -> dict[str, str]:
    auth = KeyAuthenticator("op", store)
    return asyncio.run(auth.foreign_sources(principal, set(sources)))


def test_a_partner_with_sources_may_post_with_those_only_and_asks_nothing() -> None:
    store = Owners({"/b": "b"})
    a = Principal("a", "partner", sources=frozenset({"/a", "/a/eu"}))
    assert foreign(store, a, "/a", "/a/eu") == {}
    refused = foreign(store, a, "/a", "/b", "/elsewhere")
    assert set(refused) == {"/b", "/elsewhere"}
    assert "not one of this credential's sources (/a, /a/eu)" in refused["/b"]
    assert store.asked == []


def test_a_partner_without_sources_may_use_any_that_no_other_holds() -> None:
    store = Owners({"/b": "b", "/legacy": "legacy"})
    legacy = Principal("legacy", "partner")
    assert foreign(store, legacy, "/legacy", "/free") == {}
    assert foreign(store, legacy, "/b") == {"/b": "source '/b' belongs to another partner"}


def test_operators_post_with_any_source() -> None:
    store = Owners({"/b": "b"})
    assert foreign(store, Principal("operator", "operator"), "/b", "/x") == {}
    assert store.asked == []
