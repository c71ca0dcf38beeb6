"""FastAPI dependencies as ``Annotated`` aliases reading from ``app.state``; the
authentication ones are shared by every service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from commitments.application.service import CommitmentsService
from shared.http.dependencies import Metadata, Operator, Reader, Writer


async def get_service(request: Request) -> CommitmentsService:
    service: CommitmentsService = request.app.state.service
    return service


Service = Annotated[CommitmentsService, Depends(get_service)]

__all__ = ["Metadata", "Operator", "Reader", "Service", "Writer"]
