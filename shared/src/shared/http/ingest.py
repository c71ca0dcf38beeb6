"""The envelope side of ``POST /v1/events``: CloudEvents in, one answer or per-item
results out. What an event means is the service's ``apply``.

The Content-Type says the mode: ``application/cloudevents+json`` one structured event,
``application/cloudevents-batch+json`` a batch, anything else binary mode (the
attributes in ``ce-`` headers, the data as the body, JSON only), which becomes the same
event as its structured form and is claimed, checked and applied the same way.

Sources belong to partners: an event whose ``source`` the caller may not use is
refused 403 ``foreign-source`` (an item of a batch is rejected so), before it is
claimed, so another partner's events can never be made duplicates."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from shared import jsontext, tracing, webhooks
from shared.cloudevents import (
    InvalidCloudEvent,
    StructuredEvent,
    from_binary_http,
    is_json,
    parse_structured,
)
from shared.events import EventMetadata
from shared.http.auth import KeyAuthenticator, Principal
from shared.http.problems import Problem, problem_response

MAX_BATCH = 500
BATCH = "application/cloudevents-batch+json"
STRUCTURED = "application/cloudevents+json"

#: Returns the HTTP status a single event would get and its result item:
#: ``{"id", "status": "accepted"|"duplicate"|"rejected", "problem"?, ...}``.
Apply = Callable[[StructuredEvent, EventMetadata], Awaitable[tuple[int, dict[str, Any]]]]
#: A batch's valid events at once: their result items, in order.
ApplyMany = Callable[[list[tuple[StructuredEvent, EventMetadata]]], Awaitable[list[dict[str, Any]]]]


def rejected(event_id: str | None, problem: Problem, pointer_prefix: str = "") -> dict[str, Any]:
    body = problem.body()
    if pointer_prefix and problem.errors:
        body["errors"] = [
            {**e, "pointer": pointer_prefix + str(e.get("pointer", ""))} for e in problem.errors
        ]
    return {"id": event_id, "status": "rejected", "problem": body}


def _invalid(exc: InvalidCloudEvent) -> Problem:
    return Problem(exc.status, exc.kind, exc.detail, errors=exc.errors)


def _binary(request: Request, ctype: str) -> bool:
    """Binary mode: neither structured content type, with the event's ``ce-``
    attributes in headers. A plain JSON body without them is a structured event, as
    releases before binary mode took it."""
    if ctype in (STRUCTURED, BATCH):
        return False
    return any(name.startswith("ce-") for name in request.headers) or not is_json(ctype)


def _payload(request: Request, ctype: str, body: bytes) -> Any:
    """A structured event or a batch as posted, or a binary-mode request as the
    structured event it stands for."""
    if not _binary(request, ctype):
        try:
            return jsontext.loads(body)
        except ValueError as exc:
            raise Problem(400, "malformed-json", f"the body is not valid JSON: {exc}") from None
    try:  # Binary mode: the attributes in ce- headers, the data as the body.
        return from_binary_http(
            request.headers.items(), request.headers.get("content-type", ""), body
        )
    except InvalidCloudEvent as exc:
        raise _invalid(exc) from None


async def ingest(
    request: Request, principal: Principal, apply: Apply, apply_many: ApplyMany | None = None
) -> JSONResponse:
    """Answer a structured event with ``apply``'s status, or a batch with every
    item's result in order: through ``apply_many`` when the service has it (one go for
    the whole batch), else ``apply`` item by item."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if principal.signs:
        if not principal.webhook_secrets:  # Sealed under keys this service lacks.
            raise Problem(
                503,
                "secrets-unavailable",
                "this partner's webhook secrets cannot be opened here; check "
                "PACTSTREAM_SECRETS_KEYS on every service",
                headers={"Retry-After": "30"},
            )
        try:
            webhooks.verify(principal.webhook_secrets, request.headers, body, time.time())
        except webhooks.InvalidSignature as exc:
            raise Problem(401, "invalid-signature", str(exc)) from None
        if _binary(request, ctype):
            # The signature covers the body: in binary mode the event's id, source,
            # type and subject travel in headers it does not cover, so a captured
            # request could be replayed as a new event.
            raise Problem(
                400,
                "signed-binary-mode",
                "a partner that signs its events posts them in structured mode "
                f"({STRUCTURED}): the signature covers the body only",
            )
    payload = _payload(request, ctype, body)

    def meta_for(event: StructuredEvent) -> EventMetadata:
        return EventMetadata(
            partner=principal.id,
            causation_id=f"{event.source}#{event.id}",
            correlation_id=request.headers.get("x-correlation-id") or event.id,
            traceparent=tracing.traceparent_now(request.headers.get("traceparent")),
        )

    auth: KeyAuthenticator = request.app.state.authenticator

    async def foreign(events: list[StructuredEvent]) -> dict[str, str]:
        return await auth.foreign_sources(principal, {e.source for e in events})

    if ctype == BATCH:
        return await _batch(payload, meta_for, foreign, apply, apply_many)

    try:
        event = parse_structured(payload)
    except InvalidCloudEvent as exc:
        raise _invalid(exc) from None
    refused = await foreign([event])
    if refused:
        raise Problem(403, "foreign-source", refused[event.source])
    status, result = await apply(event, meta_for(event))
    if result["status"] == "rejected":
        problem = result["problem"]
        return problem_response(
            Problem(
                status,
                problem["type"].rsplit("/", 1)[-1],
                problem["detail"],
                errors=problem.get("errors"),
            ),
            request.url.path,
        )
    return JSONResponse(result, status_code=status)


async def _batch(
    payload: Any,
    meta_for: Callable[[StructuredEvent], EventMetadata],
    foreign: Callable[[list[StructuredEvent]], Awaitable[dict[str, str]]],
    apply: Apply,
    apply_many: ApplyMany | None,
) -> JSONResponse:
    """Every item's result in order: invalid items rejected where they stand, the
    valid ones applied in one go when the service can."""
    if not isinstance(payload, list):
        raise Problem(400, "invalid-batch", "a batch is a JSON array of CloudEvents")
    if len(payload) > MAX_BATCH:
        raise Problem(413, "batch-too-large", f"a batch holds at most {MAX_BATCH} events")
    results: list[dict[str, Any] | None] = []
    valid: list[tuple[StructuredEvent, EventMetadata]] = []
    for i, item in enumerate(payload):
        try:
            event = parse_structured(item, f"/{i}")
        except InvalidCloudEvent as exc:
            item_id = item.get("id") if isinstance(item, dict) else None
            results.append(rejected(item_id, _invalid(exc)))
            continue
        results.append(None)
        valid.append((event, meta_for(event)))
    refused = await foreign([event for event, _ in valid])
    if refused:  # Rejected where they stand; the others go on.
        slots = [i for i, r in enumerate(results) if r is None]
        kept = []
        for slot, (event, meta) in zip(slots, valid, strict=True):
            if event.source in refused:
                problem = Problem(403, "foreign-source", refused[event.source])
                results[slot] = rejected(event.id, problem)
            else:
                kept.append((event, meta))
        valid = kept
    if apply_many is not None:
        done = iter(await apply_many(valid))
    else:
        done = iter([(await apply(event, meta))[1] for event, meta in valid])
    results = [next(done) if r is None else r for r in results]
    return JSONResponse({"results": results}, status_code=200)
