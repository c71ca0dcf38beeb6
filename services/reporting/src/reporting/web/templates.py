"""The dashboard's Jinja environment, built once by the composition root."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from reporting.application.history import MONEY, STATUSES
from reporting.web.history_charts import money_lines, status_bars


def thousands(amount: str) -> str:
    """``1234567.50`` → ``1 234 567.50`` with narrow no-break spaces."""
    whole, _, cents = amount.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + "\u202f".join(groups or ["0"]) + (f".{cents}" if cents else "")


def build_templates() -> Environment:
    templates = Environment(
        loader=FileSystemLoader(str(files("reporting.web").joinpath("templates"))),
        autoescape=select_autoescape(["html"]),
    )
    templates.filters["thousands"] = thousands
    templates.globals.update(
        status_bars=status_bars,
        money_lines=money_lines,
        statuses=STATUSES,
        money_figures=MONEY,
    )
    return templates


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page, with the session's CSRF token for its forms when someone signed in, or
    a way to sign in for a visitor to a public plan."""
    templates: Environment = request.app.state.templates
    context.setdefault("csrf", getattr(request.state, "csrf", None))
    context.setdefault("visitor", getattr(request.state, "visitor", False))
    return HTMLResponse(templates.get_template(name).render(**context), status_code=status)
