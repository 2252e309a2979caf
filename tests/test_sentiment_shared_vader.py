"""``vader_and_news_polarity``: the pipeline's sentiment stage takes plain VADER's scores from the
news scorer's token pass wherever that pass neutralised nothing. Both tables must equal the two
separate calls bit for bit, on real sentences (NYT snippets, a sample of the shipped pool) and on
SYNTHETIC edge cases (emoji, empty text, emphasis punctuation, "but", odd lower-casing)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import sentiment as S
from analysis.corpus import study_articles
from analysis.sentiment_validation import nyt_snippets
from analysis.text import sentence_table

SYNTHETIC = [
    "",
    "   ",
    None,
    42,
    "The company's privacy policy is GREAT!!!",
    "Regulators were not happy, but the deal is good???",
    "Apple and Google praised the bill 😀 while critics called it a disaster.",
    "İSTANBUL courts BANNED the app; users were furious!",
    "kind of bad, sort of good",
    "Senator Joy Hope said the Liberty Act would kill innovation.",
]


def _bits(df: pd.DataFrame) -> np.ndarray:
    return df.to_numpy(dtype=np.float64).view(np.int64)


@pytest.fixture(scope="module")
def texts():
    nyt = nyt_snippets()["text"].tolist()
    pool = sentence_table(study_articles(sample=40, seed=11))["text"].tolist()
    return SYNTHETIC + nyt + pool


def test_shared_pass_equals_separate_scorers_bit_for_bit(texts):
    vader, news = S.vader_and_news_polarity(texts)
    alone_vader, alone_news = S.vader_polarity(texts), S.news_polarity(texts)
    pd.testing.assert_frame_equal(vader, alone_vader, check_exact=True)
    pd.testing.assert_frame_equal(news, alone_news, check_exact=True)
    assert (_bits(vader) == _bits(alone_vader)).all()  # signed zeros included
    assert (_bits(news) == _bits(alone_news)).all()


def test_shared_pass_leaves_vader_memo_with_the_true_scores(texts):
    """The shared pass puts the scores it computed in FastVader's sentence memo (the actor stage
    asks VADER for the same sentences); what later calls read from the memo must equal a
    FastVader that memoises nothing."""
    from analysis.vader_fast import FastVader

    clean = [t if isinstance(t, str) else str(t) for t in texts]
    S._fast_vader().clear_cache()
    S.vader_and_news_polarity(clean)
    memo = S._fast_vader()._cache
    assert len(memo) > 0.5 * len(set(clean))
    again = S.vader_polarity(clean)
    fresh = FastVader(cache_size=0).score_many(clean)
    assert (_bits(again) == _bits(fresh)).all()
    small = FastVader(cache_size=3)
    small.remember(["a", "b", "c", "d"], np.arange(16, dtype=float).reshape(4, 4))
    assert list(small._cache) == ["b", "c", "d"] and small._cache["d"] == (12.0, 13.0, 14.0, 15.0)


def test_both_paths_are_exercised(texts):
    """Most sentences take VADER from the shared pass, some are rescored (a neutralised word
    changes VADER's input); both must occur or the test above proves nothing about one path."""
    clean = [t if isinstance(t, str) else str(t) for t in texts]
    _, shared, plain = S._news_scores(clean)
    assert 0.5 < plain.mean() < 1.0
    changed = [t for t, p in zip(clean, plain, strict=True) if not p]
    # where a word was neutralised, VADER's own score differs from the shared pass's columns
    shared_compound = shared[~plain, 3]
    assert (S.vader_polarity(changed)["compound"].to_numpy() != shared_compound).any()


def test_empty_input():
    vader, news = S.vader_and_news_polarity([])
    assert len(vader) == 0 and len(news) == 0
    assert list(vader.columns) == list(news.columns) == S.SCORE_COLUMNS
