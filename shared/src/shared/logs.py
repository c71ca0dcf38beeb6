"""JSON structured logs, one object a line, with what ties a line to its request: the
request id, the partner, the stream and the trace, carried in context variables."""

from __future__ import annotations

import json
import logging
import sys
import time
from contextvars import ContextVar
from typing import Any, Final

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
partner: ContextVar[str | None] = ContextVar("partner", default=None)
stream_id: ContextVar[str | None] = ContextVar("stream_id", default=None)
trace_id: ContextVar[str | None] = ContextVar("trace_id", default=None)

#: One line a request (``shared.http.asgi.MetricsAndErrors``), at INFO whatever the
#: service's log level; ``PACTSTREAM_ACCESS_LOG=false`` turns it off.
ACCESS: Final = logging.getLogger("pactstream.access")

_CONTEXT: Final = (
    ("request_id", request_id),
    ("partner", partner),
    ("stream_id", stream_id),
    ("trace_id", trace_id),
)


def trace_of(traceparent: str | None) -> str | None:
    """The trace id of a W3C ``traceparent`` (``00-<trace>-<span>-<flags>``)."""
    if not traceparent:
        return None
    parts = traceparent.split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, var in _CONTEXT:
            value = var.get()
            if value is not None:
                line[name] = value
        # Structured fields a caller passed as ``extra={"fields": {...}}``; a field
        # that is None says "not known" and is left out like the context's.
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update((k, v) for k, v in fields.items() if v is not None)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(service: str, level: str = "info", fmt: str = "json") -> None:
    """Route every logger (uvicorn's too) through one handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
