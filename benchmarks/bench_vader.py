"""Benchmark: vaderSentiment's ``polarity_scores`` loop vs ``analysis.vader_fast.FastVader``.

Run from the repository root::

    python benchmarks/bench_vader.py            # the whole shipped pool
    python benchmarks/bench_vader.py --limit 300  # first 300 articles (quick look)

Every title and body of the pool is split once with ``analysis.text.split_sentences``; then each
scorer runs over the same sentence list in this one process (one core), ``--runs`` times,
interleaved. On a shared machine wall time mostly measures waiting for a CPU, so the speed-up is
computed from process CPU time (median and minimum over runs; wall medians are printed too).
FastVader starts each run with an empty cache, so memoisation only helps with sentences repeated
inside the pool. The script also checks that both return identical values for every sentence.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sentences import pool_texts  # noqa: E402  (same folder)
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

from analysis.text import split_sentences  # noqa: E402
from analysis.vader_fast import FastVader  # noqa: E402


def machine() -> str:
    """nproc, CPU model and Python version."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"nproc={os.cpu_count()}, CPU={model}, Python {platform.python_version()}"


def interleaved(fns: dict, runs: int) -> dict[str, dict[str, float]]:
    """Median and minimum wall/CPU seconds of each function, runs interleaved (A B C A B C ...)
    so that load from other processes on a shared machine hits every scorer alike."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            times[name].append((time.perf_counter() - w0, time.process_time() - c0))
    out = {}
    for name, ts in times.items():
        walls, cpus = [w for w, _ in ts], [c for _, c in ts]
        out[name] = {
            "wall_median": statistics.median(walls),
            "cpu_median": statistics.median(cpus),
            "cpu_min": min(cpus),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(machine())
    texts = pool_texts(args.limit)
    t0 = time.perf_counter()
    sentences = [s for t in texts for s in split_sentences(t)]
    n_chars = sum(map(len, sentences))
    print(
        f"{len(texts) // 2} articles, {len(sentences)} sentences ({len(set(sentences))} distinct), "
        f"{n_chars} chars; splitting took {time.perf_counter() - t0:.1f} s"
    )

    ref = SentimentIntensityAnalyzer()
    _ = FastVader().lexicon  # parse the lexicon files once (the reference does so in __init__)
    res = interleaved(
        {
            "vaderSentiment polarity_scores loop": lambda: [
                ref.polarity_scores(s) for s in sentences
            ],
            "FastVader().score_many": lambda: FastVader().score_many(sentences),
            "FastVader(cache_size=0).score_many": lambda: FastVader(cache_size=0).score_many(
                sentences
            ),
        },
        args.runs,
    )
    base = res["vaderSentiment polarity_scores loop"]
    print(
        f"{'scorer':38s} {'wall med':>9s} {'CPU med':>8s} {'CPU min':>8s}  speed-up (CPU med/min)"
    )
    for name, r in res.items():
        print(
            f"{name:38s} {r['wall_median']:9.2f} {r['cpu_median']:8.2f} {r['cpu_min']:8.2f}  "
            f"{base['cpu_median'] / r['cpu_median']:.2f}x / {base['cpu_min'] / r['cpu_min']:.2f}x"
        )

    fv = FastVader(cache_size=0)
    mismatches = sum(ref.polarity_scores(s) != fv.polarity_scores(s) for s in sentences)
    print(f"sentences whose scores differ from vaderSentiment: {mismatches}")


if __name__ == "__main__":
    main()
