"""One scoring pipeline: sentences, sentiment (VADER and the news-adapted scorer), every frame
lexicon, actor mentions and actor-targeted sentiment - cached, parallel, streaming, or on Dask.

Design
------
* The unit of work is a **chunk** of articles (``chunk_size`` rows in corpus order). Chunking
  does not depend on ``jobs``, and each chunk is scored by the pure function
  :func:`score_chunk`, so results are identical for any number of processes, for the streaming
  path and for Dask (tested).
* **Cache** (``.cache/scores`` by default, git-ignored): every stage of every chunk is stored as
  parquet under a key made of the SHA-256 of the chunk's rows (``doc_id``, ``title``, ``text``)
  and the version of the code and resources that stage uses. Frame hits are cached per lexicon
  file, so editing one lexicon rescores only that lexicon; editing the actor dictionary reruns
  only the actor stage. Files are written to a temporary name and renamed, so an interrupted run
  never leaves a corrupt entry.
* **Parallelism**: chunks that are not cached go to a ``ProcessPoolExecutor`` (fork) with
  ``jobs`` workers, largest chunk first (:func:`schedule`), so the workers finish together;
  chunks of 200 articles keep start-up and pickling small next to the work. The parent does
  little after the workers: the actor table is aggregated from the mentions the workers already
  scored (:func:`actor_table`), and the sentiment stage takes plain VADER from the news scorer's
  token pass (``analysis.sentiment.vader_and_news_polarity``). Timings: ``benchmarks/RESULTS.md``.
* **Failures**: if a chunk fails, its articles are scored one by one; an article that still
  fails is skipped and reported with its ``doc_id`` and the error, the rest are scored.
* **Outputs** (:class:`Scores`): ``docs`` (one row per article: metadata, sentence counts,
  sentiment aggregates for both scorers, rates per 1,000 words of every lexicon category),
  ``sentences`` (with voice and both scores), ``hits`` (lexicon hits), ``mentions`` (actor
  mentions with targeted sentiment), ``actors`` (per article and actor) and ``report``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import traceback
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__, paths
from .files import write_parquet_atomic

STAGES = ("sentences", "sentiment", "frames", "actors")
DOC_META = ("doc_id", "outlet", "date", "title", "url", "rating", "topic", "subtopics", "in_study")
DEFAULT_CHUNK = 200


# ----------------------------------------------------------------------------- versions
def _file_hash(*files: Path) -> str:
    h = hashlib.sha256()
    for f in files:
        if f.exists():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def stage_versions() -> dict[str, str]:
    """Version key of every stage: the code and resources each one depends on."""
    pkg = paths.PACKAGE_DIR
    text = _file_hash(pkg / "text.py")
    sentiment = _file_hash(
        pkg / "text.py",
        pkg / "sentiment.py",
        pkg / "sentiment_lexicons.py",
        pkg / "_newscore.pyx",
        pkg / "vader_fast.py",
        *sorted(paths.RESOURCES_DIR.glob("news_*")),
        *sorted(paths.MODELS_DIR.glob("news_*")),
    )
    actors = _file_hash(
        pkg / "actors.py",
        pkg / "target_sentiment.py",
        paths.RESOURCES_DIR / "actors.yml",
        *sorted(paths.MODELS_DIR.glob("target_*")),
    )
    return {
        "sentences": f"{__version__}-{text}",
        "sentiment": sentiment,
        "frames_engine": _file_hash(pkg / "text.py", pkg / "framing.py"),
        # the actor stage reads the sentence and sentiment tables, so its version includes the
        # sentiment stage's (which covers text.py); "2-": _actors (here) scores an empty mention
        # table too since Stop 12 (it gets the score columns)
        "actors": f"2-{sentiment}-{actors}",
    }


def lexicon_versions(lexicons: Any = None) -> dict[str, str]:
    """``{lexicon name: content hash}`` of the lexicons in use (shipped plus analysts')."""
    from .framing import resolve_lexicons

    out = {}
    for name, lex in resolve_lexicons(lexicons).items():
        src = getattr(lex, "path", None)
        payload = Path(src).read_bytes() if src and Path(src).exists() else repr(lex).encode()
        out[name] = hashlib.sha256(payload).hexdigest()[:16]
    return out


def chunk_key(articles: pd.DataFrame) -> str:
    """SHA-256 of the chunk's rows (doc_id, title, text)."""
    h = hashlib.sha256()
    cols = [c for c in ("doc_id", "title", "text") if c in articles.columns]
    h.update(
        pd.util.hash_pandas_object(articles[cols].astype(str), index=False).to_numpy().tobytes()
    )
    h.update(str(len(articles)).encode())
    return h.hexdigest()[:24]


# ----------------------------------------------------------------------------- the pure work
def _sentences(articles: pd.DataFrame) -> pd.DataFrame:
    from .text import sentence_table

    return sentence_table(articles)


def _sentiment(sents: pd.DataFrame) -> pd.DataFrame:
    from .sentiment import vader_and_news_polarity

    # one VADER token pass serves both scorers where the news scorer neutralised nothing
    v, n = vader_and_news_polarity(sents["text"].tolist())
    out = pd.DataFrame({"doc_id": sents["doc_id"].values, "sent_idx": sents["sent_idx"].values})
    for col in ("compound", "pos", "neu", "neg"):
        out[f"vader_{col}"] = v[col].to_numpy()
    out["news_compound"] = n["compound"].to_numpy()
    return out


def _frames(
    sents: pd.DataFrame, lexicon_names: list[str], lexicons: Any, articles: pd.DataFrame
) -> pd.DataFrame:
    from .framing import frame_hits, resolve_lexicons

    lexset = resolve_lexicons(lexicons)
    return frame_hits(sents, {n: lexset[n] for n in lexicon_names}, articles=articles)


def _actors(sents: pd.DataFrame, actors: Any, senti: pd.DataFrame | None = None) -> pd.DataFrame:
    """Actor mentions with targeted sentiment; ``senti`` (the sentiment stage's table) gives the
    target model the sentence VADER scores it would otherwise compute again (identical values)."""
    from .actors import actor_mentions, mention_sentiment

    # also without mentions: the table then has the scored columns too (one schema for every
    # chunk and every streamed part)
    return mention_sentiment(sents, actor_mentions(sents, actors), sentiment=senti)


@dataclass
class ChunkResult:
    sentences: pd.DataFrame
    sentiment: pd.DataFrame
    hits: pd.DataFrame
    mentions: pd.DataFrame
    from_cache: dict[str, bool] = field(default_factory=dict)


class _Cache:
    """Parquet files under ``root/<stage>/<key>.parquet``, written atomically."""

    def __init__(self, root: Path | None):
        self.root = Path(root) if root else None

    def path(self, stage: str, key: str) -> Path | None:
        return None if self.root is None else self.root / stage / f"{key}.parquet"

    def get(self, stage: str, key: str) -> pd.DataFrame | None:
        p = self.path(stage, key)
        if p is None or not p.exists():
            return None
        try:
            return pd.read_parquet(p)
        except Exception:  # noqa: BLE001 - a damaged entry is recomputed, never trusted
            return None

    def put(self, stage: str, key: str, df: pd.DataFrame) -> None:
        p = self.path(stage, key)
        if p is None:
            return
        write_parquet_atomic(df, p)


def score_chunk(
    articles: pd.DataFrame,
    lexicons: Any = None,
    actors: Any = None,
    cache_dir: Path | None = None,
    lex_versions: dict[str, str] | None = None,
) -> ChunkResult:
    """Score one chunk of articles through every stage (reading/writing the stage cache).

    ``lex_versions`` is :func:`lexicon_versions` of ``lexicons`` when the caller has it already
    (``score_corpus`` computes it once per run instead of hashing the lexicon files per chunk).
    """
    cache = _Cache(cache_dir)
    ck = chunk_key(articles)
    ver = stage_versions()
    from_cache = {}

    def key_of(version: str) -> str:
        """Cache key of this chunk for one stage version."""
        return hashlib.sha256(f"{ck}|{version}".encode()).hexdigest()[:32]

    def staged(stage: str, version: str, compute):
        key = key_of(version)
        got = cache.get(stage, key)
        from_cache[stage] = got is not None
        if got is None:
            got = compute()
            cache.put(stage, key, got)
        return got

    sents = staged("sentences", ver["sentences"], lambda: _sentences(articles))
    senti = staged("sentiment", ver["sentiment"], lambda: _sentiment(sents))
    # frame hits are cached per lexicon, but the lexicons still to score are matched in ONE pass
    # (one normalisation and one automaton scan of the texts instead of one per lexicon);
    # overlap resolution and negation are per lexicon, so the split equals separate passes
    # (tested in tests/test_pipeline.py)
    lex_keys = {
        name: key_of(f"{ver['frames_engine']}|{lver}")
        for name, lver in (lex_versions or lexicon_versions(lexicons)).items()
    }
    per_lex = {name: cache.get(f"frames-{name}", key) for name, key in lex_keys.items()}
    missing = [name for name, got in per_lex.items() if got is None]
    if missing:
        fresh = _frames(sents, missing, lexicons, articles)
        for name in missing:
            got = fresh[fresh["lexicon"] == name].reset_index(drop=True)
            cache.put(f"frames-{name}", lex_keys[name], got)
            per_lex[name] = got
    for name in lex_keys:
        from_cache[f"frames-{name}"] = name not in missing
    hits = list(per_lex.values())
    hits_df = pd.concat(hits, ignore_index=True) if hits else pd.DataFrame()
    actors_v = ver["actors"] if actors is None else ver["actors"] + repr(actors)
    mentions = staged("actors", actors_v, lambda: _actors(sents, actors, senti))
    return ChunkResult(sents, senti, hits_df, mentions, from_cache)


def _score_chunk_safe(args: tuple) -> tuple[int, ChunkResult | None, list[tuple[str, str]]]:
    """Worker: score a chunk; on failure, isolate failing articles one by one."""
    i, chunk, lexicons, actors, cache_dir, lex_versions = args
    try:
        return i, score_chunk(chunk, lexicons, actors, cache_dir, lex_versions), []
    except Exception:  # noqa: BLE001 - isolate and report, never lose the whole run
        pass
    parts, failed = [], []
    for j in range(len(chunk)):
        one = chunk.iloc[[j]]
        try:
            parts.append(score_chunk(one, lexicons, actors, None, lex_versions))
        except Exception as exc:  # noqa: BLE001
            tb = traceback.format_exception_only(type(exc), exc)[-1].strip()
            failed.append((str(one["doc_id"].iloc[0]), tb))
    if not parts:
        return i, None, failed
    merged = ChunkResult(
        *(
            pd.concat([getattr(p, f) for p in parts], ignore_index=True)
            for f in ("sentences", "sentiment", "hits", "mentions")
        )
    )
    return i, merged, failed


# ----------------------------------------------------------------------------- assembling
@dataclass
class Scores:
    docs: pd.DataFrame
    sentences: pd.DataFrame
    hits: pd.DataFrame
    mentions: pd.DataFrame
    actors: pd.DataFrame
    report: dict[str, Any]

    def save(self, out_dir: str | Path) -> Path:
        """Write every table as parquet plus ``report.json`` to ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for name in ("docs", "sentences", "hits", "mentions", "actors"):
            write_parquet_atomic(getattr(self, name), out / f"{name}.parquet")
        (out / "report.json").write_text(json.dumps(self.report, indent=2, default=str))
        return out

    @classmethod
    def load(cls, out_dir: str | Path) -> Scores:
        out = Path(out_dir)
        tables = {
            n: pd.read_parquet(out / f"{n}.parquet")
            for n in ("docs", "sentences", "hits", "mentions", "actors")
        }
        return cls(**tables, report=json.loads((out / "report.json").read_text()))


def doc_table(
    articles: pd.DataFrame,
    sentences: pd.DataFrame,
    sentiment: pd.DataFrame,
    hits: pd.DataFrame,
    lexicons: Any = None,
) -> pd.DataFrame:
    """One row per article: metadata, sentence counts, sentiment aggregates, frame rates."""
    from .framing import article_frame_rates, resolve_lexicons
    from .sentiment import NEWS_THRESHOLD, article_sentiment

    scored = sentences.merge(sentiment, on=["doc_id", "sent_idx"], how="left")
    parts = []
    # thresholds for "positive"/"negative" sentences: VADER's documented +-0.05; the news scorer
    # predicts the rater mean / 4, so its band is the +-0.5 rater-scale cut (+-0.125)
    thresholds = {"vader": 0.05, "news": NEWS_THRESHOLD}
    for method in ("vader", "news"):
        s = scored.assign(compound=scored[f"{method}_compound"])
        th = thresholds[method]
        agg = article_sentiment(s, pos_threshold=th, neg_threshold=-th).set_index("doc_id")
        agg = agg.drop(
            columns=[
                c
                for c in ("n_sentences", "n_reporter", "n_quoted")
                if c in agg.columns and method == "news"
            ]
        )
        parts.append(
            agg.add_prefix(f"{method}_").rename(
                columns={
                    f"{method}_n_sentences": "n_sentences",
                    f"{method}_n_reporter": "n_reporter",
                    f"{method}_n_quoted": "n_quoted",
                }
            )
        )
    # categories come from the lexicons, so a chunk without any hit of a category still gets zeros
    rates = article_frame_rates(hits, sentences, resolve_lexicons(lexicons)).set_index("doc_id")
    # a fixed column order (words first, then categories by name) whatever the chunking
    first = [c for c in ("n_words", "n_words_reporter") if c in rates.columns]
    rates = rates[first + sorted(c for c in rates.columns if c not in first)].copy()
    meta = articles[[c for c in articles.columns if c in DOC_META]].set_index("doc_id")
    docs = pd.concat([meta, *parts, rates], axis=1, join="outer").loc[meta.index].copy()
    return docs.reset_index()


def actor_table(sentences: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Actor-targeted sentiment per ``(doc_id, actor)``: the table of
    :func:`analysis.actors.actor_sentiment`, aggregated from the mentions the workers already
    scored (the pipeline's ``mentions`` carry ``score`` and ``label``), so the parent neither
    rescores every mention nor runs a Python function per group (identical table, tested)."""
    from .actors import actor_sentiment, actor_sentiment_table

    if len(mentions) == 0:  # the same columns as with mentions (empty), one schema either way
        return actor_sentiment_table(mentions)
    if not {"score", "label"} <= set(mentions.columns):
        return actor_sentiment(sentences, mentions)
    return actor_sentiment_table(mentions)


def _progress(total: int, desc: str, enabled: bool | None):
    from tqdm.auto import tqdm

    if enabled is None:
        enabled = sys.stderr.isatty() and not os.environ.get("CI")
    return tqdm(total=total, desc=desc, unit="chunk", disable=not enabled)


def chunk_cost(chunk: pd.DataFrame) -> int:
    """Characters of title and text: the work a chunk takes, for scheduling."""
    cols = [c for c in ("title", "text") if c in chunk.columns]
    return int(sum(chunk[c].fillna("").astype(str).str.len().sum() for c in cols))


def schedule(tasks: list[tuple]) -> list[tuple]:
    """Tasks ``(i, chunk, ...)`` largest chunk first (stable for ties): the workers take them in
    this order, so the small chunks fill in at the end and the workers finish close together
    (longest-processing-time-first). Only the order of work changes: results are put back by
    ``i``, and the chunks themselves do not depend on it."""
    return sorted(tasks, key=lambda t: -chunk_cost(t[1]))


def iter_chunks(articles: pd.DataFrame, chunk_size: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(articles), chunk_size):
        yield articles.iloc[start : start + chunk_size]


def score_corpus(
    articles: pd.DataFrame,
    *,
    jobs: int = 1,
    chunk_size: int = DEFAULT_CHUNK,
    cache_dir: str | Path | None = "default",
    lexicons: Any = None,
    actors: Any = None,
    progress: bool | None = None,
) -> Scores:
    """Score ``articles`` (article schema) through every stage; see the module docstring.

    ``cache_dir="default"`` uses ``.cache/scores``; ``None`` disables caching.
    """
    cache = paths.CACHE_DIR / "scores" if cache_dir == "default" else cache_dir
    articles = articles.reset_index(drop=True)
    chunks = list(iter_chunks(articles, chunk_size))
    lex_versions = lexicon_versions(lexicons)
    tasks = [(i, c, lexicons, actors, cache, lex_versions) for i, c in enumerate(chunks)]
    results: dict[int, ChunkResult | None] = {}
    failures: list[tuple[str, str]] = []
    bar = _progress(len(tasks), "scoring", progress)
    if jobs > 1 and len(tasks) > 1:
        import multiprocessing as mp

        # the parent needs these modules for the document and actor tables at the end anyway;
        # imported before forking, the workers inherit them instead of each importing them again
        from . import actors, sentiment  # noqa: F401

        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork")) as ex:
            for i, res, failed in ex.map(_score_chunk_safe, schedule(tasks)):
                results[i] = res
                failures.extend(failed)
                bar.update(1)
    else:
        for t in tasks:
            i, res, failed = _score_chunk_safe(t)
            results[i] = res
            failures.extend(failed)
            bar.update(1)
    bar.close()
    ok = [results[i] for i in range(len(tasks)) if results[i] is not None]

    # with nothing scored (every article failed), the tables of an empty chunk: the same columns
    empty = [] if ok else [score_chunk(articles.iloc[:0], lexicons, actors, None, lex_versions)]

    def cat(attr: str) -> pd.DataFrame:
        frames = [getattr(r, attr) for r in ok or empty]
        full = [f for f in frames if len(f)]
        # empty parts are left out of the concatenation (their dtypes could differ), but a run
        # where every part is empty (e.g. no article has a sentence) keeps the parts' columns
        return pd.concat(full, ignore_index=True) if full else frames[0]

    sentences, sentiment, hits, mentions = (
        cat(a) for a in ("sentences", "sentiment", "hits", "mentions")
    )
    # the document rows are built once here: built per chunk in the workers (identical rows) they
    # cost ~1-2 s more CPU over the pool's 16 chunks (pandas' fixed cost per call) and the cold
    # run was slower (benchmarks/RESULTS.md, Stop 12)
    failed_ids = {d for d, _ in failures}
    docs = doc_table(
        articles[~articles["doc_id"].isin(failed_ids)], sentences, sentiment, hits, lexicons
    )
    sent_out = sentences.merge(sentiment, on=["doc_id", "sent_idx"], how="left")
    report = {
        "articles_in": int(len(articles)),
        "articles_scored": int(len(docs)),
        "articles_skipped": len(failures),
        "skipped": [{"doc_id": d, "reason": r} for d, r in failures],
        "articles_without_sentences": int((docs["n_sentences"].fillna(0) == 0).sum())
        if "n_sentences" in docs
        else 0,
        "sentences": int(len(sentences)),
        "hits": int(len(hits)),
        "mentions": int(len(mentions)),
        "chunks": len(tasks),
        "chunks_from_cache": sum(all(r.from_cache.values()) for r in ok if r.from_cache),
        "jobs": jobs,
        "chunk_size": chunk_size,
        "stage_versions": stage_versions(),
        "lexicon_versions": lex_versions,
    }
    return Scores(docs, sent_out, hits, mentions, actor_table(sentences, mentions), report)


def run_key(
    articles: pd.DataFrame, chunk_size: int, lexicons: Any = None, actors: Any = None
) -> str:
    """Key of a whole scoring run: input rows, chunking, every stage and lexicon version."""
    h = hashlib.sha256()
    h.update(chunk_key(articles).encode())
    h.update(str(chunk_size).encode())
    h.update(json.dumps(stage_versions(), sort_keys=True).encode())
    h.update(json.dumps(lexicon_versions(lexicons), sort_keys=True).encode())
    h.update(repr(actors).encode())
    return h.hexdigest()[:24]


def score_to_dir(
    articles: pd.DataFrame,
    out_dir: str | Path,
    *,
    jobs: int = 1,
    chunk_size: int = DEFAULT_CHUNK,
    cache_dir: str | Path | None = "default",
    progress: bool | None = None,
) -> dict[str, Any]:
    """Score and write the tables to ``out_dir``; if ``out_dir`` already holds the result of the
    same run key (same rows, code, lexicons), nothing is recomputed or rewritten."""
    out = Path(out_dir)
    key = run_key(articles, chunk_size)
    rep_path = out / "report.json"
    if rep_path.exists():
        try:
            old = json.loads(rep_path.read_text())
        except ValueError:
            old = {}
        if old.get("run_key") == key and all(
            (out / f"{n}.parquet").exists()
            for n in ("docs", "sentences", "hits", "mentions", "actors")
        ):
            old["reused_output"] = True
            return old
    scores = score_corpus(
        articles, jobs=jobs, chunk_size=chunk_size, cache_dir=cache_dir, progress=progress
    )
    scores.report["run_key"] = key
    scores.save(out)
    return scores.report


# ----------------------------------------------------------------------------- streaming
def iter_article_batches(
    path: str | Path, batch_size: int = 2_000, columns: dict[str, str] | None = None
) -> Iterator[tuple[pd.DataFrame, Any]]:
    """Read a large parquet or JSONL(.gz) corpus batch by batch as ``(articles, LoadReport)``.

    Only ``batch_size`` rows are in memory at a time. Duplicate folding needs the whole corpus
    and is not applied here (run ``load_corpus`` for that); every other load rule is.
    """
    import gzip
    import json as _json

    from .corpus import standardize_articles
    from .schema import RawRead, Rejection

    path = Path(path)
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")) or path.is_dir():
        import pyarrow.dataset as ds

        dataset = ds.dataset(str(path), format="parquet")
        row = 0
        for batch in dataset.to_batches(batch_size=batch_size):
            df = batch.to_pandas()
            df["_pos"] = [f"row {row + i + 1}" for i in range(len(df))]
            df["_source"] = str(path)
            row += len(df)
            yield standardize_articles(
                RawRead(df, "parquet", "streamed parquet"), str(path), mapping=columns
            )
        return
    if not name.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")):
        raise ValueError(f"{path}: streaming reads parquet or JSON lines")
    opener = gzip.open if name.endswith(".gz") else open
    rows, rejections = [], []
    with opener(path, "rb") as fh:
        for i, raw in enumerate(fh, start=1):
            if raw.strip():
                try:
                    obj = _json.loads(raw)
                    if not isinstance(obj, dict):
                        raise ValueError("not an object")
                    obj["_pos"], obj["_source"] = f"line {i}", str(path)
                    rows.append(obj)
                except ValueError as exc:
                    rejections.append(
                        Rejection(f"line {i}", "malformed_json", str(exc)[:200], source=str(path))
                    )
            if len(rows) >= batch_size:
                yield standardize_articles(
                    RawRead(pd.DataFrame(rows), "jsonl", "streamed", rejections),
                    str(path),
                    mapping=columns,
                )
                rows, rejections = [], []
    if rows or rejections:
        yield standardize_articles(
            RawRead(pd.DataFrame(rows), "jsonl", "streamed", rejections), str(path), mapping=columns
        )


def score_stream(
    path: str | Path,
    out_dir: str | Path,
    *,
    batch_size: int = 2_000,
    jobs: int = 1,
    chunk_size: int = DEFAULT_CHUNK,
    cache_dir: str | Path | None = None,
    columns: dict[str, str] | None = None,
    progress: bool | None = None,
) -> dict[str, Any]:
    """Score a corpus too large for memory: read, score and write one batch at a time.

    Each table is written as a parquet dataset folder (``docs/part-00000.parquet`` ...), so peak
    memory depends on ``batch_size``, not on the corpus size.
    """
    out = Path(out_dir)
    totals = {
        "read": 0,
        "kept": 0,
        "rejected": 0,
        "articles_scored": 0,
        "articles_skipped": 0,
        "sentences": 0,
        "hits": 0,
        "mentions": 0,
        "batches": 0,
        "skipped": [],
    }
    for b, (articles, rep) in enumerate(iter_article_batches(path, batch_size, columns)):
        totals["read"] += rep.read
        totals["kept"] += rep.kept
        totals["rejected"] += rep.rejected
        totals["batches"] += 1
        if len(articles) == 0:
            continue
        s = score_corpus(
            articles, jobs=jobs, chunk_size=chunk_size, cache_dir=cache_dir, progress=progress
        )
        for name in ("docs", "sentences", "hits", "mentions", "actors"):
            # the temporary file starts with "." so dataset readers skip it until it is renamed
            write_parquet_atomic(getattr(s, name), out / name / f"part-{b:05d}.parquet")
        for k in ("articles_scored", "articles_skipped", "sentences", "hits", "mentions"):
            totals[k] += s.report[k]
        totals["skipped"].extend(s.report["skipped"])
        del s, articles
    (out / "report.json").write_text(json.dumps(totals, indent=2, default=str))
    return totals


# ----------------------------------------------------------------------------- Dask
def docs_for_partition(articles: pd.DataFrame) -> pd.DataFrame:
    """The document table of one partition (the per-chunk function Dask maps)."""
    if len(articles) == 0:
        return pd.DataFrame()
    return score_corpus(
        articles.reset_index(drop=True), jobs=1, cache_dir=None, progress=False
    ).docs


def score_dask(parquet_path: str | Path, client: Any = None) -> pd.DataFrame:
    """Score an article-schema parquet dataset with Dask (``map_partitions`` of
    :func:`docs_for_partition`) and return the document table sorted by ``doc_id``.

    With ``client=None`` the current Dask scheduler is used; pass a ``distributed.Client`` for a
    cluster (see README "Scaling out").
    """
    import dask.dataframe as dd

    ddf = dd.read_parquet(str(parquet_path))
    sample = (
        ddf.partitions[0].head(2, compute=True)
        if client is None
        else client.compute(ddf.partitions[0].head(2, compute=False)).result()
    )
    meta = docs_for_partition(sample).iloc[:0]
    result = ddf.map_partitions(docs_for_partition, meta=meta)
    df = result.compute() if client is None else client.compute(result).result()
    return df.sort_values("doc_id").reset_index(drop=True)
