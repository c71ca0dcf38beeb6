"""The request deadline, on an in-process app (no network)."""

import asyncio

import httpx
from fastapi import FastAPI

from shared.http.asgi import Deadline


async def test_a_request_past_its_deadline_gets_503_with_retry_after() -> None:
    app = FastAPI()
    app.add_middleware(Deadline, seconds=0.05)

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(1)
        return {"done": "yes"}

    @app.get("/fast")
    async def fast() -> dict[str, str]:
        return {"done": "yes"}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        slow_answer = await client.get("/slow")
        fast_answer = await client.get("/fast")
    assert slow_answer.status_code == 503
    assert slow_answer.headers["retry-after"] == "1"
    assert slow_answer.json()["type"].endswith("/timeout")
    assert fast_answer.status_code == 200
