"""Every credential event that reaches the services changes their credential tables:
a new one without statements would be honoured nowhere, silently."""

from shared import access
from shared.contracts import access as contract


def test_every_published_credential_event_has_its_statements() -> None:
    applied = set(access._STATEMENTS)
    assert applied == set(contract.EVENTS) - {contract.WebhookSecretAdded}
