"""Secrets sealed under rotating keys: the first key seals, every key opens."""

import json

import pytest

from shared.contracts import access
from shared.contracts.publications import commitments_publication
from shared.sealing import CannotOpen, Sealer, new_key


def test_a_sealed_secret_opens_with_the_keys_and_holds_none_of_its_bytes() -> None:
    sealer = Sealer([new_key()])
    token = sealer.seal("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0")
    assert "c2VjcmV0" not in token and "whsec_" not in token
    assert sealer.open(token) == "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"
    with pytest.raises(CannotOpen):
        Sealer([new_key()]).open(token)
    with pytest.raises(CannotOpen):
        sealer.open("not a token")


def test_rotation_opens_old_tokens_and_seals_under_the_new_key() -> None:
    old, new = new_key(), new_key()
    before = Sealer([old])
    token = before.seal("whsec_x")
    during = Sealer.from_setting(f"{new}, {old}")
    assert during.open(token) == "whsec_x"
    assert not during.is_current(token)
    resealed = during.seal(during.open(token))
    assert during.is_current(resealed)
    assert Sealer([new]).open(resealed) == "whsec_x"  # The old key can go.


def test_a_key_that_is_not_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 url-safe base64"):
        Sealer(["too-short"])
    with pytest.raises(ValueError, match="at least one"):
        Sealer.from_setting(" , ")


def test_a_plain_secret_stored_earlier_is_published_sealed_and_never_plain() -> None:
    sealer = Sealer([new_key()])
    stored = json.dumps({"partner_id": "p", "secret_id": "s", "secret": "whsec_plain"}).encode()
    route = commitments_publication("x", sealer.seal).route(access.WebhookSecretAdded.event_type, 1)
    assert route is not None and route.transform is not None
    assert (route.topic, route.type) == ("x.access", access.WebhookSecretSealed.event_type)
    published = route.transform(stored)
    assert b"whsec_plain" not in published
    assert sealer.open(json.loads(published)["sealed"]) == "whsec_plain"
    unsealed = commitments_publication("x").route(access.WebhookSecretAdded.event_type, 1)
    assert unsealed is not None and unsealed.transform is not None
    with pytest.raises(RuntimeError, match="sealing keys"):
        unsealed.transform(stored)
