"""Credential events, published on ``pactstream.commitments`` (commitments issues
credentials; every service honours them). Keys travel only as SHA-256 digests."""

from __future__ import annotations

from typing import Literal

from shared.contracts import registry
from shared.events import EventData

Role = Literal["operator", "partner", "reader"]


@registry.register
class PartnerRegistered(EventData):
    event_type = "org.pactstream.access.partner_registered"

    partner_id: str
    name: str
    role: Role
    plans: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()


@registry.register
class PartnerKeyIssued(EventData):
    event_type = "org.pactstream.access.key_issued"

    partner_id: str
    key_id: str
    key_digest: str


@registry.register
class PartnerKeyRetired(EventData):
    event_type = "org.pactstream.access.key_retired"

    partner_id: str
    key_id: str


@registry.register
class PartnerRevoked(EventData):
    event_type = "org.pactstream.access.partner_revoked"

    partner_id: str


@registry.register
class WebhookSecretAdded(EventData):
    """A secret the partner signs its pushes with. Carried on the internal topic so
    every service that accepts pushes can check them."""

    event_type = "org.pactstream.access.webhook_secret_added"

    partner_id: str
    secret_id: str
    secret: str


@registry.register
class WebhookSecretRemoved(EventData):
    event_type = "org.pactstream.access.webhook_secret_removed"

    partner_id: str
    secret_id: str
