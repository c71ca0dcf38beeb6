"""Published event contracts: the data of every event a service publishes to Kafka.

These are the only shapes services share. Type names are stable for good; a breaking
change bumps ``schema_version`` and adds an upcaster (in :func:`build_registry`).
Nothing is registered by importing a module, and no module holds a registry: each
composition root calls :func:`build_registry` once and hands the registry to what
decodes events.
"""

from shared.contracts import access, commitments, funding
from shared.events import EventRegistry


def build_registry() -> EventRegistry:
    """Every published event type, from the contract modules' lists, and the upcasters
    of their older schema versions: none yet; a breaking change adds its pure function
    here, keyed by the type and the version it reads."""
    return EventRegistry((*commitments.EVENTS, *funding.EVENTS, *access.EVENTS), upcasters={})


__all__ = ["access", "build_registry", "commitments", "funding"]
