"""``Idempotency-Key`` on POST, with the IETF draft's meaning.

The same key with the same request (method, path, body) replays the first answer; the
same key with another request is 422; a request still being processed is 409. Keys
are scoped to the credential that sent them. Only answers below 500 are kept, so a
failed attempt can be retried; a claim left by a process that died mid-request
expires after ``ABANDONED_SECONDS``. Answers are kept for ``RETAIN_HOURS``: an older
key is free again (the claim sees its age on the row it conflicts with), and
:class:`KeyExpiry`, one of every service's workers, deletes expired rows in bounded
batches over the index on ``created_at``: a keyed request never scans the table.

This makes a retried POST safe; it is not a transaction with the write itself: a
crash between the write and the stored answer lets a retry after expiry run again.
CloudEvents at ``/v1/events`` carry their own exactly-once identity (source, id).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
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

log = logging.getLogger(__name__)

HEADER: Final = "idempotency-key"
ABANDONED_SECONDS: Final = 60
RETAIN_HOURS: Final = 24
MAX_KEY_LENGTH: Final = 255
_KEPT_HEADERS: Final = ("content-type", "etag", "location")
#: How often :class:`KeyExpiry` runs, and the most rows one run deletes.
EXPIRY_SECONDS: Final = 60.0
EXPIRY_BATCH: Final = 1000

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
    ``ABANDONED_SECONDS`` by the same request may be taken again, and a key older than
    ``RETAIN_HOURS`` by any request, whether :class:`KeyExpiry` deleted it yet or not."""
    claimed = await pool.fetchval(
        """
        INSERT INTO idempotency_keys (scope, key, fingerprint) VALUES ($1, $2, $3)
        ON CONFLICT (scope, key) DO UPDATE
            SET fingerprint = EXCLUDED.fingerprint, created_at = now(),
                status = NULL, headers = NULL, body = NULL
            WHERE (idempotency_keys.status IS NULL
                   AND idempotency_keys.created_at < now() - make_interval(secs => $4)
                   AND idempotency_keys.fingerprint = EXCLUDED.fingerprint)
               OR idempotency_keys.created_at < now() - make_interval(hours => $5)
        RETURNING true
        """,
        owner,
        key,
        fingerprint,
        ABANDONED_SECONDS,
        RETAIN_HOURS,
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


#: Deletes the oldest expired keys, at most ``$2``: an index range scan on
#: ``created_at`` (revisions ``<service>_0004``, ``reporting_0007``) picks them, and a
#: TID scan deletes exactly those rows, whatever the table's size. Rows another
#: replica's run holds are skipped, not waited for.
_EXPIRE_SQL: Final = """
DELETE FROM idempotency_keys
WHERE ctid = ANY(ARRAY(
    SELECT ctid FROM idempotency_keys
    WHERE created_at < now() - make_interval(hours => $1)
    ORDER BY created_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
))
"""


async def expire(pool: asyncpg.Pool, batch: int = EXPIRY_BATCH) -> int:
    """Delete at most ``batch`` keys older than ``RETAIN_HOURS``; how many went."""
    done = await pool.execute(_EXPIRE_SQL, RETAIN_HOURS, batch)
    return int(done.rsplit(" ", 1)[-1])


class KeyExpiry:
    """A supervised worker: every ``every`` seconds, one bounded :func:`expire`. A
    backlog (after an outage, say) drains ``batch`` rows a run, never in one long
    statement; an error ends the run and the supervisor restarts it."""

    def __init__(
        self, pool: asyncpg.Pool, every: float = EXPIRY_SECONDS, batch: int = EXPIRY_BATCH
    ) -> None:
        self.pool = pool
        self.every = every
        self.batch = batch
        self._stop = asyncio.Event()

    async def run(self) -> None:
        while not self._stop.is_set():
            if gone := await expire(self.pool, self.batch):
                log.info("deleted %d expired idempotency keys", gone)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.every)

    def request_stop(self) -> None:
        self._stop.set()
