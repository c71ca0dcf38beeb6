"""What a service installs is what it runs: read from ``uv.lock``, no service package
(nor an image's ``pactstream-cli[<service>]``) reaches a benchmark peer, a test or a
development tool, and an image's install holds its own service only."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("commitments", "funding", "reporting")
#: Never at run time, whatever the lock's groups say: test runners, the benchmark's
#: peers and harness, linters, type checkers and their stubs.
ALWAYS_FORBIDDEN = re.compile(
    r"^(pytest.*|eventsourcing|psutil|pactstream-bench|playwright|ruff|mypy|import-linter"
    r"|cloudevents|schemathesis|hypothesis|types-.*|.*-stubs)$"
)


@cache
def packages() -> dict[str, dict[str, Any]]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    return {p["name"]: p for p in lock["package"]}


def closure(name: str, extras: Iterable[str] = ()) -> set[str]:
    """Every package ``name[extras]`` installs, following extras as the lock records
    them (markers ignored: a package needed on any platform counts)."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    todo = [(name, tuple(extras))]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        package = packages()[current[0]]
        edges = list(package.get("dependencies", []))
        for extra in current[1]:
            edges += package.get("optional-dependencies", {})[extra]
        todo += [(dep["name"], tuple(dep.get("extra", ()))) for dep in edges]
    return {package for package, _ in seen}


def development_only() -> set[str]:
    """The root's dependency groups (dev, bench): listed for .venv, never for a service."""
    groups = packages()["pactstream"].get("dev-dependencies", {})
    return {dep["name"] for deps in groups.values() for dep in deps}


RUNTIMES = [
    *[(f"pactstream-{s}", ()) for s in ("shared", *SERVICES)],
    *[("pactstream-cli", (s,)) for s in SERVICES],
]


@pytest.mark.parametrize(("name", "extras"), RUNTIMES)
def test_no_benchmark_test_or_development_package_is_in_a_runtime(
    name: str, extras: tuple[str, ...]
) -> None:
    installed = closure(name, extras)
    assert "fastapi" in installed and "pactstream-shared" in installed  # The walk works.
    forbidden = {p for p in installed if ALWAYS_FORBIDDEN.match(p)}
    forbidden |= installed & development_only()
    assert not forbidden, f"{name}{list(extras)} installs {sorted(forbidden)}"


def test_the_development_groups_hold_the_tools_and_the_benchmark() -> None:
    groups = development_only()
    assert {"pytest", "ruff", "mypy", "import-linter", "cloudevents"} <= groups
    assert "pactstream-bench" in groups
    # What the check above would catch: the benchmark's peer, were a service to need it.
    assert ALWAYS_FORBIDDEN.match("eventsourcing")
    assert "eventsourcing" in closure("pactstream-bench")


@pytest.mark.parametrize("service", SERVICES)
def test_an_image_installs_its_own_service_only(service: str) -> None:
    installed = closure("pactstream-cli", (service,))
    assert f"pactstream-{service}" in installed
    others = {f"pactstream-{s}" for s in SERVICES if s != service}
    assert not installed & others
    # uvicorn with only the extras the start command names (uvloop, httptools).
    assert {"uvicorn", "uvloop", "httptools"} <= installed
    assert not {"watchfiles", "websockets"} & installed


@pytest.mark.parametrize("service", SERVICES)
def test_each_dockerfile_copies_and_installs_its_service_only(service: str) -> None:
    text = (ROOT / "deploy" / "docker" / f"{service}.Dockerfile").read_text()
    copied = re.findall(r"^COPY (?!--from)(.+?) \S+$", text, flags=re.MULTILINE)
    sources = {path for line in copied for path in line.split()}
    assert f"services/{service}" in sources, sources
    for path in sources:
        assert not path.startswith(("tests", ".")), path
        if path.startswith(("services/", "bench")) and path != f"services/{service}":
            # Another member's manifest alone, for uv to read the workspace.
            assert path.endswith("/pyproject.toml"), f"{service}'s image copies {path}"
    assert "services" not in sources  # Not every service's sources.
    assert f"--extra {service}" in text and "--no-dev" in text
    assert "--no-default-groups" in text


def test_the_dockerignore_keeps_local_state_and_tests_out_of_the_build_context() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".local", ".venv", "tests", "**/__pycache__", "bench/results.*", ".ci"):
        assert entry in ignored, entry


@pytest.mark.parametrize(("name", "extras"), RUNTIMES)
def test_opentelemetry_is_an_extra_off_the_default_install(
    name: str, extras: tuple[str, ...]
) -> None:
    # FastAPI itself depends on the API (a no-op without an SDK); the SDK, exporters and
    # their transports are the extra's.
    installed = closure(name, extras)
    assert not {p for p in installed if p.startswith("opentelemetry-") and p != "opentelemetry-api"}
    traced = closure("pactstream-cli", (*extras, "tracing"))
    assert {"opentelemetry-sdk", "opentelemetry-exporter-otlp-proto-http"} <= traced
