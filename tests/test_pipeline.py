"""The scoring pipeline: same results for any jobs/chunk size/engine, cache behaviour, failure
isolation, streaming and Dask. Uses a small seeded sample of the real corpus."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from analysis import paths, pipeline
from analysis.corpus import study_articles
from analysis.pipeline import Scores, score_corpus, score_stream

N = 24


@pytest.fixture(scope="module")
def sample():
    return study_articles(sample=N, seed=3)


@pytest.fixture(scope="module")
def baseline(sample):
    return score_corpus(sample, jobs=1, chunk_size=N, cache_dir=None, progress=False)


def _canon(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys).reset_index(drop=True)


def test_every_table_is_filled(baseline, sample):
    assert baseline.report["articles_scored"] == N and baseline.report["articles_skipped"] == 0
    assert len(baseline.docs) == N and set(baseline.docs["doc_id"]) == set(sample["doc_id"])
    assert baseline.report["sentences"] == len(baseline.sentences) > N
    for col in ("vader_compound", "news_compound", "voice"):
        assert baseline.sentences[col].notna().all()
    assert {"evaluative", "generic_frames", "policy_frames"} <= set(baseline.hits["lexicon"])
    assert "evaluative.praise.rate" in baseline.docs.columns
    assert len(baseline.mentions) > 0 and {"actor", "score"} <= set(baseline.mentions.columns)


def test_same_result_for_any_jobs_and_chunk_size(baseline, sample):
    other = score_corpus(sample, jobs=2, chunk_size=5, cache_dir=None, progress=False)
    pd.testing.assert_frame_equal(_canon(baseline.docs, ["doc_id"]), _canon(other.docs, ["doc_id"]))
    pd.testing.assert_frame_equal(
        _canon(baseline.sentences, ["doc_id", "sent_idx"]),
        _canon(other.sentences, ["doc_id", "sent_idx"]),
    )
    keys = ["doc_id", "part", "start", "lexicon", "category"]
    pd.testing.assert_frame_equal(_canon(baseline.hits, keys), _canon(other.hits, keys))
    keys = ["doc_id", "sent_idx", "start", "actor"]
    pd.testing.assert_frame_equal(_canon(baseline.mentions, keys), _canon(other.mentions, keys))
    pd.testing.assert_frame_equal(baseline.actors, other.actors)


def test_chunks_are_scheduled_largest_first(sample):
    """Workers take the biggest chunks first (so the small ones fill in at the end); the chunks
    themselves and the order of the results do not change (see the test above)."""
    chunks = list(pipeline.iter_chunks(sample.reset_index(drop=True), 5))
    order = pipeline.schedule([(i, c) for i, c in enumerate(chunks)])
    assert sorted(i for i, _ in order) == list(range(len(chunks)))
    costs = [pipeline.chunk_cost(c) for _, c in order]
    assert costs == sorted(costs, reverse=True) and costs[0] > costs[-1]
    first = chunks[0]
    assert pipeline.chunk_cost(first) == sum(
        len(str(t)) + len(str(x)) for t, x in zip(first["title"], first["text"], strict=True)
    )


def test_actor_table_from_scored_mentions_equals_actor_sentiment(baseline):
    """The pipeline aggregates the mentions its workers already scored instead of rescoring them;
    the table must equal analysis.actors.actor_sentiment over the unscored mentions."""
    from analysis.actors import MENTION_COLUMNS, actor_sentiment

    unscored = baseline.mentions[list(MENTION_COLUMNS)]
    expected = actor_sentiment(baseline.sentences, unscored)
    assert len(expected) > 20
    assert (expected["n_mentions_reporter"] < expected["n_mentions"]).any()
    assert (expected["share_negative"] > 0).any() and (expected["share_positive"] > 0).any()
    pd.testing.assert_frame_equal(baseline.actors, expected, check_exact=True)
    pd.testing.assert_frame_equal(
        pipeline.actor_table(baseline.sentences, unscored), expected, check_exact=True
    )


def test_actor_table_without_mentions_has_the_full_schema(baseline):
    """A corpus where no actor is mentioned gets an empty actor table with the same columns as
    one with mentions (not just doc_id and actor), so downstream code sees one schema."""
    from analysis.actors import ACTOR_COLUMNS

    empty = baseline.mentions.iloc[0:0]
    table = pipeline.actor_table(baseline.sentences, empty)
    assert table.empty and list(table.columns) == list(ACTOR_COLUMNS)
    assert list(baseline.actors.columns) == list(ACTOR_COLUMNS)


def test_news_threshold_is_the_validation_protocol_cut():
    """doc_table takes the news scorer's band from analysis.sentiment (no scipy/sklearn import);
    it must be the validation module's +-0.5 rater cut / 4."""
    from analysis import sentiment, sentiment_validation

    assert sentiment.NEWS_THRESHOLD == sentiment_validation.TRUTH_THRESHOLD / 4


def test_cache_is_used_and_one_lexicon_change_rescores_only_frames(sample, tmp_path):
    cache = tmp_path / "cache"
    first = score_corpus(sample, chunk_size=12, cache_dir=cache, progress=False)
    assert first.report["chunks_from_cache"] == 0
    again = score_corpus(sample, chunk_size=12, cache_dir=cache, progress=False)
    assert again.report["chunks_from_cache"] == 2
    pd.testing.assert_frame_equal(first.docs, again.docs)
    # an analyst's extra lexicon: only its frames stage is computed, other stages come from cache
    from analysis.framing import load_lexicons, read_lexicon

    extra = tmp_path / "lex"
    extra.mkdir()
    (extra / "mine.yml").write_text(
        "name: mine\nversion: '1'\ndescription: SYNTHETIC test lexicon\ncitation: test\n"
        "licence: CC0\ncategories:\n  tech: [encryption, surveillance]\n"
    )
    lexicons = load_lexicons(extra_dirs=[extra])
    assert read_lexicon(extra / "mine.yml").name == "mine"
    before = {p.parent.name for p in cache.rglob("*.parquet")}
    third = score_corpus(sample, chunk_size=12, cache_dir=cache, lexicons=lexicons, progress=False)
    after = {p.parent.name for p in cache.rglob("*.parquet")}
    assert after - before == {"frames-mine"}
    assert "mine" in set(third.hits["lexicon"])
    n_new = len([p for p in cache.rglob("*.parquet") if p.parent.name == "frames-mine"])
    assert n_new == 2


def test_one_pass_over_all_lexicons_equals_one_pass_per_lexicon(sample, baseline):
    """score_chunk matches every uncached lexicon in one pass and splits the hits by lexicon;
    overlap resolution and negation are per lexicon, so this equals separate passes."""
    from analysis.framing import frame_hits, resolve_lexicons
    from analysis.text import sentence_table

    lexs = resolve_lexicons(None)
    sents = sentence_table(sample.reset_index(drop=True))
    separate = pd.concat(
        [frame_hits(sents, {n: lexs[n]}, articles=sample) for n in lexs], ignore_index=True
    )
    assert len(separate) > 1000 and separate["lexicon"].nunique() == len(lexs)
    pd.testing.assert_frame_equal(baseline.hits.reset_index(drop=True), separate)


def test_no_temporary_files_left_and_damaged_entry_recomputed(sample, tmp_path):
    cache = tmp_path / "cache"
    score_corpus(sample.head(4), cache_dir=cache, progress=False)
    assert not list(cache.rglob("*.tmp"))
    victim = next(cache.rglob("sentiment/*.parquet"))
    victim.write_bytes(b"PAR1 truncated")  # an interrupted/damaged write
    res = score_corpus(sample.head(4), cache_dir=cache, progress=False)
    assert res.sentences["news_compound"].notna().all()


def test_a_failing_article_is_reported_and_the_rest_scored(sample, monkeypatch):
    real = pipeline._sentences

    def flaky(articles):
        if (articles["doc_id"] == sample["doc_id"].iloc[2]).any():
            raise ValueError("SYNTHETIC failure for this article")
        return real(articles)

    monkeypatch.setattr(pipeline, "_sentences", flaky)
    res = score_corpus(sample.head(6), cache_dir=None, progress=False)
    assert res.report["articles_skipped"] == 1
    assert res.report["skipped"][0]["doc_id"] == sample["doc_id"].iloc[2]
    assert "SYNTHETIC failure" in res.report["skipped"][0]["reason"]
    assert res.report["articles_scored"] == 5


def test_an_article_without_sentences_keeps_its_row_for_any_chunking(sample):
    """With an article without any sentence in the middle (SYNTHETIC: empty title and text),
    one-article chunks give the same document table as one chunk, in the articles' order."""
    odd = pd.concat(
        [sample.head(3), sample.head(1).assign(doc_id="empty", title="", text=""), sample[3:6]],
        ignore_index=True,
    )
    whole = score_corpus(odd, chunk_size=len(odd), cache_dir=None, progress=False)
    single = score_corpus(odd, chunk_size=1, cache_dir=None, progress=False)
    assert whole.report["articles_without_sentences"] == 1
    pd.testing.assert_frame_equal(whole.docs, single.docs)
    assert whole.docs["doc_id"].tolist() == odd["doc_id"].tolist()


def test_a_corpus_without_sentences_or_with_every_article_failing_keeps_the_columns(
    sample, baseline, monkeypatch
):
    empty = sample.head(2).assign(title="", text="")  # SYNTHETIC: articles with no text
    res = score_corpus(empty, chunk_size=1, cache_dir=None, progress=False)
    assert res.report["articles_scored"] == 2 and res.report["sentences"] == 0
    assert res.docs["doc_id"].tolist() == empty["doc_id"].tolist()
    assert (res.docs["n_sentences"].fillna(0) == 0).all()
    for name in ("docs", "sentences", "hits", "mentions", "actors"):
        assert list(getattr(res, name).columns) == list(getattr(baseline, name).columns), name

    real = pipeline._sentences

    def failing(articles):
        if len(articles):
            raise ValueError("SYNTHETIC failure of every article")
        return real(articles)

    monkeypatch.setattr(pipeline, "_sentences", failing)
    res = score_corpus(sample.head(3), chunk_size=2, cache_dir=None, progress=False)
    assert res.report["articles_scored"] == 0 and res.report["articles_skipped"] == 3
    assert [s["doc_id"] for s in res.report["skipped"]] == sample["doc_id"].head(3).tolist()
    for name in ("docs", "sentences", "hits", "mentions", "actors"):
        assert len(getattr(res, name)) == 0
        assert list(getattr(res, name).columns) == list(getattr(baseline, name).columns), name


def test_empty_and_enormous_texts_do_not_break_a_run(sample):
    odd = pd.concat(
        [sample.head(2), sample.head(1).assign(doc_id="huge", text="word " * 2_000_000)]
    )
    res = score_corpus(odd, cache_dir=None, progress=False)
    assert res.report["articles_scored"] == 3
    assert res.sentences[res.sentences["doc_id"] == "huge"]["text"].str.len().max() <= 2000


def test_streaming_gives_the_same_documents(sample, baseline, tmp_path):
    src = tmp_path / "corpus.parquet"
    sample[["doc_id", "title", "text", "url"]].to_parquet(src)
    rep = score_stream(src, tmp_path / "out", batch_size=7, progress=False)
    assert rep["read"] == N and rep["articles_scored"] == N and rep["batches"] == 4
    docs = pd.read_parquet(tmp_path / "out" / "docs")
    cols = ["doc_id", "n_sentences", "news_compound_mean", "evaluative.praise.rate"]
    pd.testing.assert_frame_equal(
        _canon(docs[cols], ["doc_id"]), _canon(baseline.docs[cols], ["doc_id"]), check_dtype=False
    )


def test_dask_local_cluster_gives_the_same_documents(sample, baseline, tmp_path):
    from distributed import Client, LocalCluster

    src = tmp_path / "ds"
    src.mkdir()
    for i in range(3):
        sample.iloc[i::3][["doc_id", "title", "text", "url"]].to_parquet(src / f"part{i}.parquet")
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        docs = pipeline.score_dask(src, client=client)
    cols = [
        "doc_id",
        "n_sentences",
        "vader_compound_mean",
        "news_compound_mean",
        "evaluative.conflict.rate",
    ]
    pd.testing.assert_frame_equal(
        docs[cols].reset_index(drop=True),
        _canon(baseline.docs[cols], ["doc_id"]),
        check_dtype=False,
    )


def test_score_command_and_warm_rerun(sample, tmp_path):
    src = tmp_path / "in.csv"
    sample.head(5)[["doc_id", "title", "text"]].to_csv(src, index=False)
    cmd = [
        sys.executable,
        "-m",
        "analysis",
        "score",
        str(src),
        "--out",
        str(tmp_path / "o"),
        "--cache-dir",
        str(tmp_path / "c"),
    ]
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=paths.PROJECT_ROOT)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["articles_scored"] == 5
    second = subprocess.run(cmd, capture_output=True, text=True, cwd=paths.PROJECT_ROOT)
    assert json.loads(second.stdout)["reused_output"] is True
    loaded = Scores.load(tmp_path / "o")
    assert len(loaded.docs) == 5
    shutil.rmtree(tmp_path / "o")
