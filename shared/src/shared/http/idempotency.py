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

import asyncpg
from starlette.responses import Response

from shared.http.asgi import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    _no_receive,
    header,
    read_body,
    replay,
    send_problem,
)
from shared.http.problems import Problem

HEADER: Final = "idempotency-key"
ABANDONED_SECONDS: Final = 60
RETAIN_HOURS: Final = 24
MAX_KEY_LENGTH: Final = 255
_KEPT_HEADERS: Final = ("content-type", "etag", "location")

#: Run by the migration chains' baseline revisions (``r0001_baseline``): never edit it; a
#: change to these tables is a new revision.
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


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


class Idempotency:
    """Plain ASGI: only a POST carrying the header pays anything."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = header(scope, HEADER.encode()) if scope["type"] == "http" else None
        app = scope.get("app")
        runtime = getattr(app.state, "runtime", None) if app is not None else None
        if scope.get("method") != "POST" or key is None or runtime is None:
            await self.app(scope, receive, send)
            return
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            await send_problem(
                scope,
                send,
                Problem(
                    400,
                    "invalid-idempotency-key",
                    f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters",
                ),
            )
            return
        body = await read_body(receive, 1 << 30) or b""
        credential = header(scope, b"authorization") or ""
        owner = _digest(credential.encode())
        fingerprint = _digest(b"POST", scope["path"].encode(), body)
        pool = runtime.pool
        if not await _claim(pool, owner, key, fingerprint):
            await self._answer_again(scope, send, pool, owner, key, fingerprint)
            return
        response = _Recorder(send)
        try:
            await self.app(scope, replay(body), response.send)
        except BaseException:
            await _forget(pool, owner, key)
            raise
        if response.status >= 500:
            await _forget(pool, owner, key)
            return
        await _keep(pool, owner, key, response)

    async def _answer_again(
        self, scope: Scope, send: Send, pool: Any, owner: str, key: str, fingerprint: str
    ) -> None:
        row = await pool.fetchrow(
            "SELECT fingerprint, status, headers, body FROM idempotency_keys "
            "WHERE scope = $1 AND key = $2",
            owner,
            key,
        )
        if row is None:  # Expired between the two statements: treat as in flight.
            row = {"fingerprint": fingerprint, "status": None}
        if row["fingerprint"] != fingerprint:
            await send_problem(
                scope,
                send,
                Problem(
                    422,
                    "idempotency-key-reused",
                    "this Idempotency-Key was used for a different request",
                ),
            )
            return
        if row["status"] is None:
            await send_problem(
                scope,
                send,
                Problem(
                    409,
                    "request-in-flight",
                    "a request with this Idempotency-Key is still being processed",
                    headers={"Retry-After": "1"},
                ),
            )
            return
        headers = row["headers"] or {}
        if isinstance(headers, str):
            headers = json.loads(headers)
        headers = {**headers, "Idempotency-Replayed": "true"}
        response = Response(bytes(row["body"] or b""), status_code=row["status"], headers=headers)
        await response(scope, _no_receive, send)


class _Recorder:
    """Passes a response through while keeping its status, the headers worth
    repeating and its body."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 500
        self.headers: dict[str, str] = {}
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            for name, value in message.get("headers", ()):
                if name.decode("latin-1").lower() in _KEPT_HEADERS:
                    self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
        await self._send(message)


async def _claim(pool: asyncpg.Pool, owner: str, key: str, fingerprint: str) -> bool:
    """Take the key for this request; a key abandoned (no answer recorded) longer than
    ``ABANDONED_SECONDS`` by the same request may be taken again."""
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
        owner,
        key,
        fingerprint,
        ABANDONED_SECONDS,
    )
    return bool(claimed)


async def _forget(pool: asyncpg.Pool, owner: str, key: str) -> None:
    await pool.execute("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2", owner, key)


async def _keep(pool: asyncpg.Pool, owner: str, key: str, response: _Recorder) -> None:
    await pool.execute(
        "UPDATE idempotency_keys SET status = $3, headers = $4, body = $5 "
        "WHERE scope = $1 AND key = $2",
        owner,
        key,
        response.status,
        response.headers,
        b"".join(response.chunks),
    )
    await pool.execute(
        "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)",
        RETAIN_HOURS,
    )
