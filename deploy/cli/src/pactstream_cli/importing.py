"""``./pactstream import FILE --plan PLAN``: a plan's sections and commitments from a
CSV or XLSX sheet, through the commitments API (``POST /v1/plans/{plan}/import``)
with the operator key unless ``--key`` names another; prints each row's result and
exits 1 when a row is rejected (2 when the whole sheet is refused)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pactstream_cli.operate import operator_key

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def content_type(path: Path) -> str:
    return XLSX if path.suffix.casefold() in {".xlsx", ".xlsm"} else "text/csv"


def disposition(name: str) -> str:
    """``Content-Disposition`` for a file name in any script (RFC 6266): an ASCII
    ``filename`` for old readers and the exact name as ``filename*``."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def cmd_import(args: argparse.Namespace) -> int:
    import httpx

    path = Path(args.file)
    try:
        body = path.read_bytes()
    except OSError as exc:
        print(f"pactstream: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    headers = {
        "Authorization": f"Bearer {args.key or operator_key()}",
        "Content-Type": content_type(path),
        "Content-Disposition": disposition(path.name),
    }
    url = f"{args.url.rstrip('/')}/v1/plans/{args.plan}/import"
    try:
        answer = httpx.post(url, content=body, headers=headers, timeout=300)
    except httpx.HTTPError as exc:
        print(f"pactstream: {url}: {exc}", file=sys.stderr)
        return 2
    if answer.status_code != 200:
        print(f"pactstream: import refused ({answer.status_code}): {_detail(answer)}")
        return 2
    return report(answer.json())


def _detail(answer: Any) -> str:
    try:
        problem = answer.json()
    except ValueError:
        return str(answer.text)
    errors = "; ".join(str(e.get("detail", e)) for e in problem.get("errors") or [])
    return f"{problem.get('detail', '')}{f' ({errors})' if errors else ''}"


def report(answer: dict[str, Any]) -> int:
    """Print one line per row; 1 when a row was rejected."""
    results = answer["results"]
    for r in results:
        what = r["code"] or f"section {r.get('section') or ''}".strip()
        line = f"row {r['row']:>4}  {r['status']:<9}  {what}"
        print(f"{line}: {r['problem']}" if r.get("problem") else line)
    counts = {s: sum(r["status"] == s for r in results) for s in ("accepted", "unchanged")}
    rejected = len(results) - sum(counts.values())
    print(
        f"pactstream: {len(results)} rows: {counts['accepted']} accepted, "
        f"{counts['unchanged']} unchanged, {rejected} rejected"
    )
    if answer.get("ignored_columns"):
        print(f"pactstream: columns not imported: {', '.join(answer['ignored_columns'])}")
    return 1 if rejected else 0


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser("import", help="import a plan's sections and commitments from CSV/XLSX")
    imp.add_argument("file", help="a .csv or .xlsx sheet (the columns of the import template)")
    imp.add_argument("--plan", required=True, help="the plan's id")
    imp.add_argument("--url", default="http://127.0.0.1:8001", help="commitments base URL")
    imp.add_argument("--key", default=None, help="API key (default: the operator key)")
    imp.set_defaults(func=cmd_import)
