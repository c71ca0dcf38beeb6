"""``./pactstream up``: the platform on one machine, looked after. PostgreSQL and Kafka
(unless external ones are configured) and one replica of each service, each restarted
if it exits, the demo data loaded once every service is ready; Ctrl-C stops what it
started."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from functools import partial

from pactstream_cli import infra, replicas
from pactstream_cli.operate import DEVELOPMENT_OPERATOR_KEY, operator_key
from pactstream_cli.supervise import Child, Supervisor

#: Each service and the port ``up`` runs it on by default.
SERVICES = {"commitments": 8001, "funding": 8002, "reporting": 8003}


def service_ports() -> dict[str, int]:
    """Where ``up`` runs each service: 8001-8003, or ``PACTSTREAM_<SERVICE>_PORT``."""
    return {
        name: int(os.environ.get(f"PACTSTREAM_{name.upper()}_PORT", port))
        for name, port in SERVICES.items()
    }


def _infrastructure(layout: infra.Layout, started: infra.Infra) -> list[Child]:
    """The local servers ``up`` looks after (external ones are someone else's)."""
    children = []

    def start_postgres() -> None:  # pg_ctl detaches the server: no child to keep.
        infra.start_postgres(layout)

    if started.postgres_url is None:
        children.append(
            Child(
                "postgres",
                layout.pg_port,
                start=start_postgres,
                find_pid=lambda: infra.postgres_pid(layout),
            )
        )
    if started.kafka_bootstrap is None:
        for name, node in infra.iter_nodes(layout):
            children.append(
                Child(
                    name,
                    layout.broker_port(node),
                    start=lambda node=node: infra.start_kafka_node(layout, node),  # type: ignore[misc]
                    find_pid=lambda node=node: infra.kafka_pids(layout)[node],  # type: ignore[misc]
                )
            )
    return children


def cmd_up(args: argparse.Namespace) -> int:
    layout = infra.Layout.local()
    stopping = threading.Event()
    supervising = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stopping.set()
        if not supervising.is_set():  # Still starting the servers: interrupt that.
            raise KeyboardInterrupt

    # Installed first, explicitly: a process started in the background inherits SIGINT
    # ignored, and a signal while the servers start must stop what has started.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    started: infra.Infra | None = None
    supervisor: Supervisor | None = None
    try:
        started = infra.start(layout)
        supervising.set()
        key = operator_key()
        env = {**started.env(), "PACTSTREAM_OPERATOR_KEY": key}
        os.environ.update(env)
        ports = service_ports()
        environment = {**os.environ, **env}
        services = [
            Child(name, port, start=partial(replicas.spawn, name, port, environment))
            for name, port in ports.items()
        ]
        supervisor = Supervisor(
            [*_infrastructure(layout, started), *services], layout.root / "run" / "up.json"
        )
        for child in supervisor.children:
            pid = child.find_pid()
            supervisor.adopt(child, infra.child_process(pid) if pid else child.start())
        _supervise(supervisor, ports, key, stopping, seed=not args.no_seed)
        print("\npactstream: stopping", flush=True)
        return 0
    except KeyboardInterrupt:
        print("\npactstream: stopping", flush=True)
        return 0
    finally:
        if supervisor is not None:
            supervisor.settle()
            supervisor.stop(set(SERVICES))
            supervisor.close()
        if started is not None:
            started.stop_started()


def _supervise(
    supervisor: Supervisor,
    ports: dict[str, int],
    key: str,
    stopping: threading.Event,
    *,
    seed: bool,
) -> None:
    """Tick until told to stop; once every service is ready, announce the platform
    and load the demo (in the background: the ticks go on)."""
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    announced = False
    while not stopping.is_set():
        supervisor.tick()
        if not announced and all(replicas.is_ready(url) for url in urls.values()):
            announced = True
            if seed:
                threading.Thread(target=_seed, args=(urls, key), name="seed", daemon=True).start()
            _announce(urls, key)
        stopping.wait(0.5)


def _seed(urls: dict[str, str], key: str) -> None:
    from pactstream_cli import seed

    try:
        counts = seed.load(urls["commitments"], key, funding_url=urls["funding"])
    except Exception as exc:  # The platform runs on; the demo can be loaded later.
        print(
            f"pactstream: the demo data did not load ({exc}); ./pactstream seed retries", flush=True
        )
        return
    print(f"pactstream: demo data loaded {counts}", flush=True)


def _announce(urls: dict[str, str], key: str) -> None:
    print("\nPactstream is running:")
    for name, url in urls.items():
        print(f"  {name:<12} {url}   (OpenAPI: /docs, /openapi.json)")
    print(f"\n  operator key: {key}")
    if key == DEVELOPMENT_OPERATOR_KEY:
        print("  (a development key; set PACTSTREAM_OPERATOR_KEY to choose your own)")
    print(
        "\nA process that exits is restarted; ./pactstream infra status shows them all."
        "\nCtrl-C stops everything started here.",
        flush=True,
    )
