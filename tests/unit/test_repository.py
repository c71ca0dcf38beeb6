"""The repository's own documents hold: every file or folder the README and
CONTRIBUTING name exists, and pre-commit runs exactly ``./pactstream test``'s lint stage."""

from __future__ import annotations

import fnmatch
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
import yaml

from pactstream_cli.main import LINT_CHECKS

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ("README.md", "CONTRIBUTING.md")
EXTENSIONS = (
    ".py", ".md", ".toml", ".lock", ".yml", ".yaml", ".json", ".cfg", ".po", ".pot",
    ".html", ".sh", ".txt", ".Dockerfile", ".properties", ".xml", ".js", ".css", ".csv",
)  # fmt: skip
#: Made by running things, git-ignored: named in the README as where output goes.
GENERATED = ("bench/results.*", "bench/curves.svg", "*.mo")


@cache
def files() -> tuple[str, ...]:
    """Every file and folder a clean clone of the checkout holds, relative: what git
    tracks or would track, never what it ignores (a run's output, local state), so a
    working copy judges as CI's clean clone does."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    found = {f for f in listed if f and (ROOT / f).exists()}
    folders = {str(Path(f).parent.as_posix()) for f in found}
    for folder in list(folders):
        parts = folder.split("/")
        folders |= {"/".join(parts[:i]) for i in range(1, len(parts))}
    return tuple(sorted(found | (folders - {"."})))


def top_level() -> set[str]:
    return {p.split("/")[0] for p in files()}


def looks_like_a_path(span: str) -> bool:
    if any(c in span for c in " <>{}$…=?:@'\"") or span.startswith(("/", "../", "-", "~")):
        return False  # URL paths, URLs, placeholders, commands and options.
    if re.search(r"NNN|XXX", span):
        return False  # A name's pattern (rNNNN_what.py).
    head = span.split("/")[0]
    if "/" in span and head in top_level() | {".local", ".venv"}:
        return True
    return span.endswith(EXTENSIONS) and not span.startswith(".")


def exists(span: str) -> bool:
    """In the repository: from its root, or (a path inside a package, as the README
    writes ``shared/jsontext.py`` or ``api/events.py``) at the end of a path in it."""
    span = span.removeprefix("./").rstrip("/")
    if span.split("/")[0] in {".local", ".venv"}:
        return True  # Local state the commands make, never in the repository.
    if any(fnmatch.fnmatch(span, pattern) for pattern in GENERATED):
        return True
    return any(fnmatch.fnmatch(p, span) or fnmatch.fnmatch(p, "*/" + span) for p in files())


def mentioned(document: str) -> list[str]:
    text = (ROOT / document).read_text()
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)  # Commands, output, trees.
    return sorted({s for s in re.findall(r"`([^`\n]+)`", text) if looks_like_a_path(s)})


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_path_the_document_names_is_in_the_repository(document: str) -> None:
    paths = mentioned(document)
    assert len(paths) > 10, paths  # It finds the paths it is about.
    missing = [p for p in paths if not exists(p)]
    assert not missing, f"{document} names what the repository does not hold: {missing}"


def test_the_reference_check_finds_what_is_missing() -> None:
    assert looks_like_a_path("deploy/docker/service.Dockerfile")
    assert not exists("deploy/docker/service.Dockerfile")
    assert exists("deploy/docker/*.Dockerfile") and exists("api/events.py")
    for not_a_path in ("application/json", "POST /v1/events", "/v1/plans", "<service>"):
        assert not looks_like_a_path(not_a_path), not_a_path


def test_pre_commit_runs_the_lint_stage_of_pactstream_test() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert [hook["entry"] for hook in hooks] == [
        " ".join([f".venv/bin/{tool}", *rest]) for _, (tool, *rest) in LINT_CHECKS
    ]
    assert all(hook["language"] == "system" for hook in hooks)
    assert all(hook["pass_filenames"] is False for hook in hooks)  # The whole repository.
