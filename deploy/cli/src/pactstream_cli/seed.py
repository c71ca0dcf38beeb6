"""Loads the demo plans in ``deploy/seeds/`` through the public API, idempotently:
each plan and commitment carries its own id, so a second run finds them (409) and
moves on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from pactstream_cli.paths import home


def seed_files() -> list[Path]:
    return sorted((home() / "deploy" / "seeds").glob("*.json"))


def load(
    base_url: str, key: str, files: list[Path] | None = None, funding_url: str | None = None
) -> dict[str, int]:
    """Post every seed file's plan and commitments to commitments at ``base_url``, and
    its funding (sources, agreements, targets) to funding at ``funding_url``."""
    counts = {"plans": 0, "commitments": 0, "status_changes": 0, "funding": 0, "existing": 0}
    headers = {"Authorization": f"Bearer {key}"}
    funding = (
        httpx.Client(base_url=funding_url, headers=headers, timeout=30) if funding_url else None
    )
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        for path in files or seed_files():
            doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            plan = doc["plan"]
            r = client.post("/v1/plans", json=plan)
            _check(r, path)
            counts["plans" if r.status_code == 201 else "existing"] += 1
            for c in doc.get("commitments", []):
                body = {k: v for k, v in c.items() if k not in {"status_history", "milestones"}}
                r = client.post(f"/v1/plans/{plan['id']}/commitments", json=body)
                _check(r, path)
                if r.status_code != 201:
                    counts["existing"] += 1
                    continue
                counts["commitments"] += 1
                for milestone in c.get("milestones", []):
                    r = client.post(f"/v1/commitments/{c['id']}/milestones", json=milestone)
                    _check(r, path)
                for change in c.get("status_history", []):
                    r = client.post(f"/v1/commitments/{c['id']}/status", json=change)
                    _check(r, path)
                    counts["status_changes"] += 1
            for target in doc.get("plan_targets", []):  # The same again answers 200.
                r = client.post(f"/v1/plans/{plan['id']}/targets", json=target)
                _check(r, path)
            if funding is not None:
                section = doc.get("funding", {})
                for kind, path_ in (
                    ("sources", "/v1/sources"),
                    ("agreements", "/v1/agreements"),
                    ("targets", "/v1/targets"),
                ):
                    for item in section.get(kind, []):
                        r = funding.post(path_, json=item)
                        _check(r, path)
                        counts["funding" if r.status_code == 201 else "existing"] += 1
    if funding is not None:
        funding.close()
    return counts


def _check(response: httpx.Response, path: Path) -> None:
    if response.status_code >= 400 and response.status_code != 409:
        raise SystemExit(
            f"pactstream: seeding {path.name} failed: {response.status_code} {response.text}"
        )
