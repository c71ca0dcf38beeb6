"""Why a view cannot be given. The API maps each to its problem type in one place."""

from __future__ import annotations


class ReportingError(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(ReportingError):
    """The plan, commitment or party is not in the read models (yet)."""


class InvalidQuery(ReportingError):
    """A parameter that passed its type's validation still cannot be used."""

    def __init__(self, detail: str, parameter: str) -> None:
        super().__init__(detail)
        self.parameter = parameter


class InvalidDate(InvalidQuery):
    """A date or time that cannot be used (out of the representable range)."""


class InvalidCursor(InvalidQuery):
    """A cursor this service did not make (or made for another sort order)."""


class InvalidRange(InvalidQuery):
    """A range whose start is after its end."""
