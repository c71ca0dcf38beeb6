"""Importing the code reads no file but code: templates, catalogues, SQL and settings
are read by the composition roots, when a process starts, not as a side effect of an
import (issue 19, point 6)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

#: Run in a fresh interpreter, so that nothing is imported yet: every module of every
#: package, with an audit hook noting each file opened that is not code.
PROBE = r"""
import importlib, json, pkgutil, sys, sysconfig

CODE = (".py", ".pyc", ".so", ".pth", ".pyi", ".typed")
OURS = ("/services/", "/shared/src/")
STDLIB = sysconfig.get_paths()["stdlib"]
opened = []

def hook(event, args):
    # Opened by our own code (the first caller outside the standard library and the
    # import machinery), not by a library (which may read its own data).
    if event != "open" or not isinstance(args[0], str) or args[0].endswith(CODE):
        return
    frame = sys._getframe(1)
    while frame is not None and (
        frame.f_code.co_filename.startswith(("<", STDLIB)) or frame.f_code is hook.__code__
    ):
        frame = frame.f_back
    if frame is not None and any(p in frame.f_code.co_filename for p in OURS):
        if "/site-packages/" not in frame.f_code.co_filename:
            opened.append(args[0])

packages = sys.argv[1:]
modules = []
for name in packages:
    package = importlib.import_module(name)
    modules += [m.name for m in pkgutil.walk_packages(package.__path__, name + ".")]
sys.addaudithook(hook)
for name in packages + modules:
    if ".migrations.versions." in name or name.endswith(".__main__"):
        continue
    before = len(opened)
    importlib.import_module(name)
    opened[before:] = [f"{name}: {path}" for path in opened[before:]]
print(json.dumps(opened))
"""


def test_importing_any_module_opens_no_file_but_code() -> None:
    packages = ["shared", "commitments", "funding", "reporting"]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *packages],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert json.loads(done.stdout.splitlines()[-1]) == []
