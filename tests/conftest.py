"""Shared fixtures. Synthetic texts built here are labelled SYNTHETIC."""

from __future__ import annotations

import pytest

from analysis import paths


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (paths.corpus_dir("seed_article") / "ibm_facial_recognition_2020.txt").read_text(
        encoding="utf-8"
    )


@pytest.fixture(scope="session")
def shipped_corpus():
    from analysis.corpus import load_corpus

    return load_corpus("allsides_techpolicy")
