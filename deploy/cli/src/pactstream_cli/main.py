"""``./pactstream``: run the platform locally, serve one replica, run the tests."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Sequence

from pactstream_cli import importing, infra, operate
from pactstream_cli.operate import operator_key
from pactstream_cli.paths import home
from pactstream_cli.up import SERVICES, cmd_up
from shared import process

# Commands import what they need themselves: `infra status`, which tests and operators
# call in loops, starts in a fraction of the second the services' imports take.


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.port is not None:
        os.environ["PACTSTREAM_PORT"] = str(args.port)
    os.environ.setdefault("PACTSTREAM_HOST", args.host)
    if args.no_workers:
        os.environ["PACTSTREAM_RUN_WORKERS"] = "false"
    if args.service == "commitments":
        from commitments.bootstrap import create_app
        from commitments.settings import CommitmentsSettings as Settings
    elif args.service == "funding":
        from funding.bootstrap import create_app  # type: ignore[assignment]
        from funding.settings import FundingSettings as Settings  # type: ignore[assignment]
    else:
        from reporting.bootstrap import create_app  # type: ignore[assignment]
        from reporting.settings import ReportingSettings as Settings  # type: ignore[assignment]
    settings = Settings()
    from shared import logs

    logs.configure(settings.service, settings.log_level, settings.log_format)
    from shared import tracing

    tracing.configure(settings.service, settings.traces, settings.otlp_endpoint)
    app = create_app(settings)
    # While it serves, uvicorn drains on SIGTERM (requests, then the lifespan: workers
    # finish their batch) and then re-raises the signal to this handler, so a clean
    # drain exits 0 instead of "killed by SIGTERM"; before uvicorn has installed its
    # own, a SIGTERM ends the process at once, as cleanly.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    process.tune_garbage_collector()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=None,
        loop="uvloop",  # Both installed for this (shared's dependencies), for speed.
        http="httptools",
        timeout_graceful_shutdown=8,
        access_log=False,
    )
    return 0


#: ``test``'s lint stage, each a tool of .venv/bin and its arguments, run from the
#: repository's root; .pre-commit-config.yaml runs the same (a test compares them).
LINT_CHECKS: list[tuple[str, list[str]]] = [
    ("ruff", ["ruff", "check", "."]),
    ("ruff format", ["ruff", "format", "--check", "."]),
    ("import contracts", ["lint-imports"]),
    ("mypy", ["mypy"]),
]


def cmd_test(args: argparse.Namespace) -> int:
    root = home()
    bin_dir = os.path.dirname(sys.executable)
    if not args.skip_checks:
        for name, (tool, *rest) in LINT_CHECKS:
            print(f"pactstream: {name}", flush=True)
            command = [os.path.join(bin_dir, tool), *rest]
            if subprocess.run(command, cwd=root).returncode != 0:
                print(f"pactstream: {name} failed", file=sys.stderr)
                return 1
    chromium = infra.ensure_chromium()
    env = infra.start(infra.Layout.local(brokers=1, secure=False))
    try:
        test_env = {
            **os.environ,
            **env.env(),
            "PACTSTREAM_ENVIRONMENT": "test",
            "PACTSTREAM_CHROMIUM": chromium,
        }
        result = subprocess.run(
            [sys.executable, "-m", "pytest", *args.pytest_args], cwd=root, env=test_env
        )
        return result.returncode
    finally:
        env.stop_started()


def cmd_infra(args: argparse.Namespace) -> int:
    if args.action == "start":
        layout = infra.Layout.local(brokers=args.kafka_brokers, secure=args.secure)
        started = infra.start(layout)
        for k, v in started.env().items():
            print(f"{k}={'(a secret: ./pactstream infra env prints it)' if 'PASSWORD' in k else v}")
        return 0
    if args.action == "stop":
        infra.stop()
        return 0
    if args.action == "env":
        for k, v in infra.Layout.local().env().items():
            print(f"export {k}={shlex.quote(v)}")
        return 0
    return infra.status(as_json=args.json)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _sizes(text: str) -> list[int]:
    """``1000000,3000000``: whole numbers of at least 1000, separated by commas."""
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1000:
        raise argparse.ArgumentTypeError(f"expected sizes of at least 1000, got {text!r}")
    return sizes


def _bench_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bench = sub.add_parser("bench", help="benchmarks and their peers; writes bench/results.*")
    bench.add_argument("--quick", action="store_true", help="small sizes")
    bench.add_argument(
        "--curve-sizes",
        type=_sizes,
        metavar="N,N,...",
        help="stored events at each point of the cost curves "
        "(default: 100000,300000 quick, 1000000,3000000 full)",
    )
    bench.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace) -> int:
    """Every benchmark figure with its peer, on the local infrastructure."""
    from pactstream_bench.run import main as bench

    env = infra.start(infra.Layout.local(brokers=1, secure=False))
    try:
        os.environ.update(env.env())
        return bench(quick=args.quick, curve_sizes=args.curve_sizes)
    finally:
        env.stop_started()


def cmd_docs(args: argparse.Namespace) -> int:
    """Write the generated AsyncAPI document under docs/, and lock each newly
    published event schema in docs/published-contracts.json; refuse (writing nothing)
    when a locked schema changed in a way its readers could not read."""
    import json

    from shared import asyncapi, compatibility
    from shared.contracts import build_registry

    registry = build_registry()
    lock_file = home() / "docs" / "published-contracts.json"
    locked = json.loads(lock_file.read_text()) if lock_file.exists() else {}
    lock, reasons = compatibility.relock(locked, compatibility.published_schemas(registry))
    if reasons:
        print("pactstream: these published schemas would break their readers:", file=sys.stderr)
        for reason in reasons:
            print(f"  {reason}", file=sys.stderr)
        print("a breaking change is a new schema version (CONTRIBUTING.md)", file=sys.stderr)
        return 1
    target = home() / "docs" / "asyncapi.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(asyncapi.document(registry), indent=2, ensure_ascii=False) + "\n")
    lock_file.write_text(json.dumps(lock, indent=1, ensure_ascii=False) + "\n")
    print(f"pactstream: wrote {target.relative_to(home())} and {lock_file.relative_to(home())}")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from pactstream_cli import seed

    counts = seed.load(args.url, operator_key(), funding_url=args.funding_url)
    print(f"pactstream: demo data loaded {counts}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from pactstream_cli import migrate

    return migrate.run(status_only=args.status, services=args.service)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pactstream", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="provision Kafka and PostgreSQL, run all services, load demo")
    up.add_argument("--no-seed", action="store_true", help="do not load the demo plans")
    up.set_defaults(func=cmd_up)

    test = sub.add_parser("test", help="lint, type-check, then the whole test suite")
    test.add_argument("--skip-checks", action="store_true", help="skip ruff, import-linter, mypy")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed on to pytest")
    test.set_defaults(func=cmd_test)

    inf = sub.add_parser("infra", help="local Kafka and PostgreSQL")
    inf.add_argument("action", choices=["start", "stop", "status", "env"])
    inf.add_argument(
        "--kafka-brokers",
        type=_positive,
        default=None,
        help="start: a KRaft cluster of this many nodes (default: as last started, else 1)",
    )
    inf.add_argument(
        "--secure",
        action="store_true",
        default=None,
        help="start: TLS-only PostgreSQL (password) and Kafka (SASL_SSL, SCRAM-SHA-512)",
    )
    inf.add_argument("--json", action="store_true", help="status: one JSON object")
    inf.set_defaults(func=cmd_infra)

    serve = sub.add_parser("serve", help="run one replica of one service (API and workers)")
    serve.add_argument("service", choices=sorted(SERVICES))
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--no-workers", action="store_true", help="API only: no relay/consumers")
    serve.set_defaults(func=cmd_serve)

    mig = sub.add_parser("migrate", help="apply (or list) the service databases' migrations")
    mig.add_argument("--status", action="store_true", help="list applied and pending revisions")
    mig.add_argument("--service", action="append", choices=sorted(SERVICES), help="only these")
    mig.set_defaults(func=cmd_migrate)

    operate.add_commands(sub, _positive)
    importing.add_command(sub)

    _bench_parser(sub)

    docs = sub.add_parser("docs", help="write docs/asyncapi.json from the event contracts")
    docs.set_defaults(func=cmd_docs)

    sd = sub.add_parser("seed", help="load the demo plans through the API")
    sd.add_argument("--url", default="http://127.0.0.1:8001", help="commitments base URL")
    sd.add_argument("--funding-url", default="http://127.0.0.1:8002", help="funding base URL")
    sd.set_defaults(func=cmd_seed)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command not in ("infra", "test", "bench"):
        infra.apply_local_env()
    if args.command == "serve" and args.port is None:
        args.port = int(os.environ.get("PACTSTREAM_PORT", SERVICES[args.service]))
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
