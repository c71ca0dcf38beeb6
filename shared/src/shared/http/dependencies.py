"""Request-scoped dependencies every service uses, as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from shared import logs, tracing
from shared.events import EventMetadata
from shared.http.auth import KeyAuthenticator, Principal, bearer_key, client_address
from shared.http.problems import Problem, problem_response


async def get_principal(request: Request) -> Principal:
    auth: KeyAuthenticator = request.app.state.authenticator
    principal = await auth.authenticate(bearer_key(request), client_address(request))
    request.state.principal = principal
    logs.partner.set(principal.id)
    return principal


async def get_writer(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    principal.require("operator", "partner")
    return principal


async def get_operator(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    principal.require("operator")
    return principal


async def get_metadata(
    request: Request, principal: Annotated[Principal, Depends(get_principal)]
) -> EventMetadata:
    """Provenance for the events a request causes: who posted it, and its trace."""
    return EventMetadata(
        partner=principal.id,
        correlation_id=request.headers.get("x-correlation-id"),
        traceparent=tracing.traceparent_now(request.headers.get("traceparent")),
    )


Reader = Annotated[Principal, Depends(get_principal)]
Writer = Annotated[Principal, Depends(get_writer)]
Operator = Annotated[Principal, Depends(get_operator)]
Metadata = Annotated[EventMetadata, Depends(get_metadata)]


def parse_if_match(value: str | None) -> int | None:
    """``If-Match: 3``, ``"3"`` or ``W/"3"``; ``*`` or no header matches any version."""
    if value is None or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise Problem(
            400,
            "invalid-if-match",
            f"If-Match must be a version number, got {value!r}",
            errors=[{"pointer": "", "in": "header", "detail": "If-Match"}],
        )
    return int(text)


def install_error_map(
    app: FastAPI, to_problem: Callable[[Exception], Problem], *errors: type[Exception]
) -> None:
    """Answer each of ``errors``, wherever raised, with the problem ``to_problem`` maps
    it to: a service's one place for its error-to-problem mapping."""

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(to_problem(exc), request.url.path)

    for error in errors:
        app.add_exception_handler(error, handle)
