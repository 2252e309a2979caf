"""Speed of the bundled-lexicon block of the news scorer (``analysis.sentiment_lexicons``).

Run from the repository root::

    .venv/bin/python benchmarks/bench_sentiment_lexicons.py --baseline-rev 4df0849 [--runs 5]

Input: the exact ``tokens`` argument ``analysis.sentiment._batch_features`` passes to
``lexicon_features`` for every distinct sentence of the shipped pool
(``load_corpus("allsides_techpolicy")`` split by ``analysis.text.sentence_table``), recorded by
wrapping ``lexicon_features`` once. The baseline is ``analysis/sentiment_lexicons.py`` of
``--baseline-rev`` (read with ``git show``), imported as a separate module.

Reports, CPU seconds (``time.process_time``; one core, BLAS threads 1):

1. per call on the whole pool, baseline and current alternately in one process (baseline first
   in each round), both with their tables loaded; the current one with its word-code memo
   cleared before the call ("cold", as a pipeline worker's first batch) and again right after
   ("warm"); the outputs are checked to be identical bit for bit;
2. ``lexicon_table()`` alone and the first ``lexicon_features`` call on the first 39,600
   sentences, each in a fresh interpreter (``--fresh`` rounds, alternately), after the imports.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _trees import git_source

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(ROOT))

FRESH = """
import json, sys, time
sys.path.insert(0, {tmp!r})
tokens = json.load(open({tokens!r}))[:{n}]
from analysis.vader_fast import N_SCALAR, NEGATE, vader_lexicon
import {module} as L
own = vader_lexicon()
t0 = time.process_time()
L.lexicon_table()
t1 = time.process_time()
L.lexicon_features(tokens, NEGATE, N_SCALAR, own)
t2 = time.process_time()
print(json.dumps([t1 - t0, t2 - t1]))
"""


def pool_tokens() -> list[list[str]]:
    from analysis import sentiment as S
    from analysis.corpus import load_corpus
    from analysis.text import sentence_table

    texts = list(dict.fromkeys(sentence_table(load_corpus("allsides_techpolicy")[0])["text"]))
    seen: list = []
    real = S.lexicon_features

    def record(tokens, *args):
        seen.append(tokens)
        return real(tokens, *args)

    S.lexicon_features = record
    try:
        S._batch_features(texts)
    finally:
        S.lexicon_features = real
    return seen[0]


def same(a: dict, b: dict) -> None:
    import numpy as np

    assert list(a) == list(b)
    assert a["dense"].shape == b["dense"].shape and a["dense"].dtype == b["dense"].dtype
    assert (a["dense"].view(np.int64) == b["dense"].view(np.int64)).all()
    assert len(a["lex"]) == len(b["lex"])
    for x, y in zip(a["lex"], b["lex"], strict=True):
        assert list(x) == list(y)
        assert np.array_equal(
            np.array(list(x.values()), float).view(np.int64),
            np.array(list(y.values()), float).view(np.int64),
        )
    assert a["tokens"] == b["tokens"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline-rev", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--fresh", type=int, default=3)
    ap.add_argument("--fresh-n", type=int, default=39_600)
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench_lex_")
    old_src = git_source(args.baseline_rev, "analysis/sentiment_lexicons.py")
    old_src = old_src.replace("from .vader_fast import", "from analysis.vader_fast import")
    Path(tmp, "baseline_sentiment_lexicons.py").write_text(old_src, encoding="utf-8")
    sys.path.insert(0, tmp)

    import baseline_sentiment_lexicons as O

    from analysis import sentiment_lexicons as N
    from analysis.vader_fast import N_SCALAR, NEGATE, vader_lexicon

    tokens = pool_tokens()
    own = vader_lexicon()
    n_tok = sum(map(len, tokens))
    print(f"{len(tokens):,} distinct pool sentences, {n_tok:,} tokens")
    call = (tokens, NEGATE, N_SCALAR, own)
    O.lexicon_table()
    N.lexicon_table()
    N._code_of.cache_clear()
    same(O.lexicon_features(*call), N.lexicon_features(*call))
    print("outputs identical (dense bits, lex keys/order/bits, tokens)")

    times: dict[str, list[float]] = {"baseline": [], "current cold": [], "current warm": []}
    for _ in range(args.runs):
        t = time.process_time()
        O.lexicon_features(*call)
        times["baseline"].append(time.process_time() - t)
        N._code_of.cache_clear()
        t = time.process_time()
        N.lexicon_features(*call)
        times["current cold"].append(time.process_time() - t)
        t = time.process_time()
        N.lexicon_features(*call)
        times["current warm"].append(time.process_time() - t)
    print("\nper call, whole pool (CPU s):")
    base = statistics.median(times["baseline"])
    for k, v in times.items():
        med = statistics.median(v)
        runs = " / ".join(f"{x:.3f}" for x in v)
        print(f"  {k:14s} median {med:.3f}  ({runs})  ratio {base / med:.2f}x")

    path = Path(tmp, "tokens.json")
    path.write_text(json.dumps(tokens), encoding="utf-8")
    fresh: dict[str, list[list[float]]] = {"baseline": [], "current": []}
    modules = {"baseline": "baseline_sentiment_lexicons", "current": "analysis.sentiment_lexicons"}
    for _ in range(args.fresh):
        for k, module in modules.items():
            code = FRESH.format(tmp=tmp, tokens=str(path), n=args.fresh_n, module=module)
            out = subprocess.run(
                [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
            ).stdout
            fresh[k].append(json.loads(out.strip().splitlines()[-1]))
    print(f"\nfresh interpreter (CPU s), first {args.fresh_n:,} sentences:")
    for k, v in fresh.items():
        table = statistics.median(x[0] for x in v)
        first = statistics.median(x[1] for x in v)
        both = statistics.median(x[0] + x[1] for x in v)
        runs = " / ".join(f"{x[0]:.3f}+{x[1]:.3f}" for x in v)
        print(
            f"  {k:9s} lexicon_table {table:.3f}  first call {first:.3f}  "
            f"together {both:.3f}  ({runs})"
        )


if __name__ == "__main__":
    main()
