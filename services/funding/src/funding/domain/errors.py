"""Errors of the funding domain. The HTTP layer maps each to a problem type."""

from __future__ import annotations


class FundingError(Exception):
    """Root of every error the funding domain raises."""


class RuleViolated(FundingError):
    """Well-formed but against a funding rule; ``field`` is a JSON pointer."""

    def __init__(self, detail: str, field: str | None = None) -> None:
        self.detail = detail
        self.field = field
        super().__init__(detail)


class InvalidMoney(RuleViolated):
    """An amount or currency that is not exact money."""


class LimitExceeded(RuleViolated):
    """More allocated, disbursed or spent than the agreement allows; the amounts are in
    the detail."""


class NotFound(FundingError):
    def __init__(self, kind: str, ident: str) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(f"no {kind} {ident!r}")


class AlreadyExists(FundingError):
    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"a {kind} with code {key!r} already exists")
