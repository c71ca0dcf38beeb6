"""Operators' commands: rebuild or verify reporting's read models, manage
credentials, list and replay dead letters. Each imports what it needs itself."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from shared import process

#: The same as ``shared.settings.DEVELOPMENT_OPERATOR_KEY`` (a test says so).
DEVELOPMENT_OPERATOR_KEY = "pactstream-dev-operator-key"


def operator_key() -> str:
    return os.environ.get("PACTSTREAM_OPERATOR_KEY") or DEVELOPMENT_OPERATOR_KEY


def progress_bar(label: str) -> Callable[[int, int], None]:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""
    last = [0.0]

    def draw(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.1 and done < total:
            return
        last[0] = now
        width = 30
        filled = width if total == 0 else int(width * done / total)
        bar = "#" * filled + "." * (width - filled)
        sys.stderr.write(f"\r{label} [{bar}] {done}/{total} events")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return draw


def _processes(workers: int) -> str:
    return "in this process" if workers == 1 else f"in {workers} worker processes"


def cmd_reporting(args: argparse.Namespace) -> int:
    """Rebuild reporting's read models from the topics, or verify the live ones."""
    import asyncio

    from reporting.adapters.rebuild import Rebuilder, drop_retired
    from reporting.bootstrap import TOPICS
    from reporting.settings import ReportingSettings
    from shared.contracts import build_registry

    settings = ReportingSettings()
    process.tune_garbage_collector()
    if args.action == "drop-retired":
        dropped = asyncio.run(drop_retired(settings.database_url))
        print(f"pactstream: dropped {', '.join(dropped) or 'nothing'}")
        return 0
    rebuilder = Rebuilder(
        database_url=settings.database_url,
        kafka=settings.kafka,
        topics=[settings.topic(t) for t in TOPICS],
        consumer=f"{settings.topic_prefix}.reporting",
        registry=build_registry(),
        progress=progress_bar(f"{args.action:>8}"),
        workers=args.workers,
    )
    if args.action == "rebuild":
        retired = asyncio.run(rebuilder.rebuild())
        print(
            f"pactstream: read models rebuilt ({_processes(rebuilder.workers_used)}) and swapped "
            f"in; the old ones are in schema {retired} "
            "(./pactstream reporting drop-retired removes them)"
        )
        return 0
    differences = asyncio.run(rebuilder.verify())
    print(f"pactstream: verify: replayed {_processes(rebuilder.workers_used)}")
    if not differences:
        print("pactstream: verify: the live read models equal a rebuild from the topics")
        return 0
    for d in differences:
        print(f"{d.table}: {d.only_live} rows only in live, {d.only_rebuilt} only in rebuild")
        for sample in d.samples:
            print(f"    {sample}")
    return 1


def cmd_access(args: argparse.Namespace) -> int:
    """Credentials through the commitments API, with the operator key."""
    import httpx

    if args.action == "sealing-key":  # Local: a fresh key for PACTSTREAM_SECRETS_KEYS.
        from shared.sealing import new_key

        print(new_key())
        return 0
    if args.action not in ("reseal",) and not args.target:
        print(f"pactstream: access {args.action} needs a partner", file=sys.stderr)
        return 2
    headers = {"Authorization": f"Bearer {operator_key()}"}
    with httpx.Client(base_url=args.url, headers=headers, timeout=15) as client:
        if args.action == "add":
            scopes = {"plans": args.plan or [], "parties": args.party or []}
            body = {"name": args.target, "role": args.role, "scopes": scopes}
            if args.source:
                body["sources"] = args.source
            r = client.post("/v1/access/partners", json=body)
        elif args.action == "rotate":
            r = client.post(f"/v1/access/partners/{args.target}/keys")
        elif args.action == "retire":
            r = client.delete(f"/v1/access/partners/{args.target}/keys/{args.key_id}")
        elif args.action == "revoke":
            r = client.delete(f"/v1/access/partners/{args.target}")
        elif args.action == "reseal":
            r = client.post("/v1/access/webhook-secrets/reseal")
        else:
            r = client.get(f"/v1/access/partners/{args.target}")
    if r.status_code >= 400:
        print(f"pactstream: {r.status_code} {r.text}", file=sys.stderr)
        return 1
    print(r.text if r.content else f"pactstream: {args.action} done")
    return 0


def _consumer_of(service: str) -> tuple[Any, Any]:
    """The settings of a service and the handler of each of its consumers, by name:
    the access topic's honours credentials, the other is the service's own; both
    decode with one registry, built here as the service's composition root would."""
    from functools import partial

    from shared import access
    from shared.contracts import build_registry

    registry = build_registry()
    if service == "funding":
        from funding.adapters.directory import replicate
        from funding.settings import FundingSettings

        settings: Any = FundingSettings()
        own: Any = partial(replicate, registry)
    else:
        from reporting.adapters.projections import project
        from reporting.settings import ReportingSettings

        settings = ReportingSettings()
        own = partial(project, registry)

    def handler_of(consumer: str) -> Any:
        return partial(access.honour, registry) if consumer.endswith(".access") else own

    return settings, handler_of


def cmd_dlq(args: argparse.Namespace) -> int:
    """Dead letters: messages a consumer could not apply, kept with their error."""
    import asyncio

    from shared.consumer import dlq
    from shared.database import create_pool

    settings, handler_of = _consumer_of(args.service)

    async def run() -> int:
        pool = await create_pool(settings.database_url, min_size=1, max_size=2)
        try:
            if args.action == "list":
                shown = await dlq.dead_letters(pool, replayed=args.all)
                for dead in shown:
                    print(dead.line())
                if not shown:
                    print("pactstream: no dead letters waiting")
                return 0
            ids = [int(i) for i in args.ids] or [d.id for d in await dlq.dead_letters(pool)]
            failed = 0
            for dead_letter_id in ids:
                outcome = await dlq.replay_dead_letter(
                    pool, settings.kafka, dead_letter_id, handler_of
                )
                print(outcome)
                failed += "replayed:" not in outcome
            return 1 if failed else 0
        finally:
            await pool.close()

    return asyncio.run(run())


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], positive: Callable[[str], int]
) -> None:
    """The ``reporting``, ``access`` and ``dlq`` commands."""
    rep = sub.add_parser("reporting", help="rebuild or verify reporting's read models")
    rep.add_argument("action", choices=["rebuild", "verify", "drop-retired"])
    rep.add_argument(
        "--workers",
        type=positive,
        default=None,
        help="replay in this many processes (default: one per core, one for a small replay)",
    )
    rep.set_defaults(func=cmd_reporting)

    acc = sub.add_parser("access", help="issue, rotate, retire and revoke credentials")
    acc.add_argument(
        "action",
        choices=["add", "rotate", "retire", "revoke", "show", "reseal", "sealing-key"],
        help="reseal: seal every webhook secret again under the first sealing key; "
        "sealing-key: print a new key for PACTSTREAM_SECRETS_KEYS",
    )
    acc.add_argument("target", nargs="?", help="the partner's name (add) or id (others)")
    acc.add_argument("key_id", nargs="?", help="the key to retire")
    acc.add_argument("--role", choices=["partner", "reader", "operator"], default="partner")
    acc.add_argument("--plan", action="append", help="limit writes to this plan (repeatable)")
    acc.add_argument("--party", action="append", help="limit writes to this party (repeatable)")
    acc.add_argument(
        "--source",
        action="append",
        help="a CloudEvents source only this partner may post with (repeatable)",
    )
    acc.add_argument("--url", default="http://127.0.0.1:8001", help="commitments base URL")
    acc.set_defaults(func=cmd_access)

    dlq = sub.add_parser("dlq", help="list and replay dead-lettered messages")
    dlq.add_argument("action", choices=["list", "replay"])
    dlq.add_argument("ids", nargs="*", help="dead letters to replay (default: all waiting)")
    dlq.add_argument("--service", choices=["reporting", "funding"], default="reporting")
    dlq.add_argument("--all", action="store_true", help="list replayed ones too")
    dlq.set_defaults(func=cmd_dlq)
