"""Every credential event that reaches the services changes their credential tables:
a new one without statements would be honoured nowhere, silently. The consumer's
handler reads events with the registry its composition root gives it."""

import pytest

from shared import access
from shared.contracts import access as contract
from shared.contracts import build_registry
from shared.events import EventRegistry, UnknownEventType
from tests.received import OLD, Recording, received, renaming


def test_every_published_credential_event_has_its_statements() -> None:
    applied = set(access._STATEMENTS)
    assert applied == set(contract.EVENTS) - {contract.WebhookSecretAdded}


async def test_honour_decodes_with_the_registry_it_is_given() -> None:
    event = received(contract.PartnerRevoked.event_type, {"partner": "p1"}, OLD)
    conn = Recording()
    await access.honour(EventRegistry([]), conn, event)  # type: ignore[arg-type]
    assert conn.statements == []  # A type it does not know stays on the topic.
    with pytest.raises(UnknownEventType):  # The contracts' registry reads no older shape.
        await access.honour(build_registry(), conn, event)  # type: ignore[arg-type]
    registry = renaming(contract.PartnerRevoked, "partner", "partner_id")
    await access.honour(registry, conn, event)  # type: ignore[arg-type]
    revoked = "UPDATE partners SET revoked = true WHERE partner_id = $1"
    assert conn.statements == [(revoked, ("p1",))]
