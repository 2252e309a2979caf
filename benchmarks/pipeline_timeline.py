"""Where the wall time of a cold ``score_corpus`` goes: parent phases and per-worker stage times.

Run from the repository root:  ``.venv/bin/python benchmarks/pipeline_timeline.py [--jobs 2]``
(for another checkout of the package: ``PYTHONPATH=DIR ANALYSIS_ROOT=$PWD`` with the ``analysis``
package in ``DIR``). Scores the shipped pool with an empty temporary cache in this fresh
interpreter. The pipeline's stage functions are wrapped with timers (module attributes replaced
before the workers fork, so the workers run the wrapped functions); each process writes its
intervals to a temporary folder, and a summary is printed as JSON: the parent's phases, and per
worker the seconds spent in each stage, the first chunk's start and the last chunk's end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

T0 = time.perf_counter()
LOG: list[tuple[int, str, float, float]] = []
STATE: dict = {}  # the wrapped chunk function and the log folder (module level: workers see it)


def _timed(name: str, fn):
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            LOG.append((os.getpid(), name, t - T0, time.perf_counter() - T0))

    return wrapper


def timed_chunk(task):
    """The pipeline's chunk worker, timed; the worker's log is rewritten after every chunk."""
    t = time.perf_counter()
    out = STATE["safe"](task)
    LOG.append((os.getpid(), "chunk", t - T0, time.perf_counter() - T0))
    (STATE["logdir"] / f"{os.getpid()}.json").write_text(json.dumps(LOG))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--chunk-size", type=int, default=200)
    args = ap.parse_args()

    import analysis
    from analysis import pipeline
    from analysis.corpus import load_corpus

    logdir = Path(tempfile.mkdtemp())
    for name in ("_sentences", "_sentiment", "_frames", "_actors", "lexicon_versions"):
        setattr(pipeline, name, _timed(name, getattr(pipeline, name)))
    for name in ("doc_table", "actor_table"):
        setattr(pipeline, name, _timed(name, getattr(pipeline, name)))
    pipeline._Cache.put = _timed("cache_put", pipeline._Cache.put)
    STATE.update(safe=pipeline._score_chunk_safe, logdir=logdir)
    pipeline._score_chunk_safe = timed_chunk

    t = time.perf_counter()
    articles, _ = load_corpus("allsides_techpolicy")
    LOG.append((os.getpid(), "load_corpus", t - T0, time.perf_counter() - T0))
    cache = Path(tempfile.mkdtemp())
    t = time.perf_counter()
    try:
        pipeline.score_corpus(
            articles, jobs=args.jobs, chunk_size=args.chunk_size, cache_dir=cache, progress=False
        )
    finally:
        shutil.rmtree(cache)
    LOG.append((os.getpid(), "score_corpus", t - T0, time.perf_counter() - T0))

    parent = os.getpid()
    rows = set(LOG)
    for f in logdir.glob("*.json"):
        rows.update(tuple(r) for r in json.loads(f.read_text()))
    shutil.rmtree(logdir)
    rows = sorted(rows, key=lambda r: r[2])
    out: dict = {"package": analysis.__file__, "jobs": args.jobs, "parent": [], "workers": {}}
    for pid, name, a, b in rows:
        if pid == parent and name != "chunk":
            out["parent"].append({"phase": name, "start": round(a, 3), "seconds": round(b - a, 3)})
    for pid in sorted({r[0] for r in rows if r[0] != parent}):
        mine = [r for r in rows if r[0] == pid]
        chunks = [r for r in mine if r[1] == "chunk"]
        spent = Counter()
        for _, name, a, b in mine:
            spent[name] += b - a
        out["workers"][str(pid)] = {
            "chunks": len(chunks),
            "first_start": round(min(r[2] for r in chunks), 3),
            "last_end": round(max(r[3] for r in chunks), 3),
            "seconds": {k: round(v, 3) for k, v in spent.items()},
        }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
