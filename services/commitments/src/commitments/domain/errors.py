"""Errors of the commitments domain. The HTTP layer maps each to a problem type."""

from __future__ import annotations


class CommitmentsError(Exception):
    """Root of every error the commitments domain raises."""


class RuleViolated(CommitmentsError):
    """A command that is well-formed but breaks a business rule; ``field`` points at it."""

    def __init__(self, detail: str, field: str | None = None) -> None:
        self.detail = detail
        self.field = field
        super().__init__(detail)


class InvalidTransition(CommitmentsError):
    def __init__(self, current: str, requested: str) -> None:
        self.current = current
        self.requested = requested
        super().__init__(f"a commitment cannot go from {current!r} to {requested!r}")


class NotFound(CommitmentsError):
    def __init__(self, kind: str, ident: str) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(f"no {kind} {ident!r}")


class AlreadyExists(CommitmentsError):
    def __init__(self, kind: str, key: str, field: str = "code") -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"a {kind} with {field} {key!r} already exists")


class SourceTaken(CommitmentsError):
    """A CloudEvents source another partner holds: sources belong to one partner."""

    def __init__(self, source: str, holder: str) -> None:
        self.source = source
        self.holder = holder
        super().__init__(f"source {source!r} belongs to partner {holder!r}")
