"""How the browser tests get axe-core: pinned by the committed lock, installed once."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pactstream_cli.infra import axe
from pactstream_cli.infra.axe import AxeUnavailable, ensure_axe

ROOT = Path(__file__).resolve().parents[3]
MANIFESTS = ROOT / "tests" / "browser"


def test_axe_core_is_pinned_to_one_version_with_its_integrity() -> None:
    wanted = json.loads((MANIFESTS / "package.json").read_text())["dependencies"]
    assert list(wanted) == ["axe-core"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", wanted["axe-core"]), "an exact version"
    locked = json.loads((MANIFESTS / "package-lock.json").read_text())["packages"]
    assert locked["node_modules/axe-core"]["version"] == wanted["axe-core"]
    assert locked["node_modules/axe-core"]["integrity"].startswith("sha512-")


def checkout(tmp_path: Path) -> Path:
    (tmp_path / "tests").mkdir()
    shutil.copytree(MANIFESTS, tmp_path / "tests" / "browser")
    return tmp_path


def test_without_npm_the_check_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(axe.shutil, "which", lambda _: None)
    with pytest.raises(AxeUnavailable, match="npm is not installed"):
        ensure_axe(checkout(tmp_path))


def test_an_installed_axe_matching_the_lock_is_reused_without_npm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = checkout(tmp_path)
    script = root / ".local" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
    script.parent.mkdir(parents=True)
    script.write_text("/* axe */")
    stamp = root / ".local" / "axe" / ".pactstream-lock"
    stamp.write_text(axe._digest(root / "tests" / "browser"))
    monkeypatch.setattr(axe.shutil, "which", lambda _: None)
    assert ensure_axe(root) == script
    stamp.write_text("another lock")
    with pytest.raises(AxeUnavailable):
        ensure_axe(root)
