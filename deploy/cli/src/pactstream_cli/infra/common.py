"""What the local servers' provisioning shares: processes, ports, files, packages."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
from pathlib import Path
from typing import Any


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


def host_port(bootstrap: str) -> tuple[str, int]:
    first = bootstrap.split(",")[0].strip()
    host, _, port = first.rpartition(":")
    return host or "127.0.0.1", int(port)


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, **kwargs)


def apt_install(*packages: str) -> None:
    if os.geteuid() != 0:
        raise SystemExit(f"pactstream: please install {' '.join(packages)} (needs root)")
    say(f"installing {' '.join(packages)} with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
    run(
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


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def read_json(path: Path) -> dict[str, Any]:
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def write_private(path: Path, text: str) -> None:
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
