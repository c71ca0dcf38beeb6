"""Local Kafka (KRaft, from Apache Kafka's artifacts on Maven Central: one node, or a
cluster of several) and PostgreSQL (Debian's package), each reused when the
environment names a reachable one.

Where it all lives is a :class:`Layout`: a state folder (``.local/`` of the checkout
by default; ``PACTSTREAM_LOCAL_DIR`` moves it), the ports, the number of Kafka
brokers and whether the servers accept only TLS. ``.local/infra.json`` remembers the
shape the infrastructure was last started in, so every later command (``serve``,
``up``, ``reporting verify``) reaches it without being told again. Everything listens
on loopback only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pactstream_cli.infra.common import (
    alive,
    apt_install,
    free_port_block,
    host_port,
    port_open,
    read_json,
    say,
    write_json,
)
from pactstream_cli.infra.kafka import (
    child_process,
    kafka_external,
    kafka_pids,
    start_kafka,
    start_kafka_node,
    stop_kafka,
    stop_kafka_node,
)
from pactstream_cli.infra.layout import PG_USER, Layout
from pactstream_cli.infra.postgres import (
    postgres_external,
    postgres_pid,
    postgres_root,
    start_postgres,
    stop_postgres,
    url_host_port,
)
from pactstream_cli.paths import home

__all__ = [
    "PG_USER",
    "Infra",
    "Layout",
    "alive",
    "apply_local_env",
    "child_process",
    "ensure_chromium",
    "free_port_block",
    "home",
    "iter_nodes",
    "kafka_external",
    "kafka_pids",
    "port_open",
    "postgres_external",
    "postgres_pid",
    "postgres_root",
    "start",
    "start_kafka",
    "start_kafka_node",
    "start_postgres",
    "status",
    "stop",
    "stop_kafka",
    "stop_kafka_node",
    "stop_postgres",
    "write_json",
]


CHROMIUM = "/usr/bin/chromium"


def ensure_chromium() -> str:
    """Debian's Chromium for the browser test (never a browser download of its own)."""
    if not os.path.exists(CHROMIUM):
        apt_install("chromium", "fonts-dejavu-core")
    return CHROMIUM


@dataclass
class Infra:
    """The servers a command uses, and which of them it started."""

    layout: Layout
    postgres_url: str | None = None  # an external server, if one is used
    kafka_bootstrap: str | None = None
    started_postgres: bool = False
    started_kafka: bool = False

    def env(self) -> dict[str, str]:
        env = self.layout.env()
        if self.postgres_url is not None:
            env = {k: v for k, v in env.items() if not k.startswith("PACTSTREAM_POSTGRES_")}
            env["PACTSTREAM_POSTGRES_URL"] = self.postgres_url
        if self.kafka_bootstrap is not None:
            env = {k: v for k, v in env.items() if not k.startswith("PACTSTREAM_KAFKA_")}
            env["PACTSTREAM_KAFKA_BOOTSTRAP"] = self.kafka_bootstrap
        return env

    def stop_started(self) -> None:
        if self.started_kafka:
            stop_kafka(self.layout)
        if self.started_postgres:
            stop_postgres(self.layout)


def _remember(layout: Layout) -> None:
    write_json(
        layout.root / "infra.json",
        {
            "brokers": layout.brokers,
            "secure": layout.secure,
            "postgres_url": layout.postgres_url,
            "bootstrap": layout.bootstrap,
        },
    )


def start(layout: Layout | None = None, *, environment: bool = True) -> Infra:
    """Ensure the layout's servers run; with ``environment``, servers the environment
    names instead (``PACTSTREAM_POSTGRES_URL``, ``PACTSTREAM_KAFKA_BOOTSTRAP``) are
    used as they are. Returns what was started."""
    layout = layout or Layout.local()
    infra = Infra(layout)
    external_pg = postgres_external(layout) if environment else None
    external_kafka = kafka_external(layout) if environment else None
    _refuse_another_shape(layout, postgres=not external_pg, kafka=not external_kafka)
    _remember(layout)
    if external_pg:
        infra.postgres_url = _reachable("PostgreSQL", external_pg, url_host_port(external_pg))
    else:
        infra.started_postgres = start_postgres(layout)
    try:
        if external_kafka:
            where = host_port(external_kafka)
            infra.kafka_bootstrap = _reachable("Kafka", external_kafka, where)
        else:
            infra.started_kafka = start_kafka(layout)
    except BaseException:
        if infra.started_postgres:
            stop_postgres(layout)
        raise
    return infra


def _refuse_another_shape(layout: Layout, *, postgres: bool, kafka: bool) -> None:
    """Servers of this state folder running in another shape are not silently reused."""
    was = read_json(layout.root / "infra.json")
    if not was:
        return
    running = (postgres and port_open("127.0.0.1", layout.pg_port)) or (
        kafka and port_open("127.0.0.1", layout.kafka_port)
    )
    shape = {"brokers": layout.brokers, "secure": layout.secure}
    if running and {k: was.get(k) for k in shape} != shape:
        raise SystemExit(
            f"pactstream: the local servers run with {was.get('brokers')} broker(s), "
            f"secure={was.get('secure')}; stop them first (./pactstream infra stop) to start "
            f"them with {layout.brokers} broker(s), secure={layout.secure}"
        )


def _reachable(what: str, where: str, address: tuple[str, int]) -> str:
    """``where``, once a server answers there (else the command stops, saying so)."""
    if not port_open(*address, timeout=2):
        raise SystemExit(f"pactstream: {what} at {_safe(where)} is not reachable")
    say(f"using {what} at {_safe(where)}")
    return where


def _safe(url: str) -> str:
    return url.split("@")[-1]


def stop(layout: Layout | None = None) -> None:
    layout = layout or Layout.local()
    stop_kafka(layout)
    stop_postgres(layout)


def apply_local_env() -> None:
    """Point this process at the local servers in the shape they were started in,
    unless the environment names servers already (secured ones need their settings:
    passwords, CA files)."""
    if "PACTSTREAM_POSTGRES_URL" in os.environ or "PACTSTREAM_KAFKA_BOOTSTRAP" in os.environ:
        return
    layout = Layout.local()
    if not (layout.root / "infra.json").exists():
        return
    for key, value in layout.env().items():
        os.environ.setdefault(key, value)


def processes(layout: Layout) -> list[dict[str, Any]]:
    """Every local server process of the layout: name, pid, port, state, restarts."""
    found: list[dict[str, Any]] = []
    if not postgres_external(layout):
        pid = postgres_pid(layout)
        found.append(_process("postgres", pid, layout.pg_port))
    if not kafka_external(layout):
        pids = kafka_pids(layout)
        for name, node in iter_nodes(layout):
            found.append(_process(name, pids[node], layout.broker_port(node)))
    return found


def _process(name: str, pid: int | None, port: int | None) -> dict[str, Any]:
    return {
        "name": name,
        "pid": pid,
        "port": port,
        "state": "running" if pid is not None else "stopped",
        "restarts": 0,
    }


def supervised(layout: Layout) -> dict[str, Any] | None:
    """What a running ``./pactstream up`` says it supervises, if one runs."""
    found = read_json(layout.root / "run" / "up.json")
    pid = found.get("pid")
    if not isinstance(pid, int) or not alive(pid):
        return None
    return found


def status_processes(layout: Layout) -> list[dict[str, Any]]:
    """The servers, and while ``up`` runs what it supervises (its view wins: it
    knows restarts), in one list."""
    servers = processes(layout)
    running_up = supervised(layout)
    if running_up is None:
        return servers
    theirs = {p["name"]: p for p in running_up.get("processes", [])}
    merged = [theirs.pop(p["name"], p) for p in servers]
    return merged + list(theirs.values())


def status(layout: Layout | None = None, *, as_json: bool = False) -> int:
    layout = layout or Layout.local()
    listed = status_processes(layout)
    if as_json:
        print(json.dumps({"processes": listed}, indent=2))
    else:
        external = [("postgres", postgres_external(layout)), ("kafka", kafka_external(layout))]
        for name, where in external:
            if where:
                up = port_open(*(url_host_port(where) if name == "postgres" else host_port(where)))
                print(f"{name:<12} external  {_safe(where)}  {'up' if up else 'DOWN'}")
        for p in listed:
            print(
                f"{p['name']:<12} {p['state']:<10} port={p.get('port') or '-':<6} "
                f"pid={p.get('pid') or '-':<8} restarts={p.get('restarts', 0)}"
            )
    return 0 if all(p["state"] == "running" for p in listed) else 3


def iter_nodes(layout: Layout) -> Iterator[tuple[str, int]]:
    """(process name, node) of each Kafka node."""
    for node in layout.nodes():
        yield ("kafka" if layout.brokers == 1 else f"kafka-{node}"), node
