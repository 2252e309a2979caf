"""Tests of analysis.browser: the pure filtering/ranking on a SYNTHETIC docs table, and the
static fallback on the real seed article scored by the pipeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import browser
from analysis.corpus import load_corpus
from analysis.pipeline import score_corpus


# SYNTHETIC docs table (not corpus data)
def synthetic_docs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d", "e", "f"],
            "title": ["A", "B", "C", "D", "E", "F"],
            "outlet": ["o1", "o2", "o3", "o1", "o2", "o3"],
            "rating": ["left", "right", "left", "center", "left", "left"],
            "subtopics": ["ai;privacy", "ai", "ai_ethics", "privacy", "", "ai"],
            "date": pd.to_datetime(
                ["2019-05-01", "2020-06-10", "2020-06-30", "2020-07-01", None, "2018-01-01"]
            ),
            "vader_compound_mean": [0.5, -0.2, 0.9, 0.1, 0.7, 0.5],
            "evaluative.praise.rate": [1.0, np.nan, 0.0, 2.0, 3.0, 0.5],
        }
    )


def test_period_bounds():
    assert browser.period_bounds(None) is None
    lo, hi = browser.period_bounds(2020)
    assert lo == pd.Timestamp("2020-01-01") and hi.date() == pd.Timestamp("2020-12-31").date()
    lo, hi = browser.period_bounds(("2020-06", "2020-06"))
    assert lo == pd.Timestamp("2020-06-01") and hi.date() == pd.Timestamp("2020-06-30").date()
    lo, hi = browser.period_bounds((2019, None))
    assert lo == pd.Timestamp("2019-01-01") and hi == pd.Timestamp.max
    with pytest.raises(ValueError):
        browser.period_bounds((2021, 2019))


def test_rank_articles_orders_and_breaks_ties_by_doc_id():
    t = browser.rank_articles(synthetic_docs(), n=None)
    assert t["doc_id"].tolist() == ["c", "e", "a", "f", "d", "b"]
    assert t["rank"].tolist() == list(range(1, 7))
    low = browser.rank_articles(synthetic_docs(), n=2, ascending=True)
    assert low["doc_id"].tolist() == ["b", "d"]


def test_rank_articles_filters():
    docs = synthetic_docs()
    assert browser.rank_articles(docs, rating="left", n=None)["doc_id"].tolist() == [
        "c", "e", "a", "f"
    ]  # fmt: skip
    # subtopic is a whole token: "ai" does not match "ai_ethics"
    assert set(browser.rank_articles(docs, subtopic="ai", n=None)["doc_id"]) == {"a", "b", "f"}
    # a period drops undated articles; pairs are inclusive
    june = browser.rank_articles(docs, period=("2020-06", "2020-06"), n=None)
    assert june["doc_id"].tolist() == ["c", "b"]
    both = browser.rank_articles(docs, rating="left", subtopic="ai", period=(2019, 2020))
    assert both["doc_id"].tolist() == ["a"]
    assert browser.rank_articles(docs, rating=browser.ALL, n=3)["doc_id"].tolist() == [
        "c", "e", "a"
    ]  # fmt: skip


def test_rank_articles_drops_missing_scores_and_checks_columns():
    t = browser.rank_articles(synthetic_docs(), score="evaluative.praise.rate", n=None)
    assert "b" not in set(t["doc_id"]) and t["doc_id"].iloc[0] == "e"
    assert list(t.columns) == ["rank", "doc_id", "date", "outlet", "rating", "title",
                               "evaluative.praise.rate"]  # fmt: skip
    with pytest.raises(KeyError):
        browser.rank_articles(synthetic_docs(), score="nope")
    with pytest.raises(KeyError):
        browser.rank_articles(synthetic_docs().drop(columns="rating"), rating="left")


def test_score_columns_and_filter_choices():
    docs = synthetic_docs().assign(vader_pos_threshold=0.05)
    cols = browser.score_columns(docs)
    assert cols == ["vader_compound_mean", "evaluative.praise.rate"]
    ch = browser.filter_choices(synthetic_docs())
    assert ch["ratings"] == ["left", "center", "right"]
    assert ch["subtopics"] == ["ai", "ai_ethics", "privacy"]
    assert ch["years"] == (2018, 2020)
    assert (
        browser.filter_choices(synthetic_docs().drop(columns=["date", "rating"]))["years"] is None
    )


def test_frontend_not_available_headless(monkeypatch):
    monkeypatch.setenv("CI", "1")
    assert browser.frontend_available() is False
    monkeypatch.delenv("CI")
    monkeypatch.delenv("ANALYSIS_STATIC", raising=False)
    assert browser.frontend_available() is False  # pytest runs outside an IPython kernel


@pytest.fixture(scope="module")
def seed_scored():
    seed, _ = load_corpus("seed_article")
    return seed, score_corpus(seed, jobs=1, progress=False)


def test_article_html_and_static_browser(seed_scored, capsys, monkeypatch):
    seed, scores = seed_scored
    doc = seed["doc_id"].iloc[0]
    html = browser.article_html(seed, scores, doc)
    assert "<mark" in html and "sentence sentiment" in html
    with pytest.raises(KeyError):
        browser.article_html(seed, scores, "missing")
    monkeypatch.setenv("CI", "1")
    assert browser.article_browser(seed, scores) is None
    out = capsys.readouterr().out
    assert "static" in out and doc in out
    static = browser.static_html(seed, scores, browser.rank_articles(scores.docs), "x")
    assert static.count("<table") == 1 and "<mark" in static


def test_widget_path_builds_without_frontend(seed_scored, capsys):
    seed, scores = seed_scored
    assert browser.article_browser(seed, scores, interactive=True) is None
    assert "widget-view" in capsys.readouterr().out  # the mimebundle displayed outside a kernel
