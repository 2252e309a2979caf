"""Speed of the news-adapted sentence scorer (``analysis.sentiment.news_polarity``).

Run from the repository root::

    .venv/bin/python benchmarks/bench_sentiment_speed.py [--runs 3] [--n 20000]
    .venv/bin/python benchmarks/bench_sentiment_speed.py --baseline-file OLD_sentiment.py
    .venv/bin/python benchmarks/bench_sentiment_speed.py --n 0 --function vader_and_news_polarity \
        --baseline-file OLD_sentiment.py
    .venv/bin/python benchmarks/bench_sentiment_speed.py --chunks 200 --runs 3 \
        --function vader_and_news_polarity --baseline-file OLD_sentiment.py --skip-vader
    .venv/bin/python benchmarks/bench_sentiment_speed.py --chunks 200 --runs 3 \
        --function vader_and_news_polarity --baseline-file OLD_sentiment.py \
        --baseline-so OLD_newscore.so --skip-vader

``--n 0`` takes every sentence of the pool. ``--function vader_and_news_polarity`` times the
pipeline's sentiment stage (plain VADER and the news scorer together) instead of
``news_polarity``. With ``--baseline-file`` both the baseline and the current module are timed
in the same run, alternately (baseline first in each round), and their outputs are checked to be
identical bit for bit.

Input: ``--n`` corpus sentences drawn with a fixed seed (0) from the sentence table of the
shipped tech-policy corpus (``load_corpus("allsides_techpolicy")`` split by
``analysis.text.sentence_table``), so every run and every version scores the same sentences.
One process, one core (BLAS threads set to 1); wall and process CPU time are both reported
(the 2 shared cores make wall time mostly a measure of waiting). Every run starts cold (all
sentence caches cleared, model and lexicons already loaded). Prints sentences/second (median
of ``--runs``) for ``news_polarity`` and, for reference, ``vader_polarity`` and a plain
vaderSentiment loop. ``--baseline-file`` times another
copy of ``sentiment.py`` (e.g. ``git show <rev>:analysis/sentiment.py > OLD_sentiment.py``; it
reads the model JSON currently shipped, so use it with the model it was written for).
``--baseline-so`` gives that copy its own build of the compiled loop (a copy of the baseline's
``analysis/_newscore*.so``), for baselines whose entry points differ from the current build.

``--chunks K`` times the function once per chunk of K pool articles, as the pipeline calls it
(``pipeline._sentences`` of each chunk of the article table, 16 chunks for K=200): per-call CPU
seconds (median over ``--runs`` passes) and the pass totals. Every pass starts cold, with the
module's per-process tables (token table, char n-gram rows) and memos emptied, like a fresh
pipeline worker; modules alternate pass by pass, and outputs are compared chunk by chunk.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")


def corpus_sentences(n: int, seed: int = 0) -> list[str]:
    """``n`` sentences of the shipped corpus, drawn with a fixed seed (in corpus order)."""
    from analysis.corpus import load_corpus
    from analysis.text import sentence_table

    articles, _ = load_corpus("allsides_techpolicy")
    texts = sentence_table(articles)["text"].fillna("").astype(str).tolist()
    if n <= 0:
        return texts
    idx = sorted(random.Random(seed).sample(range(len(texts)), min(n, len(texts))))
    return [texts[i] for i in idx]


def load_module(path: str | None, so: str | None = None):
    """``analysis.sentiment`` or another copy of it loaded from ``path`` (inside the package);
    ``so``: a build of ``analysis._newscore`` (e.g. the baseline's, copied aside) that this copy
    uses instead of the current one (its source-hash check is then skipped)."""
    import analysis
    import analysis.sentiment

    if path is None:
        return analysis.sentiment
    spec = importlib.util.spec_from_file_location("analysis._sentiment_baseline", path)
    mod = importlib.util.module_from_spec(spec)
    mod.__package__ = "analysis"
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    if so is not None:
        loader = importlib.machinery.ExtensionFileLoader("analysis._newscore", so)
        ext_spec = importlib.util.spec_from_file_location("analysis._newscore", so, loader=loader)
        ext = importlib.util.module_from_spec(ext_spec)
        loader.exec_module(ext)
        mod._newscore = ext
        mod._compiled_is_current = lambda: True
    return mod


def clear_caches(mod) -> None:
    """Forget every per-sentence memo so each run is cold (model and lexicons stay loaded)."""
    for name in ("_sentence_cache", "_row_cache"):
        obj = getattr(mod, name, None)
        if obj is not None and hasattr(obj, "clear"):
            obj.clear()
    for name in ("_token_state", "_char_state"):  # per-process tables (started again)
        fn = getattr(mod, name, None)
        if fn is not None and hasattr(fn, "cache_clear"):
            fn.cache_clear()
    for name in ("_fast_vader", "_plain_fast_vader"):
        fn = getattr(mod, name, None)
        if fn is not None and hasattr(fn, "cache_info"):
            fn().clear_cache()


def timed(fn, runs: int, before=None) -> tuple[float, list[float], float, list[float]]:
    """Median and all wall times, median and all process CPU times of ``runs`` calls."""
    wall, cpu = [], []
    for _ in range(runs):
        if before is not None:
            before()
        t, c = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - t)
    return statistics.median(wall), wall, statistics.median(cpu), cpu


def _bits(out) -> list:
    frames = out if isinstance(out, tuple) else (out,)
    return [f.to_numpy(dtype="float64").view("int64") for f in frames]


def chunk_runs(mods: dict, function: str, size: int, runs: int) -> dict:
    """Per-call CPU of ``function`` on the pool cut into chunks of ``size`` articles."""
    import numpy as np

    from analysis import pipeline
    from analysis.corpus import load_corpus

    arts = load_corpus("allsides_techpolicy")[0].reset_index(drop=True)
    chunks = [
        pipeline._sentences(arts.iloc[i : i + size])["text"].tolist()
        for i in range(0, len(arts), size)
    ]
    names = list(mods)
    cpu = {k: [[] for _ in chunks] for k in names}
    first = {}
    for r in range(runs):
        for name in names if r % 2 == 0 else names[::-1]:
            mod = mods[name]
            clear_caches(mod)
            for i, texts in enumerate(chunks):
                c = time.process_time()
                out = getattr(mod, function)(texts)
                cpu[name][i].append(time.process_time() - c)
                if r == 0:
                    first[name, i] = _bits(out)
    res: dict = {
        "chunks": len(chunks),
        "articles_per_chunk": size,
        "sentences": sum(map(len, chunks)),
    }
    for name in names:
        per = [statistics.median(x) for x in cpu[name]]
        res[f"{name}_cpu_per_call_s"] = [round(x, 3) for x in per]
        res[f"{name}_cpu_sum_of_medians_s"] = round(sum(per), 3)
        res[f"{name}_cpu_pass_totals_s"] = [
            round(sum(x[r] for x in cpu[name]), 3) for r in range(runs)
        ]
    if len(names) == 2:
        res["outputs_identical"] = all(
            np.array_equal(a, b)
            for i in range(len(chunks))
            for a, b in zip(first[names[0], i], first[names[1], i], strict=True)
        )
        res["cpu_ratio_baseline_over_current"] = round(
            res["baseline_cpu_sum_of_medians_s"] / res["current_cpu_sum_of_medians_s"], 2
        )
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--baseline-file", default=None)
    ap.add_argument("--baseline-so", default=None, help="the baseline's _newscore build")
    ap.add_argument("--skip-vader", action="store_true")
    ap.add_argument(
        "--function", default="news_polarity", choices=["news_polarity", "vader_and_news_polarity"]
    )
    ap.add_argument("--chunks", type=int, default=0, help="articles per call (0: one call)")
    args = ap.parse_args()

    texts = corpus_sentences(args.n)
    mods = {"current": load_module(None)}
    if args.baseline_file:
        mods = {"baseline": load_module(args.baseline_file, args.baseline_so), **mods}
    if args.chunks:
        for mod in mods.values():
            getattr(mod, args.function)(texts[:50])
        res = chunk_runs(mods, args.function, args.chunks, args.runs)
        res["load_avg_at_start"] = round(os.getloadavg()[0], 2)
        print(json.dumps(res, indent=1))
        return 0
    for mod in mods.values():
        getattr(mod, args.function)(texts[:50])  # load model, lexicons, entity list (not timed)
    res: dict = {
        "function": args.function,
        "modules": {k: getattr(m, "__file__", k) for k, m in mods.items()},
        "compiled_loop": getattr(mods["current"], "_newscore", None) is not None,
        "sentences": len(texts),
        "unique_sentences": len(set(texts)),
        "runs": args.runs,
        "load_avg_at_start": round(os.getloadavg()[0], 2),
    }
    wall = {k: [] for k in mods}
    cpu = {k: [] for k in mods}
    outputs = {}
    for _ in range(args.runs):  # alternate, so both see the same machine load
        for name, mod in mods.items():
            clear_caches(mod)
            t, c = time.perf_counter(), time.process_time()
            outputs[name] = getattr(mod, args.function)(texts)
            cpu[name].append(time.process_time() - c)
            wall[name].append(time.perf_counter() - t)
    for name in mods:
        res[f"{name}_wall_s"] = [round(t, 3) for t in wall[name]]
        res[f"{name}_cpu_s"] = [round(t, 3) for t in cpu[name]]
        res[f"{name}_sent_per_s_cpu"] = round(len(texts) / statistics.median(cpu[name]))
    if "baseline" in mods:
        import numpy as np

        same = all(
            np.array_equal(a, b)
            for a, b in zip(_bits(outputs["baseline"]), _bits(outputs["current"]), strict=True)
        )
        res["outputs_identical"] = bool(same)
        res["cpu_ratio_baseline_over_current"] = round(
            statistics.median(cpu["baseline"]) / statistics.median(cpu["current"]), 2
        )
    if not args.skip_vader:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        sia = SentimentIntensityAnalyzer()
        med, all_t, cmed, all_c = timed(lambda: [sia.polarity_scores(t) for t in texts], args.runs)
        res["vader_reference_loop_cpu_s"] = [round(t, 3) for t in all_c]
        res["vader_reference_loop_sent_per_s_cpu"] = round(len(texts) / cmed)
        res["current_cpu_over_vader_loop"] = round(statistics.median(cpu["current"]) / cmed, 3)
    print(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
