"""Local Kafka (KRaft, from Apache Kafka's artifacts on Maven Central) and PostgreSQL
(Debian's package), each reused when the environment names a reachable one.

State lives under ``.local/``: ``kafka/`` (jars, data, pid, log) and ``postgres/``
(cluster, socket, log). Everything listens on loopback only.
"""

from __future__ import annotations

import asyncio
import base64
import glob
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from pactstream_cli.paths import home, local

PG_PORT = int(os.environ.get("PACTSTREAM_LOCAL_PG_PORT", "55432"))
KAFKA_PORT = int(os.environ.get("PACTSTREAM_LOCAL_KAFKA_PORT", "59092"))
KAFKA_CONTROLLER_PORT = KAFKA_PORT + 1
LOCAL_PG_URL = f"postgresql://pactstream@127.0.0.1:{PG_PORT}"
LOCAL_KAFKA = f"127.0.0.1:{KAFKA_PORT}"


def say(message: str) -> None:
    print(f"pactstream: {message}", flush=True)


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


def _run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, **kwargs)  # type: ignore[call-overload, no-any-return]


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


# --------------------------------------------------------------------------- PostgreSQL


def _pg_bin() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        _apt_install("postgresql")
        found = sorted(
            glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
        )
    if not found:
        raise SystemExit("pactstream: PostgreSQL binaries not found after installing")
    return Path(found[-1]).parent


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def postgres_root() -> Path:
    """``.local/postgres``, unless the ``postgres`` user cannot reach the checkout (a
    clone under a private home directory): then a folder of its own under /var/tmp."""
    preferred = local() / "postgres"
    if os.geteuid() != 0:
        return preferred
    reachable = (
        subprocess.run(
            ["runuser", "-u", "postgres", "--", "test", "-x", str(local())],
            check=False,
        ).returncode
        == 0
    )
    if reachable:
        return preferred
    digest = hashlib.sha256(str(home()).encode()).hexdigest()[:12]
    fallback = Path("/var/tmp") / f"pactstream-{digest}" / "postgres"
    fallback.mkdir(parents=True, exist_ok=True)
    shutil.chown(fallback.parent, "postgres", "postgres")
    return fallback


@dataclass
class Postgres:
    url: str
    managed: bool

    @property
    def data(self) -> Path:
        return postgres_root() / "data"


def _url_host_port(url: str) -> tuple[str, int]:
    netloc = url.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
    host, _, port = netloc.rpartition(":")
    return (host or netloc or "127.0.0.1"), int(port or 5432) if port.isdigit() else 5432


def postgres_external() -> str | None:
    """The server named by ``PACTSTREAM_POSTGRES_URL``, if it is not the local one."""
    url = os.environ.get("PACTSTREAM_POSTGRES_URL")
    if url and url.rstrip("/") != LOCAL_PG_URL:
        return url
    return None


def start_postgres() -> tuple[Postgres, bool]:
    """Ensure a server runs; return it and whether this call started it."""
    external = postgres_external()
    if external:
        if port_open(*_url_host_port(external), timeout=2):
            say(f"using PostgreSQL at {external.split('@')[-1]}")
            return Postgres(external, managed=False), False
        say(f"PostgreSQL at {external.split('@')[-1]} is not reachable; running a local one")
    pg = Postgres(LOCAL_PG_URL, managed=True)
    if port_open("127.0.0.1", PG_PORT):
        return pg, False
    binaries = _pg_bin()
    root = postgres_root()
    run_dir = root / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    if not (pg.data / "PG_VERSION").exists():
        say("initialising a PostgreSQL cluster in .local/postgres")
        pg.data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
            for path in (pg.data, run_dir):
                shutil.chown(path, "postgres", "postgres")
        _run(
            _as_postgres(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(pg.data),
                    "-U",
                    "pactstream",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ]
            ),
            stdout=subprocess.DEVNULL,
        )
        with (pg.data / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# pactstream local development\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {PG_PORT}\n"
                f"unix_socket_directories = '{run_dir}'\n"
                "max_connections = 400\n"
                "shared_buffers = 256MB\n"
                "synchronous_commit = on\n"
            )
    if os.geteuid() == 0:
        shutil.chown(run_dir, "postgres", "postgres")
    _run(
        _as_postgres(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(pg.data),
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
    say(f"PostgreSQL running on 127.0.0.1:{PG_PORT}")
    return pg, True


def stop_postgres() -> None:
    data = postgres_root() / "data"
    if not (data / "postmaster.pid").exists():
        return
    _run(
        _as_postgres([str(_pg_bin() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
        stdout=subprocess.DEVNULL,
    )
    say("PostgreSQL stopped")


def postgres_pid() -> int | None:
    pidfile = postgres_root() / "data" / "postmaster.pid"
    try:
        return int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


# --------------------------------------------------------------------------- Kafka


def kafka_dir() -> Path:
    return local() / "kafka"


def kafka_external() -> str | None:
    bootstrap = os.environ.get("PACTSTREAM_KAFKA_BOOTSTRAP")
    if bootstrap and bootstrap != LOCAL_KAFKA:
        return bootstrap
    return None


def _fetch_kafka() -> Path:
    libs = kafka_dir() / "libs"
    if libs.exists() and any(libs.glob("kafka_2.13-*.jar")):
        return libs
    if shutil.which("java") is None:
        _apt_install("openjdk-17-jre-headless")
    if shutil.which("mvn") is None:
        _apt_install("maven")
    say("fetching Apache Kafka from Maven Central (once; cached in .local/kafka)")
    tmp = kafka_dir() / "libs.partial"
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


def _java_cmd(main: str, *args: str, heap: str = "768m") -> list[str]:
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


def alive(pid: int) -> bool:
    """Whether ``pid`` runs; reaps it first when it is our own exited child (a zombie
    would otherwise look alive)."""
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
    return True


def kafka_pid() -> int | None:
    try:
        pid = int((kafka_dir() / "kafka.pid").read_text())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


def start_kafka() -> tuple[str, bool]:
    external = kafka_external()
    if external:
        if port_open(*_host_port(external), timeout=2):
            say(f"using Kafka at {external}")
            return external, False
        say(f"Kafka at {external} is not reachable; running a local one")
    if port_open("127.0.0.1", KAFKA_PORT):
        return LOCAL_KAFKA, False
    root = kafka_dir()
    data = root / "data"
    config = root / "server.properties"
    template = (home() / "deploy" / "kafka" / "server.properties").read_text()
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        template.format(port=KAFKA_PORT, controller_port=KAFKA_CONTROLLER_PORT, data_dir=data)
    )
    if not (data / "meta.properties").exists():
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        _run(
            _java_cmd(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(config),
                heap="256m",
            ),
            stdout=subprocess.DEVNULL,
        )
    log = (root / "kafka.log").open("ab")
    process = subprocess.Popen(
        _java_cmd("kafka.Kafka", str(config)),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    (root / "kafka.pid").write_text(str(process.pid))
    deadline = time.monotonic() + 90
    while not port_open("127.0.0.1", KAFKA_PORT):
        if process.poll() is not None:
            raise SystemExit(f"pactstream: Kafka exited; see {root / 'kafka.log'}")
        if time.monotonic() > deadline:
            raise SystemExit(f"pactstream: Kafka did not start in 90 s; see {root / 'kafka.log'}")
        time.sleep(0.3)
    asyncio.run(_wait_kafka_ready(LOCAL_KAFKA))
    say(f"Kafka (KRaft) running on {LOCAL_KAFKA}")
    return LOCAL_KAFKA, True


async def _wait_kafka_ready(bootstrap: str, timeout: float = 60) -> None:
    from shared.kafka import ensure_topics

    deadline = time.monotonic() + timeout
    while True:
        try:
            await ensure_topics(bootstrap, ["pactstream.healthcheck"], partitions=1, timeout=10)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


def stop_kafka() -> None:
    pid = kafka_pid()
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    for _ in range(300):
        if not alive(pid):
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
    (kafka_dir() / "kafka.pid").unlink(missing_ok=True)
    say("Kafka stopped")


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
    postgres_url: str
    kafka_bootstrap: str
    started_postgres: bool
    started_kafka: bool

    def env(self) -> dict[str, str]:
        return {
            "PACTSTREAM_POSTGRES_URL": self.postgres_url,
            "PACTSTREAM_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
        }

    def stop_started(self) -> None:
        if self.started_kafka:
            stop_kafka()
        if self.started_postgres:
            stop_postgres()


def start() -> Infra:
    pg, started_pg = start_postgres()
    try:
        kafka, started_kafka = start_kafka()
    except BaseException:
        if started_pg:
            stop_postgres()
        raise
    return Infra(pg.url, kafka, started_pg, started_kafka)


def stop() -> None:
    stop_kafka()
    stop_postgres()


def status() -> int:
    pg_ext, kafka_ext = postgres_external(), kafka_external()
    if pg_ext:
        pg_up = port_open(*_url_host_port(pg_ext))
        print(f"postgres  external  {pg_ext.split('@')[-1]}  {'up' if pg_up else 'DOWN'}")
    else:
        pg_up = port_open("127.0.0.1", PG_PORT)
        print(
            f"postgres  local     127.0.0.1:{PG_PORT}  {'up' if pg_up else 'down'}"
            f"  pid={postgres_pid() or '-'}"
        )
    if kafka_ext:
        host, port = _host_port(kafka_ext)
        kafka_up = port_open(host, port)
        print(f"kafka     external  {kafka_ext}  {'up' if kafka_up else 'DOWN'}")
    else:
        kafka_up = port_open("127.0.0.1", KAFKA_PORT)
        print(
            f"kafka     local     {LOCAL_KAFKA}  {'up' if kafka_up else 'down'}"
            f"  pid={kafka_pid() or '-'}"
        )
    return 0 if pg_up and kafka_up else 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(status())
