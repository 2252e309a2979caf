"""What the before/after benchmark scripts share: an old version of a module from git, and one
run of a script in a fresh interpreter importing ``analysis`` from a given package tree.

Imported by the scripts in this folder (run as ``python benchmarks/<script>.py``, which puts
this folder on ``sys.path``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def git_source(rev: str, path: str) -> str:
    """The text of ``path`` (relative to the repository root) at git revision ``rev``."""
    return subprocess.run(
        ["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def run_in_tree(tree: str, argv: list[str]) -> dict:
    """Run ``python *argv`` in a fresh interpreter that imports ``analysis`` from ``tree`` (data
    from this checkout, one BLAS/OpenMP thread) and return the JSON object its last output line
    prints; that object's ``file`` (``analysis.__file__``) must lie in ``tree``."""
    env = dict(
        os.environ,
        PYTHONPATH=str(tree),
        ANALYSIS_ROOT=str(ROOT),
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
    )
    got = subprocess.run(
        [sys.executable, *argv], env=env, cwd="/tmp", capture_output=True, text=True, check=True
    )
    doc = json.loads(got.stdout.strip().splitlines()[-1])
    if not str(doc.get("file", "")).startswith(str(tree)):
        raise SystemExit(f"the run imported {doc.get('file')}, not the package in {tree}")
    return doc
