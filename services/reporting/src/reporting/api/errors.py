"""The one place where reporting's errors become problem+json."""

from __future__ import annotations

from fastapi import FastAPI

from reporting.application.errors import (
    InvalidCursor,
    InvalidDate,
    InvalidQuery,
    InvalidRange,
    NotFound,
    ReportingError,
)
from shared.http.dependencies import install_error_map
from shared.http.problems import Problem


def to_problem(exc: Exception) -> Problem:
    match exc:
        case NotFound():
            return Problem(404, "not-found", exc.detail)
        case InvalidQuery():
            status, slug = {
                InvalidDate: (422, "invalid-date"),
                InvalidCursor: (400, "invalid-cursor"),
                InvalidRange: (422, "invalid-range"),
            }.get(type(exc), (422, "invalid-parameter"))
            return Problem(
                status,
                slug,
                exc.detail,
                errors=[{"pointer": "", "in": "query", "detail": exc.parameter}],
            )
    raise exc


def install_error_handlers(app: FastAPI) -> None:
    install_error_map(app, to_problem, ReportingError)
