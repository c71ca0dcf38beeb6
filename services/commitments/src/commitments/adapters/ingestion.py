"""Where the partner-event use cases lived before they moved to the application layer
(:mod:`commitments.application.ingestion`); kept for the callers that import them here."""

from commitments.application.ingestion import EventRef, OnceOnlyCommands, Outcome

__all__ = ["EventRef", "OnceOnlyCommands", "Outcome"]
