"""Helpers for the tech-policy framing study.

Importing this package performs no I/O. Submodules are imported on demand, e.g.
``from analysis.corpus import load_corpus``.
"""

__version__ = "0.1.0"
