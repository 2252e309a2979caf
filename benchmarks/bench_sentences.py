"""Sentence splitters for news text: accuracy on a hand-checked gold sample, and speed.

Run from the repository root::

    python benchmarks/bench_sentences.py              # accuracy table + speed on the whole pool
    python benchmarks/bench_sentences.py --limit 300  # speed on the first 300 articles only

Splitters compared (each returns whitespace-trimmed character spans of the input):

* ``sentencex`` (Wikimedia), ``blingfire`` (Microsoft), ``pysbd`` (Golden Rules), ``syntok``;
* ``project``: ``analysis.text.sentence_spans`` as shipped (sentencex + paragraph handling);
* ``proposed``: the change proposed for ``analysis.text.sentence_spans`` (see
  ``RESULTS_vader_sentences.md``): the shipped spans with two repairs (an opening quote mark
  moves to the sentence it opens; a lone list number joins its item).

Accuracy uses ``benchmarks/sentence_gold.jsonl`` (passages drawn at random, seeded, from the
shipped pool plus the seed article; boundaries checked by hand; convention in the RESULTS file).
A boundary is the offset where a non-first gold sentence starts; precision/recall/F1 are over
those offsets, pooled over passages, and ``exact`` is the share of gold sentences reproduced with
exactly the same (trimmed) start and end. ``splitter_accuracy`` returns the table as a DataFrame.

``python benchmarks/bench_sentences.py --candidates`` prints the seeded passage sample with the
boundaries each splitter proposes; that is how the gold file was drafted before hand-checking.

``python benchmarks/bench_sentences.py --table --old-ref 4df0849`` times
``analysis.text.sentence_table`` on the whole pool against the ``analysis/text.py`` of an older
commit (read with ``git show`` into a temporary module), after checking that both give identical
tables (with and without titles): process CPU time, rounds interleaved, one core.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from _trees import git_source

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.paths import CORPORA_DIR  # noqa: E402
from analysis.text import sentence_spans  # noqa: E402

POOL = CORPORA_DIR / "allsides_techpolicy" / "articles.jsonl.gz"
SEED = CORPORA_DIR / "seed_article" / "ibm_facial_recognition_2020.txt"
GOLD = Path(__file__).resolve().parent / "sentence_gold.jsonl"

Span = tuple[int, int]


# ----------------------------------------------------------------------------- helpers
def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def spans_from_segments(text: str, segments) -> list[Span]:
    """Trimmed spans of string ``segments`` located in ``text`` with a running cursor."""
    out: list[Span] = []
    pos = 0
    for seg in segments:
        core = seg.strip()
        if not core:
            continue
        idx = text.find(core, pos)
        if idx < 0:
            idx = pos
        span = _trim(text, idx, idx + len(core))
        if span:
            out.append(span)
            pos = span[1]
    return out


# ----------------------------------------------------------------------------- splitters
def spans_sentencex(text: str) -> list[Span]:
    import sentencex

    return spans_from_segments(text, sentencex.segment("en", text))


def spans_blingfire(text: str) -> list[Span]:
    import blingfire

    if not text.strip():
        return []
    _, offsets = blingfire.text_to_sentences_and_offsets(text)
    return [s for a, b in offsets if (s := _trim(text, a, b))]


_PYSBD = None


def spans_pysbd(text: str) -> list[Span]:
    global _PYSBD
    import pysbd

    if _PYSBD is None:
        _PYSBD = pysbd.Segmenter(language="en", clean=False)
    if not text.strip():
        return []
    return spans_from_segments(text, _PYSBD.segment(text))


def spans_syntok(text: str) -> list[Span]:
    from syntok import segmenter

    out = []
    for paragraph in segmenter.analyze(text):
        for sentence in paragraph:
            if sentence:
                a = sentence[0].offset
                b = sentence[-1].offset + len(sentence[-1].value)
                if s := _trim(text, a, b):
                    out.append(s)
    return out


SPLITTERS: dict[str, Callable[[str], list[Span]]] = {
    "project (analysis.text.sentence_spans: sentencex + quote/list repairs)": sentence_spans,
    "sentencex": spans_sentencex,
    "blingfire": spans_blingfire,
    "pysbd": spans_pysbd,
    "syntok": spans_syntok,
}


# ----------------------------------------------------------------------------- gold + scoring
def load_gold(path: Path = GOLD) -> list[dict]:
    """The hand-checked passages: ``id``, ``source``, ``text``, ``sentences`` ([start, end])."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def boundary_scores(
    gold: list[dict], splitter: Callable[[str], list[Span]], quotes_optional: bool = False
) -> dict[str, float]:
    """Pooled boundary precision/recall/F1 and exact-sentence match of one splitter.

    With ``quotes_optional`` the gold boundaries inside a quotation (``quote_internal``: "“We
    did. We won,” she said" has one) count neither way, for splitters that keep a multi-sentence
    quotation together by design.
    """
    tp = fp = fn = exact = n_gold = 0
    for g in gold:
        text = g["text"]
        gold_spans = [tuple(s) for s in g["sentences"]]
        pred = splitter(text)
        gb = {s for s, _ in gold_spans[1:]}
        pb = {s for s, _ in pred[1:]}
        if quotes_optional:
            optional = set(g.get("quote_internal", []))
            gb -= optional
            pb -= optional
        tp += len(gb & pb)
        fp += len(pb - gb)
        fn += len(gb - pb)
        exact += len(set(gold_spans) & set(pred))
        n_gold += len(gold_spans)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": p,
        "recall": r,
        "f1": f1,
        "exact_match": exact / n_gold,
        "gold_boundaries": tp + fn,
        "gold_sentences": n_gold,
    }


def splitter_accuracy(gold: list[dict] | None = None) -> pd.DataFrame:
    """One row per splitter: boundary precision, recall, F1, exact-sentence match, and F1 when
    boundaries inside quotations are optional (``f1_quotes_optional``)."""
    gold = load_gold() if gold is None else gold
    rows = []
    for name, fn in SPLITTERS.items():
        row = {"splitter": name, **boundary_scores(gold, fn)}
        row["f1_quotes_optional"] = boundary_scores(gold, fn, quotes_optional=True)["f1"]
        rows.append(row)
    return pd.DataFrame(rows).set_index("splitter")


# ----------------------------------------------------------------------------- speed
def pool_texts(limit: int | None = None) -> list[str]:
    """Titles and bodies of the shipped pool, in file order."""
    texts: list[str] = []
    with gzip.open(POOL, "rt", encoding="utf-8") as fh:
        for k, line in enumerate(fh):
            if limit is not None and k >= limit:
                break
            row = json.loads(line)
            texts += [row.get("title") or "", row.get("content_original") or ""]
    return texts


def splitter_speed(texts: list[str], names: list[str] | None = None) -> pd.DataFrame:
    """Seconds (wall and CPU) each splitter needs for ``texts``, and sentences found."""
    rows = []
    for name in names or list(SPLITTERS):
        fn = SPLITTERS[name]
        fn("Warm up. Twice.")
        w0, c0 = time.perf_counter(), time.process_time()
        n = sum(len(fn(t)) for t in texts)
        rows.append(
            {
                "splitter": name,
                "wall_s": time.perf_counter() - w0,
                "cpu_s": time.process_time() - c0,
                "sentences": n,
                "chars": sum(map(len, texts)),
            }
        )
    return pd.DataFrame(rows).set_index("splitter")


# ----------------------------------------------------------------------------- gold drafting
_HAZARD_RE = re.compile(
    r"\b(?:U\.S\.|Dr\.|Sen\.|Gov\.|Rep\.|Jan\.|Feb\.|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.|[ap]\.m\.|"
    r"Inc\.|Mr\.|Ms\.|No\.)|[.?!][”\"] [A-Z]|\n[A-Z0-9 ,'’:-]{15,}\n"
)


_PARA_RE = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
_TARGETED = (
    r"\bDr\. [A-Z]",
    r"\b(?:Jan|Feb|Aug|Sept|Oct|Nov|Dec)\. \d",
    r"\n[A-Z0-9 ,'’:-]{25,}\n",
    r"[.?!]” [A-Z“]",
    r"\b(?:Inc|Corp|Co)\. [A-Z]",
    r"\b[ap]\.m\. [A-Z]",
)


def candidate_passages(seed: int = 20240611, n_random: int = 24, n_hazard: int = 16) -> list[dict]:
    """Seeded passages for the gold file: random ones, ones drawn among hazard paragraphs, seed.

    A passage is 1-4 consecutive paragraphs (split on blank lines) of ``content_original``,
    starting at a random paragraph and stopping once it exceeds 350 characters.
    """
    rng = random.Random(seed)
    with gzip.open(POOL, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    out: list[dict] = []

    def passage(row: dict, para_idx: int | None, hazard: bool) -> dict | None:
        text = row.get("content_original") or ""
        paras = list(_PARA_RE.finditer(text))
        if not paras:
            return None
        if para_idx is None:
            cands = [k for k, m in enumerate(paras) if _HAZARD_RE.search("\n" + m.group(0) + "\n")]
            if hazard and not cands:
                return None
            para_idx = rng.choice(cands) if hazard else rng.randrange(len(paras))
        start = paras[para_idx].start()
        end = paras[para_idx].end()
        k = para_idx
        while end - start < 350 and k + 1 < len(paras) and k - para_idx < 3:
            k += 1
            end = paras[k].end()
        return {
            "id": f"{row['ID']}:{start}",
            "source": "allsides_techpolicy",
            "doc": row["ID"],
            "offset": start,
            "text": text[start:end],
            "hazard_draw": hazard,
        }

    while len(out) < n_random:
        p = passage(rng.choice(rows), None, False)
        if p and len(p["text"]) > 80:
            out.append(p)
    while len(out) < n_random + n_hazard:
        p = passage(rng.choice(rows), None, True)
        if p:
            out.append(p)
    for pattern in _TARGETED:  # one passage for each hazard the draws above may miss
        rx = re.compile(pattern)
        while True:
            row = rng.choice(rows)
            text = row.get("content_original") or ""
            paras = list(_PARA_RE.finditer(text))
            cands = [k for k, m in enumerate(paras) if rx.search("\n" + m.group(0) + "\n")]
            if cands:
                p = passage(row, rng.choice(cands), True)
                if p:
                    out.append(p)
                    break
    seed_text = SEED.read_text(encoding="utf-8")
    # the whole seed article, in three pieces cut at the first blank line after 1,100/2,200 chars
    cuts = [0]
    for target in (1100, 2200):
        cuts.append(seed_text.index("\n\n", target) + 2)
    cuts.append(len(seed_text))
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        out.append(
            {
                "id": f"seed:{a}",
                "source": "seed_article",
                "doc": SEED.name,
                "offset": a,
                "text": seed_text[a:b],
                "hazard_draw": False,
            }
        )
    return out


def print_candidates() -> None:
    """Each candidate passage with every boundary any splitter proposes (for hand-checking)."""
    for k, p in enumerate(candidate_passages()):
        text = p["text"]
        votes: dict[int, list[str]] = {}
        for name, fn in SPLITTERS.items():
            for s, _ in fn(text)[1:]:
                votes.setdefault(s, []).append(name.split(" ")[0])
        print(f"=== [{k}] {p['id']} ({len(text)} chars)")
        pos = 0
        for b in sorted(votes):
            print(text[pos:b], end="")
            print(f"⟦{b}:{','.join(votes[b])}⟧", end="")
            pos = b
        print(text[pos:])


# ----------------------------------------------------------------------------- sentence table
def text_module_at(rev: str):
    """``analysis/text.py`` as it was at git revision ``rev``, imported as a separate module."""
    path = Path(tempfile.mkdtemp()) / f"text_{rev}.py"
    path.write_text(git_source(rev, "analysis/text.py"), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"text_{rev}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


def table_speed(old_rev: str, rounds: int = 3) -> pd.DataFrame:
    """CPU and wall seconds of ``sentence_table`` on the whole pool, current code vs ``old_rev``.

    Checks first that both tables are identical (``assert_frame_equal`` with exact floats and
    dtypes, and ``DataFrame.equals``) with and without titles; rounds are interleaved.
    """
    from analysis import text as current
    from analysis.corpus import load_corpus

    old = text_module_at(old_rev)
    arts = load_corpus("allsides_techpolicy")[0]
    for include_title in (True, False):
        a = old.sentence_table(arts, include_title=include_title)
        b = current.sentence_table(arts, include_title=include_title)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        assert a.equals(b) and list(a.dtypes) == list(b.dtypes)
        print(f"identical tables, include_title={include_title}: {a.shape}")
    runs: dict[str, list[tuple[float, float]]] = {f"old ({old_rev})": [], "current": []}
    for _ in range(rounds):
        for name, module in zip(runs, (old, current), strict=True):
            w0, c0 = time.perf_counter(), time.process_time()
            module.sentence_table(arts)
            runs[name].append((time.process_time() - c0, time.perf_counter() - w0))
    rows = []
    for name, r in runs.items():
        cpu = sorted(c for c, _ in r)
        rows.append(
            {
                "code": name,
                "cpu_runs_s": " ".join(f"{c:.2f}" for c, _ in r),
                "cpu_median_s": cpu[len(cpu) // 2],
                "cpu_min_s": cpu[0],
                "wall_median_s": sorted(w for _, w in r)[len(r) // 2],
            }
        )
    out = pd.DataFrame(rows).set_index("code")
    out["speedup_cpu_median"] = out["cpu_median_s"].iloc[0] / out["cpu_median_s"]
    out["speedup_cpu_min"] = out["cpu_min_s"].iloc[0] / out["cpu_min_s"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="speed on the first N articles only")
    ap.add_argument("--candidates", action="store_true", help="print passages to hand-check")
    ap.add_argument("--pysbd-limit", type=int, default=300, help="articles for pysbd (slow)")
    ap.add_argument("--table", action="store_true", help="time sentence_table vs --old-ref")
    ap.add_argument("--old-ref", default="4df0849", help="git revision of the old text.py")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds for --table")
    args = ap.parse_args()
    if args.candidates:
        print_candidates()
        return
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    if args.table:
        pd.set_option("display.width", 160)
        print(table_speed(args.old_ref, args.rounds).round(2).to_string())
        return
    pd.set_option("display.width", 160)
    acc = splitter_accuracy()
    print(f"Accuracy on {GOLD.name} ({len(load_gold())} passages)")
    print(acc.round(3).to_string())
    texts = pool_texts(args.limit)
    print(f"\nSpeed on {len(texts) // 2} articles ({sum(map(len, texts))} chars), one core")
    fast = [n for n in SPLITTERS if not n.startswith("pysbd")]
    print(splitter_speed(texts, fast).round(2).to_string())
    sub = pool_texts(min(args.pysbd_limit, args.limit or args.pysbd_limit))
    sp = splitter_speed(sub, [n for n in SPLITTERS if n.startswith(("pysbd", "sentencex"))])
    sp["extrapolated_pool_cpu_s"] = sp["cpu_s"] * sum(map(len, texts)) / sum(map(len, sub))
    print(f"\npysbd on the first {len(sub) // 2} articles (extrapolated to the pool by chars)")
    print(sp.round(2).to_string())


if __name__ == "__main__":
    main()
