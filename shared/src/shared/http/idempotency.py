"""``Idempotency-Key`` on POST, with the IETF draft's meaning.

The same key with the same request (method, path, body) replays the first answer; the
same key with another request is 422; a request still being processed is 409. Keys
are scoped to the credential that sent them. Only answers below 500 are kept, so a
failed attempt can be retried; a claim left by a process that died mid-request
expires after ``ABANDONED_SECONDS``. Answers are kept for ``RETAIN_HOURS``.

This makes a retried POST safe; it is not a transaction with the write itself: a
crash between the write and the stored answer lets a retry after expiry run again.
CloudEvents at ``/v1/events`` carry their own exactly-once identity (source, id).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Final

from fastapi import Request, Response
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from shared.database import Connection
from shared.http.problems import Problem, problem_response

HEADER: Final = "idempotency-key"
ABANDONED_SECONDS: Final = 60
RETAIN_HOURS: Final = 24
MAX_KEY_LENGTH: Final = 255
_KEPT_HEADERS: Final = ("content-type", "etag", "location")

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope        text NOT NULL,
    key          text NOT NULL,
    fingerprint  text NOT NULL,
    status       integer,
    headers      jsonb,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
"""


async def install_schema(conn: Connection) -> None:
    await conn.execute(SCHEMA_SQL)


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


class IdempotencyMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        key = request.headers.get(HEADER)
        runtime = getattr(request.app.state, "runtime", None)
        if request.method != "POST" or key is None or runtime is None:
            return await call_next(request)
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            return problem_response(
                Problem(
                    400,
                    "invalid-idempotency-key",
                    f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters",
                ),
                request.url.path,
            )
        body = await request.body()
        credential = request.headers.get("authorization") or request.cookies.get(
            "pactstream_key", ""
        )
        scope = _digest(credential.encode())
        fingerprint = _digest(request.method.encode(), request.url.path.encode(), body)
        pool = runtime.pool
        claimed = await pool.fetchval(
            """
            INSERT INTO idempotency_keys (scope, key, fingerprint) VALUES ($1, $2, $3)
            ON CONFLICT (scope, key) DO UPDATE
                SET fingerprint = EXCLUDED.fingerprint, created_at = now()
                WHERE idempotency_keys.status IS NULL
                  AND idempotency_keys.created_at < now() - make_interval(secs => $4)
                  AND idempotency_keys.fingerprint = EXCLUDED.fingerprint
            RETURNING true
            """,
            scope,
            key,
            fingerprint,
            ABANDONED_SECONDS,
        )
        if not claimed:
            return await self._answer_again(request, pool, scope, key, fingerprint)
        try:
            response = await call_next(request)
        except BaseException:
            await pool.execute(
                "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2", scope, key
            )
            raise
        content = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        if response.status_code >= 500:
            await pool.execute(
                "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2", scope, key
            )
        else:
            kept = {h: response.headers[h] for h in _KEPT_HEADERS if h in response.headers}
            await pool.execute(
                "UPDATE idempotency_keys SET status = $3, headers = $4, body = $5 "
                "WHERE scope = $1 AND key = $2",
                scope,
                key,
                response.status_code,
                kept,
                content,
            )
            await pool.execute(
                "DELETE FROM idempotency_keys "
                "WHERE created_at < now() - make_interval(hours => $1)",
                RETAIN_HOURS,
            )
        return Response(content, status_code=response.status_code, headers=dict(response.headers))

    async def _answer_again(
        self, request: Request, pool: Any, scope: str, key: str, fingerprint: str
    ) -> Response:
        row = await pool.fetchrow(
            "SELECT fingerprint, status, headers, body FROM idempotency_keys "
            "WHERE scope = $1 AND key = $2",
            scope,
            key,
        )
        if row is None:  # Expired between the two statements: treat as in flight.
            row = {"fingerprint": fingerprint, "status": None}
        if row["fingerprint"] != fingerprint:
            return problem_response(
                Problem(
                    422,
                    "idempotency-key-reused",
                    "this Idempotency-Key was used for a different request",
                ),
                request.url.path,
            )
        if row["status"] is None:
            return problem_response(
                Problem(
                    409,
                    "request-in-flight",
                    "a request with this Idempotency-Key is still being processed",
                    headers={"Retry-After": "1"},
                ),
                request.url.path,
            )
        headers = dict(row["headers"] or {})
        if isinstance(headers, str):
            headers = json.loads(headers)
        headers["Idempotency-Replayed"] = "true"
        return Response(bytes(row["body"] or b""), status_code=row["status"], headers=headers)
