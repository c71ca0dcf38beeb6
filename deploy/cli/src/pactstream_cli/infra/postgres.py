"""A local PostgreSQL server from Debian's package, plaintext or TLS only."""

from __future__ import annotations

import functools
import glob
import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from pactstream_cli.infra.common import alive, apt_install, port_open, read_pid, run, say
from pactstream_cli.infra.layout import PG_USER, Layout, ensure_certificates

if TYPE_CHECKING:
    from pactstream_cli import tls


def pg_bin() -> Path:
    def found() -> list[str]:
        return sorted(
            glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
        )

    if not found():
        apt_install("postgresql")
    if not found():
        raise SystemExit("pactstream: PostgreSQL binaries not found after installing")
    return Path(found()[-1]).parent


def as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@functools.lru_cache(maxsize=16)
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


def url_host_port(url: str) -> tuple[str, int]:
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
    binaries = pg_bin()
    root = postgres_root(layout)
    data = root / "data"
    run_dir = root / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    if not (data / "PG_VERSION").exists():
        _init_cluster(binaries, root, data, run_dir)
    if os.geteuid() == 0:
        shutil.chown(run_dir, "postgres", "postgres")
    _postgres_configure(layout, root)
    run(
        as_postgres(
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


def _init_cluster(binaries: Path, root: Path, data: Path, run_dir: Path) -> None:
    """A new cluster in ``data``, with the settings local development needs."""
    say(f"initialising a PostgreSQL cluster in {root}")
    data.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        for path in (root, data, run_dir):
            shutil.chown(path, "postgres", "postgres")
    run(
        as_postgres(
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


def _set_password(layout: Layout, root: Path) -> None:
    """The platform's role gets its password over the local socket (the statement on
    stdin, so the password is never in a process list)."""
    password = layout.credentials()["postgres"]
    run(
        as_postgres(
            [
                str(pg_bin() / "psql"),
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
    run(
        as_postgres([str(pg_bin() / "pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"]),
        stdout=subprocess.DEVNULL,
    )
    say("PostgreSQL stopped")


def postgres_pid(layout: Layout) -> int | None:
    pid = read_pid(postgres_root(layout) / "data" / "postmaster.pid")
    return pid if pid is not None and alive(pid) else None
