"""The one place where funding errors become problem+json."""

from __future__ import annotations

from fastapi import FastAPI

from funding.domain.errors import (
    AlreadyExists,
    FundingError,
    InvalidMoney,
    LimitExceeded,
    NotFound,
    RuleViolated,
)
from shared.access import OutOfScope
from shared.decider import StaleVersion
from shared.eventstore import WrongExpectedVersion
from shared.http.dependencies import install_error_map
from shared.http.problems import Problem
from shared.periods import InvalidPeriod


def to_problem(exc: Exception) -> Problem:
    match exc:
        case InvalidPeriod():
            pointer = exc.field or ""
            return Problem(
                422,
                "invalid-period",
                f"{pointer.lstrip('/') or 'period'}: {exc}",
                errors=[{"pointer": pointer, "detail": exc.reason}],
            )
        case OutOfScope():
            return Problem(403, "out-of-scope", str(exc))
        case StaleVersion():
            return Problem(
                412, "precondition-failed", exc.detail, headers={"ETag": f'"{exc.current}"'}
            )
        case LimitExceeded() | InvalidMoney() | RuleViolated():
            slug = {LimitExceeded: "limit-exceeded", InvalidMoney: "invalid-money"}.get(
                type(exc), "rule-violated"
            )
            errors = [{"pointer": exc.field, "detail": exc.detail}] if exc.field else None
            return Problem(422, slug, exc.detail, errors=errors)
        case NotFound():
            return Problem(404, "not-found", str(exc))
        case AlreadyExists():
            return Problem(409, "already-exists", str(exc))
        case WrongExpectedVersion():
            return Problem(
                409,
                "version-conflict",
                f"{exc}: someone else changed it meanwhile; read it again and retry",
            )
        case FundingError():
            return Problem(422, "rule-violated", str(exc))
    raise exc


def install_error_handlers(app: FastAPI) -> None:
    install_error_map(
        app, to_problem, FundingError, StaleVersion, WrongExpectedVersion, OutOfScope, InvalidPeriod
    )
