"""FastAPI dependencies as ``Annotated`` aliases reading from ``app.state``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from funding.application.service import FundingService
from shared.events import EventMetadata
from shared.http.auth import KeyAuthenticator, Principal, bearer_key


def get_service(request: Request) -> FundingService:
    service: FundingService = request.app.state.service
    return service


def get_principal(request: Request) -> Principal:
    auth: KeyAuthenticator = request.app.state.authenticator
    return auth.authenticate(bearer_key(request))


def get_writer(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    principal.require("operator", "partner")
    return principal


def get_metadata(
    request: Request, principal: Annotated[Principal, Depends(get_principal)]
) -> EventMetadata:
    return EventMetadata(
        partner=principal.id,
        correlation_id=request.headers.get("x-correlation-id"),
        traceparent=request.headers.get("traceparent"),
    )


Service = Annotated[FundingService, Depends(get_service)]
Reader = Annotated[Principal, Depends(get_principal)]
Writer = Annotated[Principal, Depends(get_writer)]
Metadata = Annotated[EventMetadata, Depends(get_metadata)]
