"""The endpoint a user would write instead of the platform: a minimal FastAPI handler
that validates the same commitment body and inserts one row per request with asyncpg,
served with the same uvicorn settings and garbage-collector tuning as the services.
It keeps no history, publishes nothing and checks no key: a floor for the cost of a
durable write, which the platform's single POST is held against."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

import asyncpg
import uvicorn
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from shared import process

TABLE = """
CREATE TABLE IF NOT EXISTS commitments (
    id         uuid PRIMARY KEY,
    plan_id    text NOT NULL,
    code       text NOT NULL,
    section    text NOT NULL,
    title      text NOT NULL,
    parties    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (plan_id, code)
)
"""


class Party(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: Literal["responsible", "contributor", "funder", "monitor"]


class CommitmentIn(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    section: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=2000)
    parties: list[Party] = Field(default_factory=list, max_length=200)


def create_app(url: str) -> FastAPI:
    pool: asyncpg.Pool | None = None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        nonlocal pool
        pool = await asyncpg.create_pool(url, min_size=2, max_size=10)
        await pool.execute(TABLE)
        yield
        await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/v1/plans/{plan_id}/commitments", status_code=201)
    async def make(plan_id: str, body: CommitmentIn) -> dict[str, str]:
        assert pool is not None
        new = uuid.uuid4()
        try:
            await pool.execute(
                "INSERT INTO commitments (id, plan_id, code, section, title, parties) "
                "VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
                new,
                plan_id,
                body.code,
                body.section,
                body.title,
                json.dumps([p.model_dump() for p in body.parties]),
            )
        except asyncpg.UniqueViolationError:
            raise HTTPException(409, f"commitment {body.code!r} exists") from None
        return {"id": str(new), "code": body.code}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


if __name__ == "__main__":
    process.tune_garbage_collector()
    uvicorn.run(
        create_app(sys.argv[2]),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        log_config=None,
        access_log=False,
    )
