"""The OpenAPI document describes every JSON view field by field, and its errors."""

from __future__ import annotations

from typing import Any

from reporting.bootstrap import create_app
from reporting.settings import ReportingSettings


def _document() -> dict[str, Any]:
    return create_app(ReportingSettings()).openapi()


def test_every_json_view_declares_its_schema_and_problem_answers() -> None:
    document = _document()
    views = {
        path: ops["get"]
        for path, ops in document["paths"].items()
        if path.startswith("/v1/")
        and "get" in ops
        and not path.endswith((".csv", ".xlsx", ".json", ".xml"))
    }
    assert len(views) >= 8
    for path, op in views.items():
        schema = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in schema or "$ref" in schema.get("items", {}), path
        assert "application/problem+json" in op["responses"]["401"]["content"], path
        if "{" in path:
            assert "application/problem+json" in op["responses"]["404"]["content"], path


def test_view_models_name_their_fields() -> None:
    schemas = _document()["components"]["schemas"]
    assert {"as_of", "known_at", "timeline", "indicators", "funding"} <= set(
        schemas["CommitmentView"]["properties"]
    )
    assert set(schemas["TimelineEntry"]["properties"]) == {
        "event_id",
        "type",
        "source",
        "occurred_at",
        "recorded_at",
        "partner",
        "data",
    }


def test_every_list_and_view_has_its_csv_xlsx_and_json_file() -> None:
    paths = _document()["paths"]
    # Reports, not the status, the feed or subscriptions (a partner's own settings).
    views = [
        p
        for p in paths
        if p.startswith("/v1/")
        and "." not in p
        and p != "/v1/status"
        and not p.startswith(("/v1/feed", "/v1/subscriptions"))
    ]
    for view in views:
        for suffix in (".csv", ".xlsx", ".json"):
            exported = view + suffix
            assert exported in paths, exported
            content = paths[exported]["get"]["responses"]["200"]["content"]
            assert {"text/csv; charset=utf-8", "application/json"} <= set(content)
