"""CPU time of the pipeline's ``_actors`` stage on the whole pool, old code vs new (issue #7).

The stage is ``actors.actor_mentions(sents, None)`` then ``actors.mention_sentiment(sents,
mentions)``, and it is timed INCLUDING the import of ``analysis.actors`` /
``analysis.target_sentiment`` and the model load, in a fresh interpreter per run, as a pipeline
worker pays it. Each run prepares what a worker has before the stage (pandas/numpy and
``analysis.sentiment`` imported, the sentence table, the sentiment stage's VADER scores in
FastVader's sentence memo, as ``analysis.sentiment.vader_and_news_polarity`` leaves them) outside
the timer. Variants:

- ``old``: the two modules as of ``--baseline`` (``git show REV:analysis/...``), VADER memo warm;
- ``new``: the working tree, VADER memo warm, ``mention_sentiment(sents, mentions)``;
- ``new+sentiment``: the working tree, ``mention_sentiment(sents, mentions, sentiment=senti)``
  with the sentiment stage's table (the call the pipeline can make).

Runs alternate between variants (the 2 cores are shared); the median of ``--repeat`` runs is
reported. The script also checks that old and new give identical mentions and scores.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_actors_stage.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _trees import git_source

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import importlib.util, json, sys, time
import numpy as np, pandas as pd
import analysis.sentiment as S
variant, work = sys.argv[1], sys.argv[2]
sents = pd.read_parquet(f"{work}/sents.parquet")
senti = pd.read_parquet(f"{work}/senti.parquet")
cols = ["vader_neg", "vader_neu", "vader_pos", "vader_compound"]
S._fast_vader().remember(sents["text"].tolist(), senti[cols].to_numpy())
def load_old():
    for name in ("target_sentiment", "actors"):
        spec = importlib.util.spec_from_file_location(f"analysis.{name}", f"{work}/old_{name}.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[f"analysis.{name}"] = mod
        spec.loader.exec_module(mod)
t0 = time.process_time()
if variant == "old":
    load_old()
from analysis.actors import actor_mentions, mention_sentiment
t1 = time.process_time()
m = actor_mentions(sents, None)
t2 = time.process_time()
if variant == "new+sentiment":
    out = mention_sentiment(sents, m, sentiment=senti)
else:
    out = mention_sentiment(sents, m)
t3 = time.process_time()
out.to_parquet(f"{work}/out_{variant}.parquet")
print(json.dumps({"import": t1 - t0, "mentions": t2 - t1, "sentiment": t3 - t2,
                  "total": t3 - t0, "n": len(out), "sklearn": "sklearn" in sys.modules,
                  "scipy.stats": "scipy.stats" in sys.modules}))
"""


def prepare(work: Path, baseline: str) -> None:
    import pandas as pd

    from analysis.corpus import load_corpus
    from analysis.pipeline import _sentiment
    from analysis.text import sentence_table

    for name in ("target_sentiment", "actors"):
        src = git_source(baseline, f"analysis/{name}.py")
        (work / f"old_{name}.py").write_text(src, encoding="utf-8")
    sents = sentence_table(load_corpus("allsides_techpolicy")[0])
    sents.to_parquet(work / "sents.parquet")
    _sentiment(sents).to_parquet(work / "senti.parquet")
    print(f"pool: {len(sents):,} sentences", flush=True)
    del pd


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", default="d661396", help="git revision of the old code")
    args = ap.parse_args()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    variants = ["old", "new", "new+sentiment"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        prepare(work, args.baseline)
        runs: dict[str, list[dict]] = {v: [] for v in variants}
        for _ in range(args.repeat):
            for v in variants:
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, v, str(work)],
                    capture_output=True,
                    text=True,
                    check=True,
                    env=env,
                    cwd=ROOT,
                )
                r = json.loads(done.stdout.strip().splitlines()[-1])
                runs[v].append(r)
                print(v, {k: round(x, 3) if isinstance(x, float) else x for k, x in r.items()})
        import pandas as pd

        old = pd.read_parquet(work / "out_old.parquet")
        for v in variants[1:]:
            new = pd.read_parquet(work / f"out_{v}.parquet")
            pd.testing.assert_frame_equal(old, new, check_exact=True)
        print(f"identical output (mentions and scored columns, {len(old):,} rows): old == new")
    print("\nmedian CPU s of", args.repeat, "fresh processes:")
    base = statistics.median(r["total"] for r in runs["old"])
    for v in variants:
        med = {
            k: statistics.median(r[k] for r in runs[v])
            for k in ("import", "mentions", "sentiment", "total")
        }
        print(
            f"  {v:14s} import {med['import']:.2f}  mentions {med['mentions']:.2f}  "
            f"sentiment {med['sentiment']:.2f}  total {med['total']:.2f}  "
            f"({base / med['total']:.2f}x less than old)  sklearn imported: {runs[v][0]['sklearn']}"
        )
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared)")


if __name__ == "__main__":
    main()
