"""Atomic writes (analysis.files): unique temporary names, no half-written targets."""

from __future__ import annotations

import multiprocessing as mp

import pandas as pd
import pytest

from analysis.files import write_parquet_atomic, write_text_atomic


def _hammer(args):
    path, worker = args
    df = pd.DataFrame({"worker": [worker] * 2000, "i": range(2000)})  # synthetic
    for _ in range(25):
        write_parquet_atomic(df, path)
    return worker


def test_parallel_writers_of_one_cache_entry_never_collide(tmp_path):
    """Two test workers once raced on a shared 'articles.parquet.tmp' name and one crashed with
    FileNotFoundError; with unique temporary names every write succeeds and the file is whole."""
    path = tmp_path / "cache" / "articles.parquet"
    with mp.get_context("fork").Pool(4) as pool:
        done = pool.map(_hammer, [(path, w) for w in range(4)])
    assert sorted(done) == [0, 1, 2, 3]
    got = pd.read_parquet(path)
    assert len(got) == 2000 and got["worker"].nunique() == 1  # one complete write, not a mix
    assert [p.name for p in path.parent.iterdir()] == ["articles.parquet"]  # no leftovers


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "report.json"
    write_text_atomic('{"ok": 1}', path)

    class Broken:
        def to_parquet(self, *a, **k):
            raise OSError("disk full (simulated)")

    with pytest.raises(OSError, match="disk full"):
        write_parquet_atomic(Broken(), tmp_path / "x.parquet")
    assert path.read_text(encoding="utf-8") == '{"ok": 1}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
