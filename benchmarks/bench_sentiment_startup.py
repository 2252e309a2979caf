"""Per-process start-up of the sentiment stage (``sentiment.vader_and_news_polarity``), old
code vs new, each measured in fresh interpreters.

Run (old = an earlier commit unpacked elsewhere, with the compiled extension copied in; the two
trees should differ only in the files under test)::

    git archive <commit> analysis | tar -x -C /tmp/old
    cp analysis/_newscore*.so /tmp/old/analysis/
    git archive HEAD analysis | tar -x -C /tmp/new && cp analysis/_newscore*.so /tmp/new/analysis/
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_sentiment_startup.py \\
        --old /tmp/old --new /tmp/new --rounds 5

Each round starts one fresh interpreter per tree, alternating old and new (both see the same
load on a shared machine); the data come from this checkout (``ANALYSIS_ROOT``). CPU seconds
(``time.process_time``):

* ``stage``: after ``import analysis.pipeline``, the sentiment stage on the sentences of pool
  articles 1200-1399 (``first``, start-up included), then the same sentences three more times
  (``warm``: the minimum); ``startup`` = first - warm. ``scipy_loaded``: whether the process
  imported scipy (the pipeline's scoring path no longer does).
* ``--pieces``: the lazy initialisers the first call runs, one after the other in a fresh
  process, in ms (``scipy.sparse``: what importing it costs there).

Medians over the rounds are printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from _trees import run_in_tree


def stage() -> dict:
    import analysis.pipeline  # noqa: F401  (the worker's imports before its first chunk)
    from analysis.corpus import load_corpus
    from analysis.text import sentence_table

    texts = sentence_table(load_corpus("allsides_techpolicy")[0].iloc[1200:1400])["text"]
    texts = texts.tolist()
    import analysis.sentiment as S

    ts = []
    for _ in range(4):
        t = time.process_time()
        S.vader_and_news_polarity(texts)
        ts.append(time.process_time() - t)
    warm = min(ts[1:])
    return {
        "first": ts[0],
        "warm": warm,
        "startup": ts[0] - warm,
        "scipy_loaded": float("scipy" in sys.modules),
    }


def pieces() -> dict:
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401

    out = {}

    def timed(name, f):
        t = time.process_time()
        f()
        out[name] = 1000 * (time.process_time() - t)

    timed("import_sentiment", lambda: __import__("analysis.sentiment"))
    import analysis.sentiment as S
    import analysis.sentiment_lexicons as L
    from analysis.vader_fast import NEGATE

    timed("fast_vader", S._fast_vader)
    timed("entity_config", S._entity_config)
    timed("triggers", S._triggers)
    timed("model_layer+index", lambda: S._shipped_index("news"))
    timed("lexicon_table", L.lexicon_table)
    timed("table_parts", L._table_parts)
    timed("code_memo", lambda: L._code_of(frozenset(NEGATE)))
    timed("scipy.sparse", lambda: __import__("scipy.sparse"))
    out["total_without_scipy"] = sum(v for k, v in out.items() if k != "scipy.sparse")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", required=True, help="directory holding the old analysis/ package")
    ap.add_argument("--new", required=True, help="directory holding the new analysis/ package")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pieces", action="store_true", help="the initialisers, not the stage")
    args = ap.parse_args()
    mode = "pieces" if args.pieces else "stage"
    res: dict[str, list[dict]] = {"old": [], "new": []}
    for _ in range(args.rounds):
        for name in ("old", "new"):
            res[name].append(run_in_tree(getattr(args, name), [__file__, "--worker", mode])[mode])
    out = {
        name: {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
        for name, runs in res.items()
    }
    print(json.dumps({"mode": mode, "rounds": args.rounds, "median": out, "runs": res}))


if __name__ == "__main__":
    if "--worker" in sys.argv:  # one measurement in this fresh process
        import analysis

        mode = sys.argv[-1]
        print(
            json.dumps(
                {"file": analysis.__file__, mode: {"stage": stage, "pieces": pieces}[mode]()}
            )
        )
    else:
        main()
