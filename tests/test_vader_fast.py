"""FastVader must return exactly what vaderSentiment 3.3.2 returns, for every input.

Real data: the NYT editorial snippets of the VADER paper (validation set) and sentences of the
shipped AllSides pool. Synthetic data (labelled as such): hypothesis strings assembled from VADER
lexicon words, boosters, negations, "but", idiom words, punctuation, CAPS, emoji and emoticons.
Equality is exact (``==`` on every float and identical ``repr``, so even -0.0 vs 0.0 would fail).
"""

from __future__ import annotations

import gzip
import json
import math
import random
import string

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
)

from analysis.paths import CORPORA_DIR, VALIDATION_DIR
from analysis.text import split_sentences
from analysis.vader_fast import FastVader, demojize, emoji_lexicon, vader_lexicon

NYT = VALIDATION_DIR / "vader_nyt" / "nytEditorialSnippets_GroundTruth.txt"
POOL = CORPORA_DIR / "allsides_techpolicy" / "articles.jsonl.gz"


@pytest.fixture(scope="module")
def ref() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


@pytest.fixture(scope="module")
def fast() -> FastVader:
    return FastVader()


def assert_same(expected: dict, got: dict, text: str) -> None:
    assert got == expected, text
    assert [repr(got[k]) for k in expected] == [repr(expected[k]) for k in expected], text


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def nyt_snippets() -> list[str]:
    texts = []
    for line in _decode(NYT.read_bytes()).splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3:
            texts.append(parts[2])
    return texts


def test_nyt_snippets_identical(ref, fast):
    texts = nyt_snippets()
    assert len(texts) > 5000
    for t in texts:
        assert_same(ref.polarity_scores(t), fast.polarity_scores(t), t)
    # and the batch API returns the same numbers in the same order
    batch = fast.score_many(texts)
    expected = pd.DataFrame([ref.polarity_scores(t) for t in texts])[list(batch.columns)]
    assert (batch.to_numpy() == expected.to_numpy()).all()


def test_corpus_sentences_identical(ref):
    with gzip.open(POOL, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    sample = random.Random(20240611).sample(rows, 35)
    sentences = []
    for r in sample:
        sentences += split_sentences(r.get("title") or "")
        sentences += split_sentences(r.get("content_original") or "")
    assert len(sentences) > 1200
    fast = FastVader(cache_size=0)  # score every sentence through the full path
    for s in sentences:
        assert_same(ref.polarity_scores(s), fast.polarity_scores(s), s)
    # with the cache on, repeated sentences give the same values again
    cached = FastVader(cache_size=500)
    batch = cached.score_many(sentences + sentences[:300])
    assert batch.shape == (len(sentences) + 300, 4)
    assert (batch.iloc[-300:].to_numpy() == batch.iloc[:300].to_numpy()).all()


# ----------------------------------------------------------------------------- synthetic strings
_lex = sorted(vader_lexicon())
_rng = random.Random(7)
LEX_WORDS = _rng.sample(_lex, 400) + ["good", "bad", "great", "no", "kind", "doubt", "love"]
EMOJI = [e for e in emoji_lexicon() if len(e) == 1][:40] + ["👍🏽", "❤️"]
FUNCTION = [
    "but", "BUT", "But", "no", "No", "never", "so", "this", "least", "at", "very", "kind", "of",
    "sort", "without", "or", "nor", "the", "to", "die", "for", "bus", "stop", "yeah", "right",
    "kiss", "death", "bad", "ass", "shit", "bomb", "beating", "heart", "just", "enough",
    "isn't", "DON'T", "ain't", "n't", "not", "the", "a", "İstanbul", "ΟΔΟΣ", "ΣΑΣ.",
]  # fmt: skip
EMOTICONS = [":)", ":(", ":D", ":-D", ":P", "<3", ":'(", "^^", "(:", ":/", "xD", "=)"]
TOKENS = (
    LEX_WORDS
    + sorted(BOOSTER_DICT)
    + sorted(NEGATE)
    + sorted(SPECIAL_CASES)
    + FUNCTION
    + EMOTICONS
    + EMOJI
)
PUNCT = ["", "", "", ".", ",", "!", "?", "!!", "???", "!!!!!", "'", '"', "...", ")", "“", "”", "-"]


SEPS = [" ", " ", " ", "  ", "\n", "\t", ""]


def _build(parts: list[tuple[str, int, str, str, str]]) -> str:
    out = []
    for tok, case, pre, post, sep in parts:
        tok = tok.upper() if case == 0 else tok.capitalize() if case == 1 else tok
        out.append(pre + tok + post + sep)
    return "".join(out)


# A synthetic string (not real text) mixing every feature VADER's rules look at.
synthetic_sentence = st.lists(
    st.tuples(
        st.sampled_from(TOKENS),
        st.integers(0, 5),
        st.sampled_from(PUNCT),
        st.sampled_from(PUNCT),
        st.sampled_from(SEPS),
    ),
    max_size=14,
).map(_build)


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(text=synthetic_sentence)
def test_synthetic_strings_identical(text):
    assert_same(_REF.polarity_scores(text), _FAST.polarity_scores(text), text)
    assert_same(_REF.polarity_scores(text), _FAST_NOCACHE.polarity_scores(text), text)


def test_many_random_synthetic_strings_identical():
    # the same synthetic generator without hypothesis' per-draw overhead, for more cases
    rng = random.Random(11)
    fast = FastVader(cache_size=0)
    for _ in range(4000):
        parts = [
            (rng.choice(TOKENS), rng.randint(0, 5), rng.choice(PUNCT), rng.choice(PUNCT),
             rng.choice(SEPS))
            for _ in range(rng.randint(0, 16))
        ]  # fmt: skip
        text = _build(parts)
        assert_same(_REF.polarity_scores(text), fast.polarity_scores(text), text)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.text(max_size=60))
def test_arbitrary_unicode_identical(text):
    # synthetic: arbitrary Unicode, including letters whose lowercase is longer ("İ")
    assert_same(_REF.polarity_scores(text), _FAST_NOCACHE.polarity_scores(text), text)


_REF = SentimentIntensityAnalyzer()
_FAST = FastVader()
_FAST_NOCACHE = FastVader(cache_size=0)


# ----------------------------------------------------------------------------- API behaviour
def test_reference_examples_and_quirks(ref, fast):
    examples = [
        "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
        "The plot was good, but the characters are uncompelling and the dialog is not great.",
        "Today only kinda sux! But I'll get by, lol",
        "Catch utf-8 emoji such as 💘 and 💋 and 😁",
        "Roger Dodger is one of the least compelling variations on this theme.",
        "Roger Dodger is at least compelling as a variation on the theme.",
        "With VADER, sentiment analysis is the shit!",
        "good good but good bad bad",  # the list.index quirk of the "but" rule
        "He is kind of nice, and no good or bad.",
        "",
    ]
    for t in examples:
        assert_same(ref.polarity_scores(t), fast.polarity_scores(t), t)
    # "but" halves earlier and boosts later sentiment, as upstream
    assert fast.polarity_scores("good but bad")["compound"] < 0
    assert fast.polarity_scores("") == {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}


def test_lexicon_loaded_lazily_and_equal_to_reference(ref):
    fv = FastVader()
    assert fv._lexicon is None  # nothing read at construction
    assert fv.lexicon == ref.lexicon
    assert emoji_lexicon() == ref.emojis


def test_lexicon_overrides_match_a_modified_reference():
    overrides = {"crisis": 0.0, "Innovation": 2.5, "freedom": None, "regulate": -1.2}
    fv = FastVader(lexicon_overrides=overrides)
    assert fv.lexicon["innovation"] == 2.5 and "freedom" not in fv.lexicon
    modified = SentimentIntensityAnalyzer()
    modified.lexicon.update({"crisis": 0.0, "innovation": 2.5, "regulate": -1.2})
    del modified.lexicon["freedom"]
    texts = [
        "The crisis over innovation is not about freedom.",
        "Lawmakers want to regulate AI, but innovation must not stall!",
        "Freedom, freedom, FREEDOM.",
    ]
    for t in texts:
        assert_same(modified.polarity_scores(t), fv.polarity_scores(t), t)
    assert fv.polarity_scores("freedom") != FastVader().polarity_scores("freedom")


def test_word_valences_explain_compound(fast):
    text = "The new rules are not great, but privacy advocates are very happy"
    contrib = fast.word_valences(text)
    assert [w for w, _ in contrib] == ["The", "new", "rules", "are", "not", "great", "but",
                                       "privacy", "advocates", "are", "very", "happy"]  # fmt: skip
    scores = dict(contrib)
    assert scores["great"] < 0 < scores["happy"] and scores["rules"] == 0.0
    total = sum(v for _, v in contrib)  # no ! or ?, so compound = normalize(sum)
    assert round(total / math.sqrt(total * total + 15), 4) == fast.polarity_scores(text)["compound"]


def test_token_scores_public_api(fast):
    """``token_scores`` on pre-tokenised input gives the terms VADER sums (incl. "but")."""
    text = "The rules are NOT great, but advocates are very happy :)"
    words = text.split()
    stripped = [w.strip(string.punctuation) for w in text.lower().split()]
    lowers = [s if len(s) > 2 else w for s, w in zip(stripped, text.lower().split())]
    scores = fast.token_scores(words, lowers)
    assert scores == [v for _, v in fast.word_valences(text)]
    assert scores[lowers.index("great")] < 0 < scores[lowers.index("happy")]
    before_but = fast.token_scores(words[:5], lowers[:5])  # no "but": great keeps full weight
    assert before_but[4] == pytest.approx(2 * scores[4])
    assert fast.token_scores(["a", "table"], ["a", "table"]) is None
    assert "happy" in fast.scoring_words and "very" not in fast.scoring_words  # booster


def test_demojize_matches_reference(ref):
    """The emoji step shared with analysis.sentiment: scoring its output gives the reference's
    scores of the raw text (VADER's own emoji loop is then a no-op)."""
    for text in ["plain ascii", "I 😀 love it", "x😡😡y", " 👍 ", "İstanbul 😀"]:
        assert ref.polarity_scores(demojize(text)) == ref.polarity_scores(text), text
    assert demojize("no emoji here") == "no emoji here"
    assert demojize("so 😀") == "so " + emoji_lexicon()["😀"]
    assert demojize("x😡") == "x " + emoji_lexicon()["😡"]


def test_score_many_frame_and_errors(fast):
    s = pd.Series(["good", "terrible", "a table"], index=[10, 20, 30])
    df = fast.score_many(s)
    assert list(df.columns) == ["neg", "neu", "pos", "compound"]
    assert list(df.index) == [10, 20, 30]
    assert df.loc[20, "compound"] < 0 < df.loc[10, "compound"] and df.loc[30, "neu"] == 1.0
    with pytest.raises(TypeError):
        fast.polarity_scores(None)
    with pytest.raises(TypeError):
        fast.score_many(["ok", float("nan")])


def test_sentence_cache_is_bounded():
    fv = FastVader(cache_size=3)
    fv.score_many([f"sentence number {i} is good" for i in range(10)])
    assert len(fv._cache) == 3
    fv.clear_cache()
    assert len(fv._cache) == 0
