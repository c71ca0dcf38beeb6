"""The one place where commitments errors become problem+json."""

from __future__ import annotations

from fastapi import FastAPI

from commitments.domain.errors import (
    AlreadyExists,
    CommitmentsError,
    InvalidTransition,
    NotFound,
    RuleViolated,
    SourceTaken,
)
from shared.access import OutOfScope
from shared.deadlines import AmbiguousPeriod
from shared.decider import StaleVersion
from shared.eventstore import WrongExpectedVersion
from shared.http.dependencies import install_error_map
from shared.http.problems import Problem
from shared.periods import InvalidPeriod


def to_problem(exc: Exception) -> Problem:
    """Map a domain or store error to its problem type."""
    match exc:
        case OutOfScope():
            return Problem(403, "out-of-scope", str(exc))
        case InvalidPeriod():
            pointer = exc.field or ""
            error: dict[str, object] = {"pointer": pointer, "detail": exc.reason}
            if isinstance(exc, AmbiguousPeriod):
                error["readings"] = exc.readings
            return Problem(422, "invalid-period", f"{pointer.lstrip('/')}: {exc}", errors=[error])
        case StaleVersion():
            return Problem(
                412,
                "precondition-failed",
                exc.detail,
                current_version=exc.current,
                headers={"ETag": f'"{exc.current}"'},
            )
        case InvalidTransition():
            return Problem(
                422, "invalid-transition", str(exc), current=exc.current, requested=exc.requested
            )
        case NotFound():
            return Problem(404, "not-found", str(exc))
        case AlreadyExists():
            return Problem(409, "already-exists", str(exc))
        case SourceTaken():
            return Problem(
                409,
                "source-taken",
                str(exc),
                errors=[{"pointer": "/sources", "detail": str(exc)}],
            )
        case RuleViolated():
            errors = [{"pointer": exc.field, "detail": exc.detail}] if exc.field else None
            return Problem(422, "rule-violated", exc.detail, errors=errors)
        case WrongExpectedVersion():
            return Problem(
                409,
                "version-conflict",
                f"{exc}: someone else changed it meanwhile; read it again and retry",
            )
        case CommitmentsError():
            return Problem(422, "rule-violated", str(exc))
    raise exc


def install_error_handlers(app: FastAPI) -> None:
    install_error_map(
        app,
        to_problem,
        CommitmentsError,
        StaleVersion,
        WrongExpectedVersion,
        InvalidPeriod,
        OutOfScope,
    )
