"""A bare FastAPI JSON endpoint: the ceiling for a JSON POST on this machine, served
with the same uvicorn settings as the services."""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Body(BaseModel):
    code: str
    title: str


@app.post("/echo", status_code=201)
async def echo(body: Body) -> dict[str, str]:
    return {"id": body.code, "title": body.title}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
