"""Speed of the framing lexicon engine on the shipped pool, against the issue #7 reference.

Run:  .venv/bin/python benchmarks/bench_framing.py [--runs 3] [--old FILE] [--naive-docs 0]

The reference is the one issue #7 uses: a plain loop of vaderSentiment's ``polarity_scores`` over
every sentence of the AllSides tech-policy pool, on one core. It is timed in the same run as the
frame pass, runs interleaved (reference, frame passes, reference, ...), so that both see the same
load on this shared machine, and the script prints the ratio (target: <= 0.1).

Timed, as CPU seconds (``time.process_time``, median of ``--runs``) and wall seconds:

* ``frame_hits(sents, lexicons, articles=articles)`` as ``analysis.pipeline._frames`` calls it
  (the 3 shipped lexicons resolved once, passed as a dict, article texts given);
* ``frame_hits(sents, articles=articles)`` (lexicons loaded inside the call, as
  ``bench_pipeline.py`` times it);
* ``frame_hits(sents)`` (article texts rebuilt from the sentence table);
* with ``--old FILE`` (a copy of an earlier ``analysis/framing.py``, e.g.
  ``git show 4df0849:analysis/framing.py > /tmp/framing_old.py``), the same three calls of the old
  engine, interleaved with the new ones, and a check that both give identical tables;
* the stages of the new engine once: normalisation, automaton scan with checks, overlap
  resolution.

``--naive-docs N`` also times a naive baseline (one compiled regex per cue over N article
bodies, extrapolated to the pool).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

from analysis import framing as F
from analysis.corpus import load_corpus
from analysis.text import sentence_table


def load_old(path: Path):
    """An earlier ``framing.py`` as a module of the ``analysis`` package (relative imports)."""
    spec = importlib.util.spec_from_file_location("analysis._framing_before", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def timed(fn) -> tuple[float, float, object]:
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.process_time() - c, time.perf_counter() - w, out


def naive_regex_seconds(articles: pd.DataFrame, lexicons, n_docs: int) -> float:
    """One regex per cue over each text (what a Python loop over cues costs), extrapolated."""
    sub = articles.head(n_docs)
    pats = []
    for text in lexicons.compiled().cue_text:
        words = [
            r"\w*" if t.endswith("*") and len(t) > 1 else re.escape(t) for t in text.split(" ")
        ]
        flags = 0 if any(c.isupper() for c in text) else re.IGNORECASE
        pats.append(re.compile(r"\b" + r"\s+".join(words) + r"\b", flags))
    t = time.process_time()
    for body in sub["text"]:
        for p in pats:
            sum(1 for _ in p.finditer(body))
    return (time.process_time() - t) * len(articles) / max(len(sub), 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--old", type=Path, help="an earlier analysis/framing.py to compare with")
    ap.add_argument("--naive-docs", type=int, default=0)
    args = ap.parse_args()

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    articles, _ = load_corpus("allsides_techpolicy")
    sents = sentence_table(articles)
    texts = sents["text"].tolist()
    sia = SentimentIntensityAnalyzer()

    engines = {"new": F}
    if args.old:
        engines["old"] = load_old(args.old)
    calls = {}
    for name, mod in engines.items():
        lexset = mod.resolve_lexicons(None)
        as_pipeline = {n: lexset[n] for n in lexset}
        mod.frame_hits(sents.head(50), as_pipeline, articles=articles)  # compile once
        calls[f"{name}: frame_hits(sents, lexicons, articles=...) [pipeline]"] = (
            lambda mod=mod, lx=as_pipeline: mod.frame_hits(sents, lx, articles=articles)
        )
        calls[f"{name}: frame_hits(sents, articles=...)"] = lambda mod=mod: mod.frame_hits(
            sents, articles=articles
        )
        calls[f"{name}: frame_hits(sents) [texts rebuilt]"] = lambda mod=mod: mod.frame_hits(sents)

    cpu: dict[str, list[float]] = {k: [] for k in ["reference", *calls]}
    wall: dict[str, list[float]] = {k: [] for k in cpu}
    loads = [os.getloadavg()[0]]
    outputs = {}
    for _ in range(args.runs):
        c, w, _scores = timed(lambda: [sia.polarity_scores(s) for s in texts])
        cpu["reference"].append(c)
        wall["reference"].append(w)
        for label, fn in calls.items():
            c, w, out = timed(fn)
            cpu[label].append(c)
            wall[label].append(w)
            outputs[label] = out
        loads.append(os.getloadavg()[0])

    lexset = F.resolve_lexicons(None)
    comp = lexset.compiled()
    seg_texts = articles["title"].tolist() + articles["text"].tolist()
    big = "\n\n".join(seg_texts)
    stages = {}
    c, _w, nt = timed(lambda: F._normalise(big, comp.key_chars, comp.stand_in))
    stages["normalise (lower case, scan text)"] = c
    c, _w, cand = timed(lambda: F._scan(comp, nt, big))
    stages["automaton scan + checks"] = c
    c, _w, _hits = timed(lambda: F._resolve(cand, comp))
    stages["overlap resolution"] = c

    ref = statistics.median(cpu["reference"])
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, pandas {pd.__version__}"
    )
    print(f"load average during the runs: {', '.join(f'{x:.2f}' for x in loads)}")
    n_cues = sum(lx.n_cues for lx in lexset.values())
    print(
        f"pool: {len(articles):,} articles, {len(sents):,} sentences, {len(big):,} characters; "
        f"{len(lexset)} lexicons, {n_cues:,} cues; runs: {args.runs} (median)"
    )
    print(f"{'measure':62s} {'CPU s':>7s} {'wall s':>7s} {'ratio':>6s}")
    for label in cpu:
        c, w = statistics.median(cpu[label]), statistics.median(wall[label])
        runs = ", ".join(f"{x:.2f}" for x in cpu[label])
        print(f"{label:62s} {c:7.3f} {w:7.3f} {c / ref:6.3f}   (CPU runs: {runs})")
    for label, c in stages.items():
        print(f"  new engine stage: {label:43s} {c:7.3f}")
    if args.old:
        for kind in ("[pipeline]", "articles=...)", "[texts rebuilt]"):
            new = next(v for k, v in outputs.items() if k.startswith("new") and kind in k)
            old = next(v for k, v in outputs.items() if k.startswith("old") and kind in k)
            pd.testing.assert_frame_equal(old, new, check_exact=True)
        print(
            f"old and new tables identical (assert_frame_equal, dtypes, row order): "
            f"{len(new):,} hits"
        )
    if args.naive_docs:
        t = naive_regex_seconds(articles, lexset, args.naive_docs)
        print(f"naive regex-per-cue loop, extrapolated from {args.naive_docs} bodies: {t:.0f} s")


if __name__ == "__main__":
    main()
