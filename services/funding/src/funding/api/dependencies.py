"""FastAPI dependencies as ``Annotated`` aliases reading from ``app.state``; the
authentication ones are shared by every service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from funding.application.service import FundingService
from shared.http.auth import Principal
from shared.http.dependencies import Metadata, Reader, Writer, get_principal


async def get_service(request: Request) -> FundingService:
    service: FundingService = request.app.state.service
    return service


async def get_operator(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    principal.require("operator")
    return principal


Service = Annotated[FundingService, Depends(get_service)]
Operator = Annotated[Principal, Depends(get_operator)]

__all__ = ["Metadata", "Operator", "Reader", "Service", "Writer"]
