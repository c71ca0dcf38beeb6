"""A local Kafka in KRaft mode, one node or a cluster, plaintext or SASL_SSL only, from
Apache Kafka's artifacts on Maven Central."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pactstream_cli.infra.common import (
    alive,
    apt_install,
    port_open,
    read_json,
    read_pid,
    run,
    say,
    write_json,
)
from pactstream_cli.infra.layout import KAFKA_ADMIN, KAFKA_USER, Layout, ensure_certificates
from pactstream_cli.paths import home

if TYPE_CHECKING:
    from pactstream_cli import tls

KAFKA_VERSION_JAR = "kafka_2.13-*.jar"


def kafka_external(layout: Layout) -> str | None:
    """The cluster named by ``PACTSTREAM_KAFKA_BOOTSTRAP``, if it is not the layout's."""
    bootstrap = os.environ.get("PACTSTREAM_KAFKA_BOOTSTRAP")
    if bootstrap and bootstrap != layout.bootstrap:
        return bootstrap
    return None


def _fetch_kafka() -> Path:
    """Kafka's jars, fetched once per checkout and shared by every layout."""
    libs = home() / ".local" / "kafka" / "libs"
    if libs.exists() and any(libs.glob(KAFKA_VERSION_JAR)):
        return libs
    if shutil.which("java") is None:
        apt_install("openjdk-17-jre-headless")
    if shutil.which("mvn") is None:
        apt_install("maven")
    say("fetching Apache Kafka from Maven Central (once; cached in .local/kafka)")
    tmp = libs.with_name("libs.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(home() / "deploy" / "kafka" / "pom.xml"),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={tmp}",
            "-DincludeScope=runtime",
        ],
        stdout=subprocess.DEVNULL,
    )
    tmp.rename(libs)
    return libs


def _java_cmd(main: str, *args: str, heap: str) -> list[str]:
    libs = _fetch_kafka()
    return [
        "java",
        f"-Xmx{heap}",
        f"-Xms{heap}",
        # Kafka's own start script's settings (KAFKA_JVM_PERFORMANCE_OPTS). G1's
        # default pause goal, 200 ms, let one young collection stop a loaded broker
        # for 86 ms: every event in flight then waited as long.
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-Djava.awt.headless=true",
        f"-Dlog4j.configuration=file:{home() / 'deploy' / 'kafka' / 'log4j.properties'}",
        "-cp",
        f"{libs}/*",
        main,
        *args,
    ]


def _heap(layout: Layout) -> str:
    """Each node's heap: a single broker keeps the size it always had; a cluster's
    nodes take less each, three of them sharing one small machine."""
    return "768m" if layout.brokers == 1 else "512m"


def kafka_config(layout: Layout, node: int, files: tls.Files | None) -> str:
    """A node's ``server.properties``: the settings shared by every local node
    (``deploy/kafka/server.properties``), then this node's own."""
    base = (home() / "deploy" / "kafka" / "server.properties").read_text()
    voters = ",".join(f"{n}@127.0.0.1:{layout.controller_port(n)}" for n in layout.nodes())
    replicas = min(3, layout.brokers)
    port, controller = layout.broker_port(node), layout.controller_port(node)
    listener = "SASL_SSL" if files is not None else "PLAINTEXT"
    controller_protocol = "SSL" if files is not None else "PLAINTEXT"
    lines = [
        f"node.id={node}",
        f"controller.quorum.voters={voters}",
        f"listeners={listener}://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
        f"advertised.listeners={listener}://127.0.0.1:{port}",
        f"listener.security.protocol.map=CONTROLLER:{controller_protocol},{listener}:{listener}",
        f"inter.broker.listener.name={listener}",
        f"log.dirs={layout.node_dir(node) / 'data'}",
        f"default.replication.factor={replicas}",
        f"min.insync.replicas={2 if replicas >= 3 else 1}",
        f"offsets.topic.replication.factor={replicas}",
        f"transaction.state.log.replication.factor={replicas}",
        f"transaction.state.log.min.isr={2 if replicas >= 3 else 1}",
    ]
    if files is not None:
        admin_password = layout.credentials()["kafka_admin"]
        jaas = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{KAFKA_ADMIN}" password="{admin_password}";'
        )
        lines += [
            "sasl.enabled.mechanisms=SCRAM-SHA-512",
            "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
            f"listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config={jaas}",
            "ssl.keystore.type=PEM",
            f"ssl.keystore.location={files.server_keystore}",
            "ssl.truststore.type=PEM",
            f"ssl.truststore.location={files.ca_cert}",
            "ssl.client.auth=none",
            # Nodes talk to the controllers with the server certificate as a client
            # certificate; nobody else may (admin clients can reach controllers).
            "listener.name.controller.ssl.client.auth=required",
            "ssl.endpoint.identification.algorithm=https",
        ]
    return base + "\n# This node (written by ./pactstream infra start)\n" + "\n".join(lines) + "\n"


def _migrate_single_node_layout(layout: Layout) -> None:
    """Before clusters, one broker kept its data in ``kafka/data``: it is node 1's."""
    old = layout.kafka_dir / "data"
    if (old / "meta.properties").exists() and not layout.node_dir(1).exists():
        layout.node_dir(1).mkdir(parents=True)
        old.rename(layout.node_dir(1) / "data")


def _kafka_shape(layout: Layout) -> dict[str, Any]:
    return {"brokers": layout.brokers, "secure": layout.secure}


def new_cluster_id() -> str:
    """A random cluster id as Kafka makes one (``kafka-storage random-uuid``): a UUID in
    URL-safe base64, drawn again when it would start with ``-``, which the storage
    tool's arguments would read as an option (one id in 64; a CI run failed so)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _format_kafka(layout: Layout, files: tls.Files | None) -> None:
    """Format every node's storage for one cluster, when it is not formatted already
    for this shape; a different shape (brokers, security) starts from empty logs."""
    _migrate_single_node_layout(layout)
    shape_file = layout.kafka_dir / "shape.json"
    formatted = all(
        (layout.node_dir(n) / "data" / "meta.properties").exists() for n in layout.nodes()
    )
    if formatted and read_json(shape_file) in ({}, _kafka_shape(layout)):
        write_json(shape_file, _kafka_shape(layout))
        return
    if layout.kafka_dir.exists():
        say(
            f"Kafka's local data is for another shape; starting a new cluster in {layout.kafka_dir}"
        )
        for path in layout.kafka_dir.glob("node-*"):
            shutil.rmtree(path)
    cluster_id = new_cluster_id()
    for node in layout.nodes():
        config = layout.node_dir(node) / "server.properties"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(kafka_config(layout, node, files))
        scram: list[str] = []
        if files is not None:
            creds = layout.credentials()
            for user, key in ((KAFKA_ADMIN, "kafka_admin"), (KAFKA_USER, "kafka")):
                scram += ["--add-scram", f"SCRAM-SHA-512=[name={user},password={creds[key]}]"]
        run(
            _java_cmd(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(config),
                *scram,
                heap="256m",
            ),
            stdout=subprocess.DEVNULL,
        )
    write_json(shape_file, _kafka_shape(layout))


#: The nodes this process started, by pid: their exit statuses are ours to read.
_STARTED: dict[int, subprocess.Popen[bytes]] = {}


def start_kafka_node(layout: Layout, node: int) -> subprocess.Popen[bytes]:
    """Start one node of the layout's cluster (formatted already); its pid is kept."""
    files = ensure_certificates(layout) if layout.secure else None
    config = layout.node_dir(node) / "server.properties"
    config.write_text(kafka_config(layout, node, files))
    with (layout.node_dir(node) / "kafka.log").open("ab") as log:
        process = subprocess.Popen(
            _java_cmd("kafka.Kafka", str(config), heap=_heap(layout)),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    (layout.node_dir(node) / "kafka.pid").write_text(str(process.pid))
    _STARTED[process.pid] = process
    return process


def child_process(pid: int) -> subprocess.Popen[bytes] | None:
    """The node with this pid, if this process started it."""
    return _STARTED.get(pid)


def kafka_pids(layout: Layout) -> dict[int, int | None]:
    """Each node's pid while it runs."""
    pids: dict[int, int | None] = {}
    for node in layout.nodes():
        pid = read_pid(layout.node_dir(node) / "kafka.pid")
        pids[node] = pid if pid is not None and alive(pid) else None
    return pids


def start_kafka(layout: Layout) -> bool:
    """Ensure every node of the layout's cluster runs and the cluster takes topics;
    whether this call started any node."""
    if all(port_open("127.0.0.1", layout.broker_port(n)) for n in layout.nodes()):
        return False
    files = ensure_certificates(layout) if layout.secure else None
    _fetch_kafka()
    _format_kafka(layout, files)
    processes: dict[int, subprocess.Popen[bytes]] = {}
    try:
        for node in layout.nodes():
            if not port_open("127.0.0.1", layout.broker_port(node)):
                processes[node] = start_kafka_node(layout, node)
        deadline = time.monotonic() + 120
        for node in layout.nodes():
            while not port_open("127.0.0.1", layout.broker_port(node)):
                process = processes.get(node)
                log = layout.node_dir(node) / "kafka.log"
                if process is not None and process.poll() is not None:
                    raise SystemExit(f"pactstream: Kafka node {node} exited; see {log}")
                if time.monotonic() > deadline:
                    raise SystemExit(f"pactstream: Kafka node {node} did not start; see {log}")
                time.sleep(0.3)
        asyncio.run(_wait_kafka_ready(layout))
    except BaseException:  # Interrupted or failed: stop the nodes started here.
        for node in processes:
            stop_kafka_node(layout, node)
        raise
    shape = f"{layout.brokers} brokers" if layout.brokers > 1 else "KRaft"
    say(
        f"Kafka ({shape}{', SASL_SSL only' if layout.secure else ''}) running on {layout.bootstrap}"
    )
    return True


async def _all_registered(kafka: Any, brokers: int) -> None:
    """Raise until the cluster reports ``brokers`` brokers: topics made before would
    fit a smaller cluster."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin: Any = AIOKafkaAdminClient(**kafka.options(), request_timeout_ms=10_000)
    await admin.start()
    try:
        found = len((await admin.describe_cluster())["brokers"])
    finally:
        await admin.close()
    if found < brokers:
        raise RuntimeError(f"{found} of {brokers} Kafka brokers registered")


async def _wait_kafka_ready(layout: Layout, timeout: float = 90) -> None:
    """Until every broker has registered and a topic can be made across them."""
    from shared.kafka import KafkaEndpoint, TopicLayout, ensure_topics

    settings = layout.env()
    kafka = KafkaEndpoint(
        bootstrap=layout.bootstrap,
        security_protocol="SASL_SSL" if layout.secure else "PLAINTEXT",
        username=settings.get("PACTSTREAM_KAFKA_SASL_USERNAME"),
        password=settings.get("PACTSTREAM_KAFKA_SASL_PASSWORD"),
        ca_file=settings.get("PACTSTREAM_KAFKA_SSL_CA_FILE"),
    )
    replicas = min(3, layout.brokers)
    deadline = time.monotonic() + timeout
    while True:
        try:
            await _all_registered(kafka, layout.brokers)
            await ensure_topics(
                kafka,
                ["pactstream.healthcheck"],
                timeout=10,
                layout=TopicLayout(partitions=1, replication_factor=replicas),
            )
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


def stop_kafka(layout: Layout) -> None:
    pids = {n: p for n, p in kafka_pids(layout).items() if p is not None}
    for pid in pids.values():
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    for pid in pids.values():
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    for node in layout.nodes():
        (layout.node_dir(node) / "kafka.pid").unlink(missing_ok=True)
    if pids:
        say("Kafka stopped")


def stop_kafka_node(layout: Layout, node: int, sig: int = signal.SIGTERM) -> None:
    """Stop one node (SIGKILL: as a crash would)."""
    pid = kafka_pids(layout).get(node)
    if pid is None:
        return
    os.kill(pid, sig)
    deadline = time.monotonic() + 30
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
