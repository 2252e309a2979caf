"""Sub-commands registered next to :mod:`analysis.cli` (each imports its module lazily, so
``python -m analysis --help`` and warm reruns stay fast)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported inside the commands (fast start-up)
    import pandas as pd


def _notebooks(sub, add_target_flags) -> None:
    p = sub.add_parser("notebooks", help="run the study notebooks headlessly (make figures)")
    p.add_argument("--corpus", default="allsides_techpolicy")
    p.add_argument("--sample", type=int, default=None, help="run on a seeded sample of N articles")
    p.add_argument("--output-dir", default=None, help="figures folder (default figures/[CORPUS])")
    p.add_argument("--only", nargs="*", default=None, help="substrings of notebook names to run")

    def run(args: argparse.Namespace) -> int:
        from .notebook_runner import run_notebooks

        done = run_notebooks(args.corpus, args.sample, args.output_dir, args.only)
        for d in done:
            print(f"executed {d}")
        return 0

    p.set_defaults(func=run)


def _score(sub, add_target_flags) -> None:
    p = sub.add_parser("score", help="score a corpus end to end into parquet tables")
    add_target_flags(p)
    p.add_argument("--out", required=True, help="output folder for the parquet tables")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (results identical)")
    p.add_argument("--sample", type=int, default=None, help="score a seeded sample of N articles")
    p.add_argument("--chunk-size", type=int, default=200)
    p.add_argument("--cache-dir", default=None, help="stage cache (default .cache/scores)")
    p.add_argument("--no-cache", action="store_true")
    p.add_argument(
        "--stream",
        action="store_true",
        help="read and score a large parquet/JSONL file batch by batch (bounded memory)",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=2000,
        help="articles per streamed batch; peak memory scales with it (2000: 1.9 GB RSS, 2 jobs)",
    )

    def run(args: argparse.Namespace) -> int:
        from . import cli, pipeline

        cache = None if args.no_cache else (args.cache_dir or "default")
        if args.stream:
            cache = None if args.no_cache or not args.cache_dir else args.cache_dir
            rep = pipeline.score_stream(
                args.target,
                args.out,
                batch_size=args.batch_size,
                jobs=args.jobs,
                chunk_size=args.chunk_size,
                cache_dir=cache,
                columns=cli._columns(args),
            )
        else:
            from .corpus import sample_articles

            articles, load_report = cli.load_target(args)
            articles = sample_articles(articles, args.sample)
            rep = pipeline.score_to_dir(
                articles, args.out, jobs=args.jobs, chunk_size=args.chunk_size, cache_dir=cache
            )
            rep = {
                **rep,
                "load": {
                    k: load_report.to_dict(0)[k] for k in ("read", "kept", "rejected", "reasons")
                },
            }
        summary = {
            k: rep.get(k)
            for k in (
                "articles_scored",
                "articles_skipped",
                "sentences",
                "hits",
                "mentions",
                "reused_output",
                "load",
                "read",
                "kept",
                "rejected",
            )
            if k in rep
        }
        print(json.dumps(summary, default=str))
        for s in rep.get("skipped", [])[:20]:
            print(f"skipped {s['doc_id']}: {s['reason']}", file=sys.stderr)
        return 0

    p.set_defaults(func=run)


def _read_table(path: str, text_column: str) -> "tuple":  # noqa: UP037
    import pandas as pd

    from .corpus import load_corpus
    from .schema import CorpusError

    p = Path(path)
    if not p.exists():
        raise CorpusError(p, "file not found")
    name = p.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
        df = pd.read_json(p, lines=True, dtype=False)
    elif name.endswith((".tsv", ".tab")):
        df = pd.read_csv(p, sep="\t", dtype=str, keep_default_na=False)
    elif name.endswith(".csv"):
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    else:
        articles, _ = load_corpus(p, fold=False)
        df = (
            articles.rename(columns={"text": text_column})
            if text_column not in articles
            else articles
        )
    if text_column not in df.columns:
        raise CorpusError(p, f"no column {text_column!r}; columns are {list(df.columns)}")
    id_col = next((c for c in ("doc_id", "id", "ID") if c in df.columns), None)
    ids = df[id_col].astype(str) if id_col else pd.Series(range(1, len(df) + 1)).astype(str)
    return df, ids, id_col or "row"


def _score_file_to_csv(
    args: argparse.Namespace, score: Callable[[pd.DataFrame], pd.DataFrame]
) -> pd.DataFrame:
    """Read ``args.file`` (:func:`_read_table`), score it and write ``args.out`` as CSV.

    ``score(df)`` gets the input table and returns one row per input row, in order. The written
    table is that result with the input's id column first: ``doc_id``, ``id`` or ``ID`` (the first
    present, as strings) or else ``row`` (1, 2, ...); a result column of the same name is
    replaced. Returns the written table.
    """
    df, ids, id_name = _read_table(args.file, args.text_column)
    out = score(df).drop(columns=[id_name], errors="ignore")
    out.insert(0, id_name, ids.values)
    out.to_csv(args.out, index=False)
    return out


def _sentiment_cmd(sub, add_target_flags) -> None:
    p = sub.add_parser("sentiment", help="sentence-level sentiment per text (CSV/TSV/JSONL in)")
    p.add_argument("file")
    p.add_argument("--text-column", required=True)
    p.add_argument("--out", required=True)
    p.add_argument(
        "--method",
        choices=["vader", "news"],
        default=None,
        help="default: the scorer that measured better on human ratings",
    )

    def run(args):
        from .sentiment import DEFAULT_METHOD, score_texts

        method = args.method or DEFAULT_METHOD
        res = _score_file_to_csv(
            args, lambda df: score_texts(df[args.text_column].tolist(), method=method)
        )
        print(f"wrote {len(res):,} rows to {args.out} ({(res['status'] != 'ok').sum():,} not ok)")
        return 0

    p.set_defaults(func=run)


def _target_cmd(sub, add_target_flags) -> None:
    p = sub.add_parser(
        "target-sentiment", help="sentiment towards given targets (NewsMTSC-style JSONL)"
    )
    p.add_argument("file")
    p.add_argument("--out", required=True)

    def run(args):
        from .target_sentiment import predict_jsonl

        summary = predict_jsonl(args.file, args.out)
        print(json.dumps(summary, default=str))
        return 0

    p.set_defaults(func=run)


def _explain_cmd(sub, add_target_flags) -> None:
    p = sub.add_parser("explain", help="sentences, voices, scores and lexicon hits of one text")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--text")
    g.add_argument("--file")
    p.add_argument("--json", action="store_true")

    def run(args):
        from .explain import explain_text

        text = args.text if args.text is not None else Path(args.file).read_text(encoding="utf-8")
        out = explain_text(text)
        if args.json:
            print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        else:
            for s in out["sentences"]:
                print(f"[{s['voice']:8}] {s['compound']:+.3f}  {s['text']}")
            for h in out["hits"]:
                neg = " (negated)" if h["negated"] else ""
                print(f"  {h['category']}: {h['matched']!r} [{h['voice']}]{neg}")
        return 0

    p.set_defaults(func=run)


def _frames_cmd(sub, add_target_flags) -> None:
    p = sub.add_parser("frames", help="generic frames (0/1 + probability) and cue rates per text")
    p.add_argument("file")
    p.add_argument("--text-column", required=True)
    p.add_argument("--out", required=True)

    def run(args):
        from .frame_classifier import predict_frames
        from .framing import text_category_rates

        def score(df):
            texts = df[args.text_column].fillna("").astype(str).tolist()
            frames = predict_frames(texts)
            rates = text_category_rates(texts)  # hits per 1,000 words per category
            rates = rates.rename(columns={c: f"{c}.rate" for c in rates.columns if c != "n_words"})
            return frames.join(rates.reset_index(drop=True))

        out = _score_file_to_csv(args, score)
        print(f"wrote {len(out):,} rows to {args.out}")
        return 0

    p.set_defaults(func=run)


def _add_corpus_cmd(sub, add_target_flags) -> None:
    p = sub.add_parser("add-corpus", help="create data/corpora/NAME with a manifest and data card")
    add_target_flags(p)
    p.add_argument("--name", required=True, help="corpus name (lower case, digits, _ and -)")
    p.add_argument(
        "--copy",
        action="store_true",
        help="copy the sources into the corpus folder (default: leave them in place)",
    )
    p.add_argument("--force", action="store_true", help="regenerate an existing corpus.yml")

    def run(args):
        from .add_corpus import add_corpus
        from .cli import _columns

        folder, report, actions = add_corpus(
            args.target,
            args.name,
            format=args.fmt,
            columns=_columns(args),
            outlet_from=args.outlet_from,
            title_only=args.title_only,
            copy=args.copy,
            force=args.force,
        )
        print(report.summary())
        for a in actions:
            print(a)
        print(
            f"next: edit {folder / 'corpus.yml'} and {folder / 'DATACARD.md'}, then "
            f"`make figures CORPUS={args.name}`"
        )
        return 0

    p.set_defaults(func=run)


REGISTRARS = [
    _add_corpus_cmd,
    _notebooks,
    _score,
    _sentiment_cmd,
    _target_cmd,
    _explain_cmd,
    _frames_cmd,
]
