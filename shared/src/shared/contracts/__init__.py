"""Published event contracts: the data of every event a service publishes to Kafka.

These are the only shapes services share. Type names are stable for good; a breaking
change bumps ``schema_version`` and registers an upcaster in the same module.
"""

from shared.events import EventRegistry

registry = EventRegistry()

# Every published contract registers itself on import: load them all with the registry.
from shared.contracts import access, commitments, funding  # noqa: E402

__all__ = ["access", "commitments", "funding", "registry"]
