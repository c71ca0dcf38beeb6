"""Credential events, published on the internal ``pactstream.access`` topic
(commitments issues credentials; every service honours them). Keys travel only as
SHA-256 digests."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.events import EventData

Role = Literal["operator", "partner", "reader"]


class PartnerRegistered(EventData):
    event_type = "org.pactstream.access.partner_registered"

    partner_id: str
    name: str
    role: Role
    plans: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    #: The CloudEvents sources it alone may post with; without any (as every partner
    #: registered before sources belonged to partners), any source no other holds.
    sources: tuple[str, ...] = ()


class PartnerKeyIssued(EventData):
    event_type = "org.pactstream.access.key_issued"

    partner_id: str
    key_id: str
    key_digest: str


class PartnerKeyRetired(EventData):
    event_type = "org.pactstream.access.key_retired"

    partner_id: str
    key_id: str


class PartnerRevoked(EventData):
    event_type = "org.pactstream.access.partner_revoked"

    partner_id: str


class WebhookSecretAdded(EventData):
    """A secret the partner signs its pushes with, in plain text: stored by releases
    before secrets were sealed, never made now and never published as such (the relay
    publishes it as :class:`WebhookSecretSealed`)."""

    event_type = "org.pactstream.access.webhook_secret_added"

    partner_id: str
    secret_id: str
    secret: str


class WebhookSecretSealed(EventData):
    """A secret the partner signs its pushes with, sealed (:mod:`shared.sealing`): only
    services holding the sealing keys open it. Sent again under a newer key when the
    keys rotate, with the same ``secret_id``."""

    event_type = "org.pactstream.access.webhook_secret_sealed"

    partner_id: str
    secret_id: str
    sealed: str


class WebhookSecretRemoved(EventData):
    event_type = "org.pactstream.access.webhook_secret_removed"

    partner_id: str
    secret_id: str


class PersonInvited(EventData):
    """A person invited to the dashboard by an operator: signs in by ``name`` once a
    password is set through the invitation (whose token commitments alone checks)."""

    event_type = "org.pactstream.access.person_invited"

    person_id: str
    name: str
    role: Role
    plans: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    invitation_digest: str
    #: After this, the invitation no longer sets a password (a new one is needed).
    invitation_expires_at: datetime | None = None


class PersonPasswordSet(EventData):
    """The person's password, as a memory-hard hash (Argon2id), sealed
    (:mod:`shared.sealing`): neither the password nor its hash is in the log."""

    event_type = "org.pactstream.access.person_password_set"

    person_id: str
    sealed_hash: str


class PersonRevoked(EventData):
    """The person may not sign in again, and every session of theirs ends."""

    event_type = "org.pactstream.access.person_revoked"

    person_id: str


#: Every event type of this contract, in the order they were added; registries are
#: built from these lists (``shared.contracts.build_registry``), and a test fails when
#: a payload model of this module is missing here.
EVENTS: tuple[type[EventData], ...] = (
    PartnerRegistered,
    PartnerKeyIssued,
    PartnerKeyRetired,
    PartnerRevoked,
    WebhookSecretAdded,
    WebhookSecretRemoved,
    WebhookSecretSealed,
    PersonInvited,
    PersonPasswordSet,
    PersonRevoked,
)
