"""Where the checkout and its git-ignored local state live."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """The checkout root (``./pactstream`` exports it; the package layout is the fallback)."""
    env = os.environ.get("PACTSTREAM_HOME")
    return Path(env) if env else Path(__file__).resolve().parents[4]


def local() -> Path:
    path = home() / ".local"
    path.mkdir(parents=True, exist_ok=True)
    return path
