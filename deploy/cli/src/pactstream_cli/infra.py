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

import asyncio
import base64
import glob
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pactstream_cli import tls
from pactstream_cli.paths import home, local

PG_PORT = int(os.environ.get("PACTSTREAM_LOCAL_PG_PORT", "55432"))
KAFKA_PORT = int(os.environ.get("PACTSTREAM_LOCAL_KAFKA_PORT", "59092"))
#: The role the platform connects as (initdb's superuser of a local cluster).
PG_USER = "pactstream"
#: Kafka's users when it runs with SASL: brokers among themselves, and the platform.
KAFKA_ADMIN = "admin"
KAFKA_USER = "pactstream"
KAFKA_VERSION_JAR = "kafka_2.13-*.jar"


def say(message: str) -> None:
    print(f"pactstream: {message}", flush=True)


def free_port_block(size: int) -> int:
    """The first of ``size`` consecutive loopback ports where nothing listens, below
    the ephemeral range (so no outgoing connection is handed one meanwhile)."""
    rng = secrets.SystemRandom()
    for _ in range(200):
        first = rng.randrange(20_000, 32_000 - size)
        if not any(port_open("127.0.0.1", p, timeout=0.05) for p in range(first, first + size)):
            return first
    raise RuntimeError(f"no {size} free consecutive ports found")


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _host_port(bootstrap: str) -> tuple[str, int]:
    first = bootstrap.split(",")[0].strip()
    host, _, port = first.rpartition(":")
    return host or "127.0.0.1", int(port)


def _run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, **kwargs)


def _apt_install(*packages: str) -> None:
    if os.geteuid() != 0:
        raise SystemExit(f"pactstream: please install {' '.join(packages)} (needs root)")
    say(f"installing {' '.join(packages)} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
    _run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        env=env,
        stdout=subprocess.DEVNULL,
    )


def alive(pid: int) -> bool:
    """Whether ``pid`` runs. An exited child of ours is reaped first, and a zombie
    someone else has yet to reap (a detached server's) counts as gone."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Layout:
    """Where one set of local servers lives and how it is shaped."""

    root: Path
    pg_port: int = PG_PORT
    kafka_port: int = KAFKA_PORT
    brokers: int = 1
    secure: bool = False

    @classmethod
    def local(cls, *, brokers: int | None = None, secure: bool | None = None) -> Layout:
        """This checkout's servers, in the shape asked for, else in the shape they
        were last started in, else one plaintext broker."""
        root = Path(os.environ.get("PACTSTREAM_LOCAL_DIR") or local())
        shape = _read_json(root / "infra.json")
        return cls(
            root=root,
            brokers=brokers if brokers is not None else int(shape.get("brokers", 1)),
            secure=secure if secure is not None else bool(shape.get("secure", False)),
        )

    def with_shape(self, *, brokers: int | None = None, secure: bool | None = None) -> Layout:
        return Layout(
            self.root,
            self.pg_port,
            self.kafka_port,
            self.brokers if brokers is None else brokers,
            self.secure if secure is None else secure,
        )

    # Kafka: node n (from 1) listens for clients on kafka_port + 2(n-1), and as a
    # controller on the port after.
    def nodes(self) -> range:
        return range(1, self.brokers + 1)

    def broker_port(self, node: int) -> int:
        return self.kafka_port + 2 * (node - 1)

    def controller_port(self, node: int) -> int:
        return self.broker_port(node) + 1

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{self.broker_port(n)}" for n in self.nodes())

    @property
    def postgres_url(self) -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.pg_port}"

    @property
    def kafka_dir(self) -> Path:
        return self.root / "kafka"

    def node_dir(self, node: int) -> Path:
        return self.kafka_dir / f"node-{node}"

    @property
    def tls_dir(self) -> Path:
        return self.root / "tls"

    def credentials(self) -> dict[str, str]:
        """Passwords of this layout's secured servers, made once and kept (0600)."""
        path = self.tls_dir / "credentials.json"
        found = _read_json(path)
        wanted = ("postgres", "kafka_admin", "kafka")
        if all(k in found for k in wanted):
            return {k: str(v) for k, v in found.items()}
        made = {k: secrets.token_urlsafe(24) for k in wanted}
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(path, json.dumps(made))
        return made

    def env(self) -> dict[str, str]:
        """The platform's settings for these servers (secrets included)."""
        env = {
            "PACTSTREAM_POSTGRES_URL": self.postgres_url,
            "PACTSTREAM_KAFKA_BOOTSTRAP": self.bootstrap,
        }
        if self.secure:
            ca = str(self.tls_dir / "ca.pem")
            creds = self.credentials()
            env |= {
                "PACTSTREAM_POSTGRES_PASSWORD": creds["postgres"],
                "PACTSTREAM_POSTGRES_SSLMODE": "verify-full",
                "PACTSTREAM_POSTGRES_SSL_ROOT_CERT": ca,
                "PACTSTREAM_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                "PACTSTREAM_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
                "PACTSTREAM_KAFKA_SASL_USERNAME": KAFKA_USER,
                "PACTSTREAM_KAFKA_SASL_PASSWORD": creds["kafka"],
                "PACTSTREAM_KAFKA_SSL_CA_FILE": ca,
            }
        return env


def _read_json(path: Path) -> dict[str, Any]:
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read, atomically."""
    partial = path.with_suffix(path.suffix + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(partial, path)


def write_json(path: Path, value: object) -> None:
    """Write JSON atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_text(json.dumps(value, indent=2) + "\n")
    os.replace(partial, path)


def ensure_certificates(layout: Layout) -> tls.Files:
    """A local CA and a server certificate for 127.0.0.1 and localhost, made once."""
    return tls.ensure(layout.tls_dir)


# --------------------------------------------------------------------------- PostgreSQL


def _pg_bin() -> Path:
    def found() -> list[str]:
        return sorted(
            glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
        )

    if not found():
        _apt_install("postgresql")
    if not found():
        raise SystemExit("pactstream: PostgreSQL binaries not found after installing")
    return Path(found()[-1]).parent


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def postgres_root(layout: Layout) -> Path:
    """``<root>/postgres``, unless the ``postgres`` user cannot reach it (a clone under a
    private home directory): then a folder of its own under /var/tmp."""
    preferred = layout.root / "postgres"
    if os.geteuid() != 0:
        return preferred
    layout.root.mkdir(parents=True, exist_ok=True)
    reachable = (
        subprocess.run(
            ["runuser", "-u", "postgres", "--", "test", "-x", str(layout.root)], check=False
        ).returncode
        == 0
    )
    if reachable:
        return preferred
    digest = hashlib.sha256(str(layout.root).encode()).hexdigest()[:12]
    fallback = Path("/var/tmp") / f"pactstream-{digest}" / "postgres"
    fallback.mkdir(parents=True, exist_ok=True)
    shutil.chown(fallback.parent, "postgres", "postgres")
    return fallback


def postgres_external(layout: Layout) -> str | None:
    """The server named by ``PACTSTREAM_POSTGRES_URL``, if it is not the layout's own."""
    url = os.environ.get("PACTSTREAM_POSTGRES_URL")
    if url and url.rstrip("/") != layout.postgres_url:
        return url
    return None


def _url_host_port(url: str) -> tuple[str, int]:
    netloc = url.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    host, _, port = netloc.rpartition(":")
    return (host or netloc or "127.0.0.1"), int(port) if port.isdigit() else 5432


def _postgres_settings(layout: Layout, root: Path, files: tls.Files | None) -> str:
    """What each start writes to ``pactstream.conf`` (included last by postgresql.conf)."""
    lines = [
        "# Written by ./pactstream infra start at every start; edits are lost.",
        "listen_addresses = '127.0.0.1'",
        f"port = {layout.pg_port}",
        f"unix_socket_directories = '{root / 'run'}'",
    ]
    if files is None:
        lines.append("ssl = off")
    else:
        lines += [
            "ssl = on",
            f"ssl_cert_file = '{root / 'server.pem'}'",
            f"ssl_key_file = '{root / 'server-key.pem'}'",
            "ssl_min_protocol_version = 'TLSv1.2'",
            "password_encryption = 'scram-sha-256'",
        ]
    return "\n".join(lines) + "\n"


def _postgres_hba(secure: bool) -> str:
    """Local socket connections (the provisioning's own) are trusted; over TCP, either
    anyone from loopback (development) or only TLS with a password."""
    head = "# Written by ./pactstream infra start at every start; edits are lost.\n"
    head += "local all all trust\n"
    if not secure:
        return head + "host all all 127.0.0.1/32 trust\n"
    return (
        head
        + "hostssl all all 127.0.0.1/32 scram-sha-256\n"
        + "hostnossl all all 0.0.0.0/0 reject\n"
    )


def _postgres_configure(layout: Layout, root: Path) -> None:
    data = root / "data"
    files = None
    if layout.secure:
        files = ensure_certificates(layout)
        for source, name in (
            (files.server_cert, "server.pem"),
            (files.server_key, "server-key.pem"),
        ):
            target = root / name
            shutil.copyfile(source, target)
            os.chmod(target, 0o600)
            if os.geteuid() == 0:
                shutil.chown(target, "postgres", "postgres")
    conf = data / "postgresql.conf"
    if "include_if_exists = 'pactstream.conf'" not in conf.read_text():
        with conf.open("a") as out:
            out.write("\ninclude_if_exists = 'pactstream.conf'\n")
    for path, text in (
        (data / "pactstream.conf", _postgres_settings(layout, root, files)),
        (data / "pg_hba.conf", _postgres_hba(layout.secure)),
    ):
        path.write_text(text)
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")


def start_postgres(layout: Layout) -> bool:
    """Ensure the layout's server runs; whether this call started it."""
    if port_open("127.0.0.1", layout.pg_port):
        return False
    binaries = _pg_bin()
    root = postgres_root(layout)
    data = root / "data"
    run_dir = root / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    if not (data / "PG_VERSION").exists():
        say(f"initialising a PostgreSQL cluster in {root}")
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            for path in (root, data, run_dir):
                shutil.chown(path, "postgres", "postgres")
        _run(
            _as_postgres(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    PG_USER,
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ]
            ),
            stdout=subprocess.DEVNULL,
        )
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# pactstream local development\n"
                "max_connections = 400\n"
                "shared_buffers = 256MB\n"
                "synchronous_commit = on\n"
            )
    if os.geteuid() == 0:
        shutil.chown(run_dir, "postgres", "postgres")
    _postgres_configure(layout, root)
    _run(
        _as_postgres(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(root / "postgres.log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        ),
        stdout=subprocess.DEVNULL,
    )
    if layout.secure:
        _set_password(layout, root)
    say(
        f"PostgreSQL running on 127.0.0.1:{layout.pg_port}"
        + (" (TLS only, password)" if layout.secure else "")
    )
    return True


def _set_password(layout: Layout, root: Path) -> None:
    """The platform's role gets its password over the local socket (the statement on
    stdin, so the password is never in a process list)."""
    password = layout.credentials()["postgres"]
    _run(
        _as_postgres(
            [
                str(_pg_bin() / "psql"),
                "-q",
                "-h",
                str(root / "run"),
                "-p",
                str(layout.pg_port),
                "-U",
                PG_USER,
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
            ]
        ),
        input=f"ALTER ROLE {PG_USER} PASSWORD '{password}';\n",
        stdout=subprocess.DEVNULL,
    )


def stop_postgres(layout: Layout, mode: str = "fast") -> None:
    data = postgres_root(layout) / "data"
    if not (data / "postmaster.pid").exists():
        return
    _run(
        _as_postgres([str(_pg_bin() / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"]),
        stdout=subprocess.DEVNULL,
    )
    say("PostgreSQL stopped")


def postgres_pid(layout: Layout) -> int | None:
    pid = _read_pid(postgres_root(layout) / "data" / "postmaster.pid")
    return pid if pid is not None and alive(pid) else None


# --------------------------------------------------------------------------- Kafka


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
        _apt_install("openjdk-17-jre-headless")
    if shutil.which("mvn") is None:
        _apt_install("maven")
    say("fetching Apache Kafka from Maven Central (once; cached in .local/kafka)")
    tmp = libs.with_name("libs.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    _run(
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
        "-XX:+UseG1GC",
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


def _format_kafka(layout: Layout, files: tls.Files | None) -> None:
    """Format every node's storage for one cluster, when it is not formatted already
    for this shape; a different shape (brokers, security) starts from empty logs."""
    _migrate_single_node_layout(layout)
    shape_file = layout.kafka_dir / "shape.json"
    formatted = all(
        (layout.node_dir(n) / "data" / "meta.properties").exists() for n in layout.nodes()
    )
    if formatted and _read_json(shape_file) in ({}, _kafka_shape(layout)):
        write_json(shape_file, _kafka_shape(layout))
        return
    if layout.kafka_dir.exists():
        say(
            f"Kafka's local data is for another shape; starting a new cluster in {layout.kafka_dir}"
        )
        for path in layout.kafka_dir.glob("node-*"):
            shutil.rmtree(path)
    cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    for node in layout.nodes():
        config = layout.node_dir(node) / "server.properties"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(kafka_config(layout, node, files))
        scram: list[str] = []
        if files is not None:
            creds = layout.credentials()
            for user, key in ((KAFKA_ADMIN, "kafka_admin"), (KAFKA_USER, "kafka")):
                scram += ["--add-scram", f"SCRAM-SHA-512=[name={user},password={creds[key]}]"]
        _run(
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


def start_kafka_node(layout: Layout, node: int) -> subprocess.Popen[bytes]:
    """Start one node of the layout's cluster (formatted already); its pid is kept."""
    files = ensure_certificates(layout) if layout.secure else None
    config = layout.node_dir(node) / "server.properties"
    config.write_text(kafka_config(layout, node, files))
    log = (layout.node_dir(node) / "kafka.log").open("ab")
    process = subprocess.Popen(
        _java_cmd("kafka.Kafka", str(config), heap=_heap(layout)),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    (layout.node_dir(node) / "kafka.pid").write_text(str(process.pid))
    return process


def kafka_pids(layout: Layout) -> dict[int, int | None]:
    """Each node's pid while it runs."""
    pids: dict[int, int | None] = {}
    for node in layout.nodes():
        pid = _read_pid(layout.node_dir(node) / "kafka.pid")
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
    processes = {
        node: start_kafka_node(layout, node)
        for node in layout.nodes()
        if not port_open("127.0.0.1", layout.broker_port(node))
    }
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
    shape = f"{layout.brokers} brokers" if layout.brokers > 1 else "KRaft"
    say(
        f"Kafka ({shape}{', SASL_SSL only' if layout.secure else ''}) running on {layout.bootstrap}"
    )
    return True


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


# --------------------------------------------------------------------------- browser

CHROMIUM = "/usr/bin/chromium"


def ensure_chromium() -> str:
    """Debian's Chromium for the browser test (never a browser download of its own)."""
    if not os.path.exists(CHROMIUM):
        _apt_install("chromium", "fonts-dejavu-core")
    return CHROMIUM


# --------------------------------------------------------------------------- together


@dataclass
class Infra:
    """The servers a command uses, and which of them it started."""

    layout: Layout
    postgres_url: str | None = None  # an external server, if one is used
    kafka_bootstrap: str | None = None
    started_postgres: bool = False
    started_kafka: bool = False
    extra: dict[str, str] = field(default_factory=dict)

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
        if not port_open(*_url_host_port(external_pg), timeout=2):
            raise SystemExit(f"pactstream: PostgreSQL at {_safe(external_pg)} is not reachable")
        say(f"using PostgreSQL at {_safe(external_pg)}")
        infra.postgres_url = external_pg
    else:
        infra.started_postgres = start_postgres(layout)
    try:
        if external_kafka:
            if not port_open(*_host_port(external_kafka), timeout=2):
                raise SystemExit(f"pactstream: Kafka at {external_kafka} is not reachable")
            say(f"using Kafka at {external_kafka}")
            infra.kafka_bootstrap = external_kafka
        else:
            infra.started_kafka = start_kafka(layout)
    except BaseException:
        if infra.started_postgres:
            stop_postgres(layout)
        raise
    return infra


def _refuse_another_shape(layout: Layout, *, postgres: bool, kafka: bool) -> None:
    """Servers of this state folder running in another shape are not silently reused."""
    was = _read_json(layout.root / "infra.json")
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


# --------------------------------------------------------------------------- status


def processes(layout: Layout) -> list[dict[str, Any]]:
    """Every local server process of the layout: name, pid, port, state, restarts."""
    found: list[dict[str, Any]] = []
    if not postgres_external(layout):
        pid = postgres_pid(layout)
        found.append(_process("postgres", pid, layout.pg_port))
    if not kafka_external(layout):
        pids = kafka_pids(layout)
        for node in layout.nodes():
            name = "kafka" if layout.brokers == 1 else f"kafka-{node}"
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
    found = _read_json(layout.root / "run" / "up.json")
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
                up = port_open(
                    *(_url_host_port(where) if name == "postgres" else _host_port(where))
                )
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(status())
