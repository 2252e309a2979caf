"""Validation and bias numbers of the sentence sentiment scorers (RESULTS_sentiment.md).

Run from the project root:  .venv/bin/python benchmarks/bench_sentiment_validation.py [--audit]

Prints markdown tables: NYT agreement (VADER, neutralised VADER, news scorer by grouped CV),
the human ceiling, EEC gaps for every scorer, scoring speed, and with ``--audit`` the proper-name
audit of the AllSides tech-policy corpus (slow: every sentence of 3,077 articles).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import paths  # noqa: E402
from analysis import sentiment as S  # noqa: E402
from analysis.bias_audit import eec_gaps, proper_name_audit  # noqa: E402
from analysis.sentiment_validation import evaluate_nyt, human_ceiling_nyt, nyt_snippets  # noqa: E402


def corpus_articles() -> pd.DataFrame:
    path = paths.CORPORA_DIR / "allsides_techpolicy" / "articles.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return pd.DataFrame(
        {
            "doc_id": [r["ID"] for r in rows],
            "title": [r.get("title") or "" for r in rows],
            "text": [r.get("content_original") or "" for r in rows],
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--audit", action="store_true", help="also run the corpus proper-name audit")
    args = ap.parse_args()
    pd.set_option("display.width", 200)

    t = time.perf_counter()
    ev = evaluate_nyt("all")
    print("## NYT snippets (n = 5,190)\n")
    print(ev.round(4).to_string(index=False))
    print(f"\n({time.perf_counter() - t:.0f} s)\n")

    hc = human_ceiling_nyt()
    print("## Human ceiling (leave-one-rater-out)\n")
    print(hc.tail(1).round(4).to_string(index=False))
    r = hc["pearson_r"].iloc[:-1]
    print(f"rater r range: {r.min():.3f}..{r.max():.3f}\n")

    print("## EEC gaps (8,640 sentences, bootstrap 2,000, seed 0)\n")
    gaps = pd.concat([eec_gaps(m) for m in S.METHODS], ignore_index=True)
    cols = ["scorer", "comparison", "gap", "ci_low", "ci_high", "mean_abs_gap", "max_abs_cell_gap"]
    print(gaps[cols].round(5).to_string(index=False))
    print()

    print("## Speed (NYT 5,190 sentences, one process)\n")
    texts = nyt_snippets()["text"].tolist()
    for m in S.METHODS:
        t = time.perf_counter()
        S.polarity(texts, method=m, groups=[0] * len(texts))
        dt = time.perf_counter() - t
        print(f"{m:18s} {dt:6.2f} s  {len(texts) / dt:8.0f} sentences/s")

    if args.audit:
        t = time.perf_counter()
        audit = proper_name_audit(corpus_articles())
        print(
            f"\n## Proper-name audit of the tech-policy corpus ({time.perf_counter() - t:.0f} s)\n"
        )
        print(audit.head(40).round(5).to_string(index=False))


if __name__ == "__main__":
    main()
