"""What each writing service publishes, and where: the one place that decides which
stored events become which published contracts (see :mod:`shared.publication`).

Credentials travel on a topic of their own, internal to Pactstream's services:
partners and other readers of the commitments topic never see them. Until this
version they were published on the commitments topic, so the access topic is filled
from history once.
"""

from __future__ import annotations

from collections.abc import Callable

from shared.contracts import access, commitments, funding
from shared.publication import Publication, Topic


def commitments_publication(prefix: str) -> Publication:
    credentials = Topic(
        access_topic(prefix),
        "Internal: credentials (partners, key digests, webhook secrets) for Pactstream's "
        "own services, which honour them. Not for partners.",
        internal=True,
    )
    return Publication.unchanged(
        {
            Topic(f"{prefix}.commitments", "Plans, commitments and their progress."): (
                commitments.EVENTS
            ),
            credentials: access.EVENTS,
        },
        fill={credentials.name},
    )


def funding_publication(prefix: str) -> Publication:
    return Publication.unchanged(
        {Topic(f"{prefix}.funding", "Sources, agreements and money flows."): funding.EVENTS}
    )


#: Each writing service's publication, by the topic prefix of the deployment.
PUBLICATIONS: dict[str, Callable[[str], Publication]] = {
    "commitments": commitments_publication,
    "funding": funding_publication,
}


def access_topic(prefix: str) -> str:
    """The internal topic credentials travel on."""
    return f"{prefix}.access"
