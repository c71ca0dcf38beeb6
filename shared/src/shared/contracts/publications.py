"""What each writing service publishes, and where: the one place that decides which
stored events become which published contracts (see :mod:`shared.publication`).

Credentials travel on a topic of their own, internal to Pactstream's services:
partners and other readers of the commitments topic never see them. Until this
version they were published on the commitments topic, so the access topic is filled
from history once. Webhook secrets stored in plain text by earlier releases are
published sealed (:mod:`shared.sealing`), so no plain secret reaches a topic.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Protocol

from shared.contracts import access, commitments, funding
from shared.publication import Publication, Route, Topic, Transform

#: Seals a plain secret (:meth:`shared.sealing.Sealer.seal`).
Seal = Callable[[str], str]


def access_topic(prefix: str) -> str:
    """The internal topic credentials travel on."""
    return f"{prefix}.access"


def _sealing(seal: Seal | None) -> Transform:
    def sealed(data: bytes) -> bytes:
        if seal is None:  # Never publish a plain secret for want of the keys.
            raise RuntimeError("publishing a webhook secret needs the sealing keys")
        plain = json.loads(data)
        return json.dumps(
            {
                "partner_id": plain["partner_id"],
                "secret_id": plain["secret_id"],
                "sealed": seal(plain["secret"]),
            }
        ).encode()

    return sealed


def commitments_publication(prefix: str, seal: Seal | None = None) -> Publication:
    credentials = Topic(
        access_topic(prefix),
        "Internal: credentials (partners, key digests, sealed webhook secrets) for "
        "Pactstream's own services, which honour them. Not for partners.",
        internal=True,
    )
    published = [m for m in access.EVENTS if m is not access.WebhookSecretAdded]
    unchanged = Publication.unchanged(
        {
            Topic(f"{prefix}.commitments", "Plans, commitments and their progress."): (
                commitments.EVENTS
            ),
            credentials: published,
        },
        fill={credentials.name},
    )
    plain = (access.WebhookSecretAdded.event_type, 1)
    sealed = Route(credentials.name, access.WebhookSecretSealed.event_type, 1, _sealing(seal))
    return Publication(unchanged.topics, {**unchanged.routes, plain: sealed}, fill=unchanged.fill)


def funding_publication(prefix: str, seal: Seal | None = None) -> Publication:
    return Publication.unchanged(
        {Topic(f"{prefix}.funding", "Sources, agreements and money flows."): funding.EVENTS}
    )


class PublicationOf(Protocol):
    def __call__(self, prefix: str, seal: Seal | None = None) -> Publication: ...


#: Each writing service's publication, by the topic prefix of the deployment (and,
#: for the relay, the sealing of plain secrets).
PUBLICATIONS: dict[str, PublicationOf] = {
    "commitments": commitments_publication,
    "funding": funding_publication,
}
