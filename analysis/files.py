"""Atomic file writes for caches and outputs: write to a unique temporary file in the target
folder, then rename over the target (``os.replace`` is atomic on one file system).

The temporary name is unique per call, so two processes filling the same cache entry at once
(parallel test workers, two notebooks, pipeline workers) never rename each other's half-written
file; the last complete write wins and readers only ever see a complete file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def _unique_tmp(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(name)


def write_parquet_atomic(df: Any, path: str | Path) -> Path:
    """``df.to_parquet(path, index=False)`` through a unique temporary file."""
    path = Path(path)
    tmp = _unique_tmp(path)
    try:
        df.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_text_atomic(text: str, path: str | Path) -> Path:
    """Write UTF-8 ``text`` to ``path`` through a unique temporary file."""
    path = Path(path)
    tmp = _unique_tmp(path)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
