"""RFC 9457 problem details, the only error format any service answers with.

Services raise :class:`Problem` (or map their domain errors to one in a single place);
the handlers installed by :func:`install_problem_handlers` turn framework errors
(validation, unknown route, wrong method) into the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://pactstream.org/problems/"

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class ProblemDetails(BaseModel):
    """The body of every error answer, for the OpenAPI document."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status answered with problem+json."""
    schema = ProblemDetails.model_json_schema()
    return {
        status: {
            "description": _TITLES.get(status, "Error"),
            "content": {PROBLEM_JSON: {"schema": schema}},
        }
        for status in statuses
    }


class Problem(Exception):
    """An error answered as problem+json; ``type_`` is a stable slug."""

    def __init__(
        self,
        status: int,
        type_: str,
        detail: str,
        *,
        errors: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.type = type_
        self.detail = detail
        self.errors = list(errors or [])
        self.headers = dict(headers or {})
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": TYPE_BASE + self.type,
            "title": _TITLES.get(self.status, "Error"),
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    return JSONResponse(
        problem.body(instance),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


def json_pointer(loc: Sequence[str | int]) -> str:
    """``("body", "parties", 0, "name")`` → ``/parties/0/name`` (RFC 6901)."""
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    escaped = [str(p).replace("~", "~0").replace("/", "~1") for p in parts]
    return "/" + "/".join(escaped) if escaped else ""


def _validation_problem(exc: RequestValidationError) -> Problem:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        first = next(e for e in errors if e.get("type") == "json_invalid")
        ctx = first.get("ctx") or {}
        return Problem(400, "malformed-json", f"the body is not valid JSON: {ctx.get('error', '')}")
    items = []
    for e in errors:
        loc = e.get("loc", ())
        where = loc[0] if loc else "body"
        items.append(
            {
                "pointer": json_pointer(loc),
                "in": where,
                "detail": str(e.get("msg", "invalid")),
            }
        )
    names = ", ".join(i["pointer"] or i["in"] for i in items[:5])
    return Problem(422, "validation-error", f"invalid request: {names}", errors=items)


def unexpected_problem(exc: BaseException) -> Problem:
    """503 when a dependency is unreachable (retry shortly), else 500."""
    from shared.database import CONNECTION_ERRORS

    if isinstance(exc, CONNECTION_ERRORS):
        return Problem(
            503,
            "dependency-unavailable",
            "a dependency is unavailable; retry shortly",
            headers={"Retry-After": "2"},
        )
    return Problem(500, "internal-error", "an unexpected error occurred")


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request.url.path)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(_validation_problem(exc), request.url.path)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no resource at {request.url.path}"
        return problem_response(
            Problem(exc.status_code, slug, detail, headers=dict(exc.headers or {})),
            request.url.path,
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        from shared.database import CONNECTION_ERRORS

        if isinstance(exc, CONNECTION_ERRORS):
            problem = Problem(
                503,
                "dependency-unavailable",
                "a dependency is unavailable; retry shortly",
                headers={"Retry-After": "2"},
            )
        else:
            problem = Problem(500, "internal-error", "an unexpected error occurred")
        return problem_response(problem, request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    from shared.database import CONNECTION_ERRORS

    # Registered one by one so they are answered inside the routing layer, like any
    # other error, rather than by the outermost server-error handler.
    for error in CONNECTION_ERRORS:
        app.add_exception_handler(error, on_unexpected)
    app.add_exception_handler(Exception, on_unexpected)
