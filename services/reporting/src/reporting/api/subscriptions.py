"""``/v1/subscriptions``: the change feed pushed to a partner's URL, signed per
Standard Webhooks, in order, at least once (:mod:`reporting.adapters.pusher`)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from reporting.adapters.subscriptions import Subscription, SubscriptionStore
from reporting.api.dependencies import Reader
from reporting.application.subscriptions import check_target
from shared.http.auth import Principal
from shared.http.problems import Problem, problem_responses

router = APIRouter(
    prefix="/v1/subscriptions", tags=["feed"], responses=problem_responses(401, 403, 404, 422)
)


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=8, max_length=2000)]
    types: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=100, description="Event types (default all)."
    )
    plans: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=500, description="Plans (default all you may see)."
    )


class SubscriptionOut(BaseModel):
    id: str
    url: str
    types: list[str]
    plans: list[str]
    state: Literal["active", "paused"]
    paused_reason: str | None
    failures: int
    next_attempt_at: datetime
    created_at: datetime


class CreatedOut(SubscriptionOut):
    """A new subscription: ``secret`` (Standard Webhooks, ``whsec_…``) is shown once."""

    secret: str
    version: int = 1


class Delivery(BaseModel):
    seq: int
    event_id: str
    attempt: int
    at: datetime
    status: int | None
    error: str | None
    duration_ms: int


def _store(request: Request) -> SubscriptionStore:
    store: SubscriptionStore = request.app.state.subscriptions
    return store


def _out(s: Subscription) -> dict[str, Any]:
    return {
        "id": s.id,
        "url": s.url,
        "types": s.types,
        "plans": s.plans,
        "state": "paused" if s.paused_reason else "active",
        "paused_reason": s.paused_reason,
        "failures": s.failures,
        "next_attempt_at": s.next_attempt_at,
        "created_at": s.created_at,
    }


async def _resolve(host: str) -> Sequence[str]:
    found = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in found]


async def _owned(request: Request, principal: Principal, subscription_id: str) -> Subscription:
    found = await _store(request).get(subscription_id)
    if found is None or (principal.role != "operator" and found.owner != principal.id):
        raise Problem(404, "not-found", f"no subscription {subscription_id!r}")
    return found


@router.post("", status_code=201, response_model=CreatedOut)
async def subscribe(
    body: SubscriptionIn, request: Request, principal: Reader, response: Response
) -> CreatedOut:
    """Push every change recorded from now on (of these types and plans, within what
    you may see) to ``url``, each a CloudEvent signed with the answer's ``secret``."""
    allow = request.app.state.settings.subscriptions_allow_private
    url = await check_target(body.url, allow, _resolve)
    outside = set(body.plans) - principal.scope.plans if principal.scope.plans else set()
    if outside:
        raise Problem(403, "out-of-scope", f"plans {', '.join(sorted(outside))} are not yours")
    made, secret = await _store(request).create(principal, url, body.types, body.plans)
    response.headers["Location"] = f"/v1/subscriptions/{made.id}"
    response.headers["Cache-Control"] = "no-store"
    return CreatedOut(**_out(made), secret=secret)


@router.get("/{subscription_id}", response_model=SubscriptionOut)
async def subscription(subscription_id: str, request: Request, principal: Reader) -> Any:
    return _out(await _owned(request, principal, subscription_id))


@router.get("/{subscription_id}/deliveries", response_model=list[Delivery])
async def deliveries(subscription_id: str, request: Request, principal: Reader) -> Any:
    """Every attempt (the latest thousand), oldest first, with its answer."""
    await _owned(request, principal, subscription_id)
    return [
        {**d, "event_id": str(d["event_id"])}
        for d in await _store(request).deliveries(subscription_id)
    ]


@router.post("/{subscription_id}/resume", status_code=204)
async def resume(subscription_id: str, request: Request, principal: Reader) -> Response:
    """Push a paused subscription again, from where it stopped."""
    await _owned(request, principal, subscription_id)
    await _store(request).resume(subscription_id)
    return Response(status_code=204)


@router.delete("/{subscription_id}", status_code=204)
async def unsubscribe(subscription_id: str, request: Request, principal: Reader) -> Response:
    await _owned(request, principal, subscription_id)
    await _store(request).delete(subscription_id)
    return Response(status_code=204)
