"""axe-core for the browser tests' accessibility check: the npm package pinned to one
version in ``tests/browser/package-lock.json`` (with its sha512 integrity, which
``npm ci`` verifies), installed into ``.local/axe`` on first use and reused while the
manifest and lock are unchanged. Never a browser download, never committed source."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import subprocess
from pathlib import Path

from pactstream_cli.paths import home

MANIFESTS = ("package.json", "package-lock.json")


class AxeUnavailable(RuntimeError):
    """axe-core could not be installed (no npm, or npm failed); the message says why."""


def _digest(source: Path) -> str:
    return hashlib.sha256(b"".join((source / name).read_bytes() for name in MANIFESTS)).hexdigest()


def ensure_axe(root: Path | None = None) -> Path:
    """The path of ``axe.min.js``, installed from the lock when missing or stale.

    Concurrent callers in one checkout wait for each other (a lock file); a stamp
    with the manifests' digest is written only after ``npm ci`` succeeded."""
    root = root or home()
    source = root / "tests" / "browser"
    target = root / ".local" / "axe"
    script = target / "node_modules" / "axe-core" / "axe.min.js"
    stamp = target / ".pactstream-lock"
    digest = _digest(source)
    if script.is_file() and stamp.is_file() and stamp.read_text() == digest:
        return script
    npm = shutil.which("npm")
    if npm is None:
        raise AxeUnavailable(
            "npm is not installed, so axe-core (tests/browser/package-lock.json) cannot be "
            "fetched for the accessibility check: install Node.js with npm "
            "(Debian: apt-get install npm) and run ./pactstream test again"
        )
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if script.is_file() and stamp.is_file() and stamp.read_text() == digest:
            return script
        stamp.unlink(missing_ok=True)
        for name in MANIFESTS:
            shutil.copyfile(source / name, target / name)
        command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
        command += ["--cache", str(root / ".local" / "npm-cache")]
        done = subprocess.run(command, cwd=target, capture_output=True, text=True)
        if done.returncode != 0 or not script.is_file():
            raise AxeUnavailable(f"npm ci of axe-core failed:\n{done.stdout}{done.stderr}")
        stamp.write_text(digest)
    return script
