"""Every path the project uses, built from the project root (never from the working directory).

``ANALYSIS_ROOT`` may be set to point the helpers at another checkout (used by tests that run
notebooks from a temporary folder). Nothing here touches the file system at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = Path(os.environ.get("ANALYSIS_ROOT", PACKAGE_DIR.parent)).resolve()

DATA_DIR = PROJECT_ROOT / "data"
CORPORA_DIR = DATA_DIR / "corpora"
VALIDATION_DIR = DATA_DIR / "validation"
REFERENCE_DIR = DATA_DIR / "reference"
SELECTION_DIR = DATA_DIR / "selection"
FIGURES_DIR = PROJECT_ROOT / "figures"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
CACHE_DIR = PROJECT_ROOT / ".cache"  # git-ignored
LEXICON_DIR = PACKAGE_DIR / "lexicons"
RESOURCES_DIR = PACKAGE_DIR / "resources"
MODELS_DIR = PACKAGE_DIR / "models"
USER_LEXICON_DIR = DATA_DIR / "lexicons"  # analysts drop YAML lexicons here to add or override


def corpus_dir(name: str) -> Path:
    """Folder of the named corpus under ``data/corpora``."""
    return CORPORA_DIR / name


def figures_dir(corpus: str | Path | None = None) -> Path:
    """Where figures go: ``figures/`` for the shipped study, ``figures/<corpus>/`` for any other
    (a corpus given as a path uses its folder or file name without suffixes)."""
    if corpus in (None, "", "allsides_techpolicy"):
        return FIGURES_DIR
    name = Path(str(corpus)).name.split(".")[0] if ("/" in str(corpus)) else str(corpus)
    return FIGURES_DIR / name
