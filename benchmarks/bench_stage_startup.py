"""CPU of the non-sentiment scoring stages and their per-process start-up, old code vs new.

Run (old = an earlier commit unpacked elsewhere, with the compiled extension copied in)::

    git archive <commit> analysis | tar -x -C /tmp/old
    cp analysis/_newscore*.so /tmp/old/analysis/
    git archive HEAD analysis | tar -x -C /tmp/new && cp analysis/_newscore*.so /tmp/new/analysis/
    .venv/bin/python benchmarks/bench_stage_startup.py --old /tmp/old --new /tmp/new --rounds 3

Each round starts one fresh interpreter per tree, alternating old and new (both see the same
load on a shared machine). In each process, CPU seconds (``time.process_time``):

* ``first``/``second``: each stage as ``analysis.pipeline`` calls it, on articles 1200-1399 and
  then 1400-1599 of the shipped pool (the first call pays the stage's start-up: automaton
  compile, character tables, model JSON, word tables, YAML); ``startup`` = first - second;
* ``pool``: the same stage over the whole pool, median of three calls.

With ``--pieces``: only the start-up pieces (framing compile and tables, actors YAML, target
model JSON and word tables), CPU ms, each fresh process in a worker's order.

Stages: ``sentences`` (``text.sentence_table``), ``frames`` (``framing.frame_hits`` over all
shipped lexicons, article texts given), ``actor_mentions`` (``actors.actor_mentions``),
``target`` (``actors.mention_sentiment`` with the sentiment stage's VADER compounds). The
sentiment stage runs untimed in between (the actors stage needs its table). Whole-pool
identity of the two trees' outputs is checked separately (issue #7 procedure).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from _trees import run_in_tree


def worker() -> None:
    import analysis
    import analysis.pipeline as P
    from analysis.corpus import load_corpus

    T = time.process_time
    arts = load_corpus("allsides_techpolicy")[0]
    names = list(P.lexicon_versions(None))
    a1, a2 = arts.iloc[1200:1400], arts.iloc[1400:1600]
    out: dict[str, dict[str, float]] = {}

    def two(name, f1, f2):
        t = T()
        r1 = f1()
        t1 = T()
        r2 = f2()
        t2 = T()
        out[name] = {"first": t1 - t, "second": t2 - t1, "startup": (t1 - t) - (t2 - t1)}
        return r1, r2

    s1, s2 = two("sentences", lambda: P._sentences(a1), lambda: P._sentences(a2))
    se1, se2 = P._sentiment(s1), P._sentiment(s2)
    two("frames", lambda: P._frames(s1, names, None, a1), lambda: P._frames(s2, names, None, a2))
    from analysis.actors import actor_mentions, mention_sentiment

    m1, m2 = two("actor_mentions", lambda: actor_mentions(s1), lambda: actor_mentions(s2))
    two(
        "target",
        lambda: mention_sentiment(s1, m1, sentiment=se1),
        lambda: mention_sentiment(s2, m2, sentiment=se2),
    )

    def pool(name, f):
        ts = []
        for _ in range(3):
            t = T()
            r = f()
            ts.append(T() - t)
        out[name]["pool"] = statistics.median(ts)
        return r

    sents = pool("sentences", lambda: P._sentences(arts))
    pool("frames", lambda: P._frames(sents, names, None, arts))
    senti = P._sentiment(sents)
    m = pool("actor_mentions", lambda: actor_mentions(sents))
    pool("target", lambda: mention_sentiment(sents, m, sentiment=senti))
    print(json.dumps({"file": analysis.__file__, "stages": out}))


def pieces_worker() -> None:
    """Start-up pieces in this fresh process, CPU ms, in the order a worker meets them."""
    import analysis
    import analysis.actors as A
    import analysis.framing as F
    import analysis.text as X

    T = time.process_time
    lexs = F.load_lexicons()
    X._flags_table()  # the sentence stage builds it before frames in a worker
    r = {}
    t = T()
    comp = lexs.compiled()
    r["framing: compile"] = T() - t
    t = T()
    F._char_tables()  # built inside the compile step before Stop 12 (then ~0 here)
    r["framing: char tables"] = T() - t
    t = T()
    F._reduced_tables(comp.stand_in)
    F._scan_tables(comp.key_chars)
    r["framing: one-byte and scan tables"] = T() - t
    t = T()
    A.load_actors()
    r["actors: first load_actors"] = T() - t
    t = T()
    A.load_actors()
    r["actors: later load_actors"] = T() - t
    from analysis import vader_fast

    vader_fast.vader_lexicon()  # the sentiment stage has read it in a worker
    import analysis.target_sentiment as TS

    t = T()
    model = TS.load_target_model()
    r["target: load model JSON"] = T() - t
    t = T()
    model._word_tables()
    r["target: word tables"] = T() - t
    print(json.dumps({"file": analysis.__file__, "stages": {k: v * 1000 for k, v in r.items()}}))


def run_trees(args, flag: str) -> dict[str, list[dict]]:
    runs: dict[str, list[dict]] = {"old": [], "new": []}
    for _ in range(args.rounds):
        for label in ("old", "new"):
            runs[label].append(run_in_tree(getattr(args, label), [__file__, flag])["stages"])
    return runs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pieces", action="store_true", help="only the start-up pieces (CPU ms)")
    args = ap.parse_args()
    if args.pieces:
        runs = run_trees(args, "--pieces-worker")
        print(f"{args.rounds} rounds; start-up pieces, CPU ms, median over rounds (old -> new)")
        for piece in runs["old"][0]:
            o = statistics.median(r[piece] for r in runs["old"])
            n = statistics.median(r[piece] for r in runs["new"])
            print(f"{piece:38s} {o:7.1f} -> {n:7.1f}")
        both = ("target: load model JSON", "target: word tables")
        o, n = (statistics.median(sum(r[k] for k in both) for r in runs[t]) for t in ("old", "new"))
        print(f"{'target: load + word tables (per run)':38s} {o:7.1f} -> {n:7.1f}")
        return
    runs = run_trees(args, "--worker")
    print(f"{args.rounds} rounds; CPU seconds, median over rounds (old -> new)")
    for stage in runs["old"][0]:
        cells = []
        for key in ("pool", "first", "second", "startup"):
            o = statistics.median(r[stage][key] for r in runs["old"])
            n = statistics.median(r[stage][key] for r in runs["new"])
            cells.append(f"{key} {o:.3f} -> {n:.3f}")
        print(f"{stage:15s} " + " | ".join(cells))


if __name__ == "__main__":
    if "--pieces-worker" in sys.argv:
        pieces_worker()
    elif "--worker" in sys.argv:
        worker()
    else:
        main()
