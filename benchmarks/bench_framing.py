"""Benchmark of the framing lexicon engine on the AllSides tech-policy corpus.

Run:  .venv/bin/python benchmarks/bench_framing.py [--repeat 3] [--naive-docs 300]

Reports (min over repeats, seconds): sentence splitting (once, for reference), then the lexicon
pass split into stages -- normalisation, the Aho-Corasick scan with boundary checks, overlap
resolution -- and the whole ``frame_hits`` call (negation, voice, sentence mapping and the output
table included), with and without ``articles=``. A naive baseline (one compiled regex per cue,
looped over the texts) is timed on a subsample and extrapolated. The machine's load average is
printed, because the machine is shared and timings scale with it.
"""

from __future__ import annotations

import argparse
import os
import re
import time

import pandas as pd

from analysis import framing as F
from analysis.paths import CORPORA_DIR
from analysis.text import sentence_table


def corpus_articles() -> pd.DataFrame:
    raw = pd.read_json(CORPORA_DIR / "allsides_techpolicy" / "articles.jsonl.gz", lines=True)
    return pd.DataFrame(
        {
            "doc_id": raw["ID"].astype(str),
            "title": raw["title"].fillna("").astype(str),
            "text": raw["content_original"].fillna("").astype(str),
        }
    )


CPU: dict[str, float] = {}


def best(fn, repeat: int, name: str = ""):
    """Min wall time over repeats; the CPU time of that run goes to ``CPU[name]``."""
    times, out = [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append((time.perf_counter() - t, time.process_time() - c))
    wall, cpu = min(times)
    CPU[name] = cpu
    return wall, out


def naive_regex_seconds(articles: pd.DataFrame, lexicons, n_docs: int) -> float:
    """One regex per cue over each text (what a Python loop over cues costs), extrapolated."""
    sub = articles.head(n_docs)
    comp = lexicons.compiled()
    pats = []
    for text in comp.cue_text:
        words = [
            r"\w*" if t.endswith("*") and len(t) > 1 else re.escape(t) for t in text.split(" ")
        ]
        flags = 0 if any(c.isupper() for c in text) else re.IGNORECASE
        pats.append(re.compile(r"\b" + r"\s+".join(words) + r"\b", flags))
    t = time.perf_counter()
    n = 0
    for body in sub["text"]:
        for p in pats:
            n += sum(1 for _ in p.finditer(body))
    dt = time.perf_counter() - t
    return dt * len(articles) / max(len(sub), 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--naive-docs", type=int, default=300)
    args = ap.parse_args()

    articles = corpus_articles()
    t_split, sents = best(lambda: sentence_table(articles), 1, "split")
    lexs = F.load_lexicons()
    t_compile, comp = best(lambda: F._compile(list(lexs.values())), 1, "compile")
    lexs.compiled()
    big = "\n\n".join(articles["title"].tolist() + articles["text"].tolist())

    t_norm, nt = best(lambda: F._normalise(big), args.repeat, "norm")
    t_scan, cand = best(lambda: F._scan(comp, nt, big), args.repeat, "scan")
    t_res, hits = best(lambda: F._resolve(cand, comp), args.repeat, "res")
    t_full_art, out = best(lambda: F.frame_hits(sents, lexs, articles=articles), args.repeat, "art")
    t_full_sent, out2 = best(lambda: F.frame_hits(sents, lexs), args.repeat, "sent")
    t_rates, _ = best(lambda: F.article_frame_rates(out, sents, lexs), 1, "rates")
    t_naive = naive_regex_seconds(articles, lexs, args.naive_docs)

    n_cues = sum(lx.n_cues for lx in lexs.values())
    print(f"load average: {os.getloadavg()}")
    print(
        f"corpus: {len(articles):,} articles, {len(sents):,} sentences, "
        f"{len(big):,} characters; lexicons: {len(lexs)}, cues: {n_cues:,}"
    )
    rows = [
        ("sentence splitting (reference, not part of matching)", t_split, "split"),
        ("compile automaton", t_compile, "compile"),
        ("normalise text", t_norm, "norm"),
        ("Aho-Corasick scan + boundary/regex checks", t_scan, "scan"),
        ("overlap resolution", t_res, "res"),
        ("matching core (normalise + scan + resolve)", t_norm + t_scan + t_res, None),
        ("frame_hits(sentences, articles=...) end to end", t_full_art, "art"),
        ("frame_hits(sentences) (texts rebuilt) end to end", t_full_sent, "sent"),
        ("article_frame_rates", t_rates, "rates"),
    ]
    print(f"{'stage':52s} {'wall s':>8s} {'CPU s':>8s}")
    for label, wall, key in rows:
        cpu = CPU["norm"] + CPU["scan"] + CPU["res"] if key is None else CPU[key]
        print(f"{label:52s} {wall:8.3f} {cpu:8.3f}")
    print(f"{'naive regex-per-cue loop (extrapolated, bodies only)':52s} {t_naive:8.1f}")
    print(f"hits: {len(out):,} (same with rebuilt texts: {len(out) == len(out2)})")


if __name__ == "__main__":
    main()
