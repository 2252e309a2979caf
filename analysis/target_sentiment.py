"""Target-dependent sentiment: how a sentence speaks about one named mention in it.

A sentence can be negative about one actor and neutral about another ("Critics accused Amazon of
selling Rekognition to police, IBM said"). Whole-sentence VADER cannot tell the two apart, so this
module ships a small, transparent, linear classifier trained on NewsMTSC (Hamborg & Donnay, EACL
2021; ``VALIDATION_DIR / "newsmtsc"``, train.jsonl only) and evaluated on its multi-target set
``devtest_mt.jsonl``.

Inputs are ``(sentence, start, end)`` triples: ``start`` is the 0-indexed first character of the
mention and ``end`` the exclusive end (checked on every NewsMTSC target: ``sentence[from:to] ==
mention`` for all 10,215 targets of train and devtest_mt). A DataFrame with columns ``sentence``,
``start``, ``end`` works as well; an ``other_spans`` column (the other mentions of the sentence) is
accepted and ignored: masking the other mentions lowered grouped-CV macro-F1 on multi-target train
sentences (0.638 vs 0.651; ``benchmarks/RESULTS_target.md``), because NewsMTSC train sentences
mostly have one annotated target with the other people left unmasked.

Features (all computed relative to the target, which is masked as ``TGT`` so that the model cannot
learn "Trump is negative"):

* word 1-2-grams of the masked sentence (TF-IDF);
* side- and distance-tagged context words: ``L1_said``, ``R1_said``, ``l_criticized``,
  ``r_praised`` within a window of the target and ``c_...`` within the target's clause;
* the nearest content word of the clause either side (``rv_``/``lv_``: a cheap stand-in for the
  governing verb or adjective, no parser) and, for the nearest VADER-lexicon word of the clause
  on each side, its sign, its distance and the words between it and the target (``swl_neg_2``,
  ``bwr_pos_was``);
* VADER-lexicon valences of the words around the target, weighted by distance, split by side and
  by whether they are in the same clause (negator flip); the VADER compound of the sentence;
  negation near the target; the target inside quotation marks, subject of a reporting verb
  ("X said"), after "by", possessive ("X's"), at the start of its clause; position.

The classifier is a multinomial logistic regression (scikit-learn) with balanced class weights,
trained on every train target (targets of multi-target sentences weighted 3x) plus the annotated
coreferent mentions (``further_mentions``, weight 0.5) as extra target positions. Deep models were
ruled out by the project (no model downloads, 2 shared cores). Model selection used
article-grouped 5-fold cross-validation inside train.jsonl only (``benchmarks/RESULTS_target.md``).

Speed: :meth:`TargetSentimentClassifier.predict_proba` tokenises each distinct sentence once and
builds the TF-IDF design matrix from array look-ups (no per-target strings or DataFrame rows);
:meth:`~TargetSentimentClassifier.predict_proba_reference` computes the same probabilities through
:func:`target_features` and the sklearn vectorizers (tests compare the two).

The shipped model is JSON (vocabularies, IDF weights, scaler, coefficients, training data SHA-256,
CV scores): :func:`load_target_model` never unpickles anything. :func:`train_target_model`
retrains it with one call.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import hashlib
import json
import math
import operator
import re
from collections.abc import Iterable, Sequence
from itertools import accumulate, chain, compress, count, repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.preprocessing import normalize

from analysis import paths

POLARITY_LABELS = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}
POLARITY_SCORE = {2.0: -1.0, 4.0: 0.0, 6.0: 1.0}
MODEL_FILE = "target_sentiment.json"
MODEL_FORMAT = "target_sentiment/1"

_TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
# the same tokens with their leading whitespace: (whitespace, word, punctuation) per token
_TOKEN_WS_RE = re.compile(r"(\s*)(?:(\w+(?:['’]\w+)*)|([^\w\s]))")
_CLAUSE_PUNCT = {",", ";", ":", "—", "–", "(", ")", "-", "“", "”", '"'}
_CLAUSE_WORDS = {
    "but",
    "while",
    "although",
    "though",
    "whereas",
    "however",
    "because",
    "which",
    "who",
    "after",
    "before",
    "when",
    "since",
    "and",
}
_REPORTING = {
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "adds",
    "wrote",
    "writes",
    "stated",
    "states",
    "announced",
    "announces",
    "noted",
    "explained",
    "asked",
    "tweeted",
    "according",
}
_NEGATORS = {
    "not",
    "no",
    "never",
    "none",
    "nobody",
    "nothing",
    "neither",
    "nor",
    "without",
    "n't",
    "cannot",
}
_QUOTES = '“”"‘’'
_BOUNDARY = frozenset(_CLAUSE_PUNCT | _CLAUSE_WORDS)


# --------------------------------------------------------------------------- VADER helper
@functools.lru_cache(maxsize=1)
def _vader():
    """The one lazily created ``SentimentIntensityAnalyzer`` of this module."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_compound(texts: Iterable[str]) -> np.ndarray:
    """VADER compound score (-1..1) of each text.

    Uses ``analysis.sentiment.vader_polarity`` when that module provides it (the project's one
    sentence-VADER entry point), else vaderSentiment's analyzer created once by :func:`_vader`.
    """
    texts = [t if isinstance(t, str) else "" for t in texts]
    try:  # the project-wide helper, when another module provides it
        from analysis.sentiment import vader_polarity  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - absent module or name: fall back to our helper
        vader_polarity = None
    if vader_polarity is not None:
        out = vader_polarity(texts)
        if isinstance(out, pd.DataFrame):
            out = out["compound"]
        return np.asarray(out, dtype=float)
    an = _vader()
    return np.array([an.polarity_scores(t)["compound"] for t in texts], dtype=float)


def _lexicon() -> dict[str, float]:
    return _vader().lexicon


# --------------------------------------------------------------------------- input handling
def _as_columns(X: Any) -> tuple[list[str], np.ndarray, np.ndarray]:
    """``(sentences, starts, ends)`` of model input (a DataFrame or a sequence of tuples).

    ``other_spans`` (a fourth tuple item or a column) is accepted and ignored: the model does not
    mask the other mentions (see the module docstring).
    """
    if isinstance(X, pd.DataFrame):
        missing = [c for c in ("sentence", "start", "end") if c not in X.columns]
        if missing:
            raise ValueError(f"target sentiment input lacks columns {missing}")
        return (
            X["sentence"].tolist(),
            X["start"].to_numpy(dtype=np.int64),
            X["end"].to_numpy(dtype=np.int64),
        )
    items = list(X)
    return (
        [it[0] for it in items],
        np.array([int(it[1]) for it in items], dtype=np.int64),
        np.array([int(it[2]) for it in items], dtype=np.int64),
    )


def check_target(sentence: Any, start: Any, end: Any) -> str | None:
    """Why ``(sentence, start, end)`` is not a valid target, or ``None`` when it is."""
    if not isinstance(sentence, str) or not sentence.strip():
        return "sentence is missing or empty"
    for name, v in (("from", start), ("to", end)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or int(v) != v:
            return f"offset '{name}' is not an integer: {v!r}"
    start, end = int(start), int(end)
    if start < 0 or end > len(sentence) or start >= end:
        return f"offsets {start}-{end} outside sentence of length {len(sentence)}"
    return None


# --------------------------------------------------------------------------- features
def _tokens(sentence: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN_RE.finditer(sentence)]


def _quoted_mask(words: list[str]) -> list[bool]:
    """Whether each token lies inside double quotation marks (straight pair by alternation)."""
    inside = False
    out = []
    for w in words:
        if w == "“":
            inside = True
        elif w == "”":
            inside = False
        elif w == '"':
            inside = not inside
        out.append(inside)
    return out


class _Sentence:
    """Everything about one sentence that does not depend on the target (computed once)."""

    __slots__ = (
        "starts",
        "ends",
        "words",
        "quoted",
        "any_quoted",
        "bounds",
        "negs",
        "senti",
        "n_words_before",
        "wordlist",
        "isword",
        "content",
    )

    def __init__(self, sentence: str):
        # C-level passes only (map/compress/accumulate): this runs once per distinct sentence
        # findall (no match objects): every non-space character belongs to a token, so the
        # offsets follow from the lengths of (leading whitespace, word, punctuation) triples
        low = sentence.lower()
        same = len(low) == len(sentence)  # lowercasing kept every offset (nearly always)
        found = _TOKEN_WS_RE.findall(low if same else sentence)
        n = len(found)
        if n:
            _, wg, pg = zip(*found)
            pos = list(accumulate(map(len, chain.from_iterable(found))))
            self.starts = pos[0::3]
            self.ends = pos[2::3]
            words = list(map(operator.add, wg, pg))
            if not same:
                words = list(map(str.lower, words))
            isword = list(map(bool, wg))
        else:
            self.starts, self.ends, words, isword = [], [], [], []
        self.words = words
        if any(q in sentence for q in '“”"'):
            self.quoted = _quoted_mask(words)
            self.any_quoted = any(self.quoted)
        else:
            self.quoted = [False] * n
            self.any_quoted = False
        self.bounds = list(compress(range(n), map(_BOUNDARY.__contains__, words)))
        self.negs = list(compress(range(n), map(_NEGATORS.__contains__, words)))
        vals = list(map(_lexicon().get, words))
        hit = list(map(operator.is_not, vals, repeat(None)))
        senti = list(zip(compress(range(n), hit), compress(vals, hit)))
        if self.negs:  # a negator within three words before flips the valence (VADER, simplified)
            senti = [
                (i, -0.74 * v if any(i - 3 <= j < i for j in self.negs) else v) for i, v in senti
            ]
        self.senti = senti
        # word tokens (first group of _TOKEN_RE) for the sentence n-grams; punctuation dropped
        self.n_words_before = [0, *accumulate(isword)]
        self.wordlist = list(compress(words, isword))
        self.isword = isword
        self.content: list[bool] | None = None  # set on first use by _content_words


def _content_words(info: _Sentence) -> list[bool]:
    """Whether each token is a word outside sklearn's English stop-word list."""
    if info.content is None:
        stop = _stop_words()
        info.content = [f and w not in stop for w, f in zip(info.words, info.isword)]
    return info.content


@functools.lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def _sentence_cache(sentences: Iterable[str]) -> dict[str, _Sentence]:
    out: dict[str, _Sentence] = {}
    for s in sentences:
        if s not in out:
            out[s] = _Sentence(s)
    return out


DENSE_NAMES = (
    "lpos",
    "lneg",
    "rpos",
    "rneg",
    "cpos",
    "cneg",
    "opos",
    "oneg",
    "neg_near",
    "t_quoted",
    "t_subject_reporting",
    "t_after_by",
    "t_first",
    "t_rel_pos",
    "t_possessive",
    "t_clause_start",
    "sent_quoted",
    "vader_sentence",
    "vader_clause",
    "vader_window",
)
_N_LEX_DENSE = 17  # the dense features before the three VADER compounds
_DECAY = [math.exp(-d / 5.0) for d in range(64)]


def _target_parts(
    info: _Sentence, sentence: str, start: int, end: int, window: int, extra: frozenset[str]
) -> tuple[tuple[int, ...], list[str], list[float]]:
    """Where the target sits, its positional context tokens and its lexical dense features.

    The target's tokens (those overlapping ``start:end``) are collapsed into one ``TGT``; token
    distances are counted in that collapsed sequence. Returns ``geom = (t0, t1, c0, c1, lo, hi)``
    (target tokens ``t0:t1``, clause ``c0:c1``, window ``lo:hi``), the context tokens that are
    not plain side/clause words (``L1_``, ``R12_``, ... and the ``extra`` ones) and the dense row.
    """
    words = info.words
    n = len(words)
    t0 = bisect.bisect_right(info.ends, start)  # first token ending after start
    t1 = max(t0, bisect.bisect_left(info.starts, end))  # first token starting at/after end
    # clause: between the nearest boundary tokens outside the target
    bounds = info.bounds
    k = bisect.bisect_left(bounds, t0)
    c0 = bounds[k - 1] + 1 if k > 0 else 0
    k = bisect.bisect_left(bounds, t1)
    c1 = bounds[k] if k < len(bounds) else n  # exclusive
    lo, hi = max(0, t0 - window), min(n, t1 + window)

    ctx: list[str] = []
    if t0 >= 1:
        ctx.append("L1_" + words[t0 - 1])
        if t0 >= 2:
            ctx.append("L2_" + words[t0 - 2])
            ctx.append(f"L21_{words[t0 - 2]}_{words[t0 - 1]}")
            if t0 >= 3:
                ctx.append("L3_" + words[t0 - 3])
    if t1 < n:
        ctx.append("R1_" + words[t1])
        if t1 + 1 < n:
            ctx.append("R2_" + words[t1 + 1])
            ctx.append(f"R12_{words[t1]}_{words[t1 + 1]}")
            if t1 + 2 < n:
                ctx.append("R3_" + words[t1 + 2])
    if "verb" in extra:  # nearest content word of the clause either side ("governing" word)
        content = _content_words(info)
        for i in range(t1, c1):
            if content[i]:
                ctx.append("rv_" + words[i])
                break
        for i in range(t0 - 1, c0 - 1, -1):
            if content[i]:
                ctx.append("lv_" + words[i])
                break

    # distance-weighted lexicon valences
    lpos = lneg = rpos = rneg = cpos = cneg = opos = oneg = 0.0
    near_l = near_r = None
    for i, v in info.senti:
        if i < t0:
            d = t0 - i
        elif i >= t1:
            d = i - t1 + 1
        else:
            continue
        a = abs(v) * (_DECAY[d] if d < 64 else math.exp(-d / 5.0))
        if i < t0:
            if v > 0:
                lpos += a
            else:
                lneg += a
            if c0 <= i:
                near_l = (i, v)
        else:
            if v > 0:
                rpos += a
            else:
                rneg += a
            if i < c1 and near_r is None:
                near_r = (i, v)
        if c0 <= i < c1:
            if v > 0:
                cpos += abs(v)
            else:
                cneg += abs(v)
        elif v > 0:
            opos += a
        else:
            oneg += a
    if "between" in extra:  # the words between the target and the nearest in-clause valence word
        for side, hit in (("l", near_l), ("r", near_r)):
            if hit is None:
                continue
            i, v = hit
            sign = "pos" if v > 0 else "neg"
            d = t0 - i if i < t0 else i - t1 + 1
            ctx.append(f"sw{side}_{sign}_{min(d, 4)}")
            between = words[i + 1 : t0] if i < t0 else words[t1:i]
            if len(between) <= 4:
                ctx.append(f"bw{side}_{sign}_" + "_".join(between))
    neg_near = 0.0
    for i in info.negs:
        if (t0 - 4 <= i < t0) or (t1 <= i < t1 + 4):
            neg_near = 1.0
            break
    nxt = words[t1] if t1 < n else ""
    nxt2 = words[t1 + 1] if t1 + 1 < n else ""
    prev = words[t0 - 1] if t0 >= 1 else ""
    n_coll = n - (t1 - t0) + 1
    if info.any_quoted:
        t_quoted = any(info.quoted[t0:t1]) if t1 > t0 else (t0 < n and info.quoted[t0])
    else:
        t_quoted = False
    dense = [
        math.log1p(lpos),
        math.log1p(lneg),
        math.log1p(rpos),
        math.log1p(rneg),
        math.log1p(cpos),
        math.log1p(cneg),
        math.log1p(opos),
        math.log1p(oneg),
        neg_near,
        float(t_quoted),
        float(nxt in _REPORTING or nxt2 in _REPORTING),
        float(prev == "by"),
        float(t0 == 0),
        t0 / max(n_coll - 1, 1),
        float(sentence[end : end + 2] in ("'s", "’s")),
        float(t0 == c0),
        float(info.any_quoted),
    ]
    return (t0, t1, c0, c1, lo, hi), ctx, dense


def _masked_tokens(info: _Sentence, geom: tuple[int, ...]) -> list[str]:
    """The sentence's word tokens with the target replaced by ``TGT`` (for the n-grams)."""
    nb = info.n_words_before
    return info.wordlist[: nb[geom[0]]] + ["TGT"] + info.wordlist[nb[geom[1]] :]


def _ctx_tokens(info: _Sentence, geom: tuple[int, ...], special: list[str]) -> list[str]:
    """All context tokens: ``special`` plus ``l_``/``r_`` window words and ``c_`` clause words."""
    t0, t1, c0, c1, lo, hi = geom
    w = info.words
    return (
        special
        + ["l_" + x for x in w[lo:t0]]
        + ["r_" + x for x in w[t1:hi]]
        + ["c_" + x for x in w[c0:t0]]
        + ["c_" + x for x in w[t1:c1]]
    )


class _Parts:
    """Target-relative pieces of a batch of targets (see :func:`_parts`)."""

    __slots__ = ("infos", "geoms", "special", "dense")

    def __init__(self, infos, geoms, special, dense):
        self.infos = infos
        self.geoms = geoms
        self.special = special
        self.dense = dense


def _parts(X: Any, window: int, extra: Iterable[str] = (), use_vader: bool | str = True) -> _Parts:
    """The target-relative pieces of each target, batched.

    Each distinct sentence is tokenised once; the VADER compounds (``use_vader``) are computed in
    one batch over the distinct sentences, clauses and windows (zeros otherwise).
    """
    with _gc_paused():
        return _parts_inner(X, window, extra, use_vader)


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector (the many small token lists trigger it ~20% of the
    featurisation time; they hold no cycles) and restore its previous state."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _parts_inner(X: Any, window: int, extra: Iterable[str], use_vader: bool | str) -> _Parts:
    sentences, starts, ends = _as_columns(X)
    cache = _sentence_cache(sentences)
    extra = frozenset(extra)
    infos = [cache[s] for s in sentences]
    geoms, special, dense = [], [], []
    for info, s, a, b in zip(infos, sentences, starts.tolist(), ends.tolist()):
        g, c, d = _target_parts(info, s, a, b, window, extra)
        geoms.append(g)
        special.append(c)
        dense.append(d)
    n = len(sentences)
    D = np.zeros((n, len(DENSE_NAMES)), dtype=float)
    if n:
        D[:, :_N_LEX_DENSE] = np.asarray(dense, dtype=float)
    if n and use_vader == "sentence":  # the sentence compound only (one per distinct sentence)
        comp = dict(zip(cache, vader_compound(list(cache)).tolist()))
        D[:, _N_LEX_DENSE] = [comp[s] for s in sentences]
    elif n and use_vader:
        clauses = [
            " ".join(i.words[g[2] : g[0]] + i.words[g[1] : g[3]]) for i, g in zip(infos, geoms)
        ]
        windows = [
            " ".join(i.words[g[4] : g[0]] + ["it"] + i.words[g[1] : g[5]])
            for i, g in zip(infos, geoms)
        ]
        uniq = list(dict.fromkeys([*cache, *clauses, *windows]))
        comp = dict(zip(uniq, vader_compound(uniq).tolist()))
        D[:, _N_LEX_DENSE] = [comp[s] for s in sentences]
        D[:, _N_LEX_DENSE + 1] = [comp[s] for s in clauses]
        D[:, _N_LEX_DENSE + 2] = [comp[s] for s in windows]
    return _Parts(infos, geoms, special, D)


def target_features(
    X: Any, window: int = 6, extra: Iterable[str] = (), use_vader: bool | str = True
) -> pd.DataFrame:
    """Per-target text fields (``masked``, ``ctx``: space-joined tokens) and dense features.

    This is the readable (training and reference) form; :meth:`TargetSentimentClassifier.
    predict_proba` builds the same design matrix directly from per-sentence token ids.
    """
    P = _parts(X, window, extra, use_vader)
    trip = list(zip(P.infos, P.geoms, P.special))
    out = pd.DataFrame(
        {
            "masked": [" ".join(_masked_tokens(i, g)) for i, g, _ in trip],
            "ctx": [" ".join(_ctx_tokens(i, g, c)) for i, g, c in trip],
        }
    )
    return pd.concat([out, pd.DataFrame(P.dense, columns=list(DENSE_NAMES))], axis=1)


# --------------------------------------------------------------------------- the estimator
# tokens are produced by _target_parts and never contain whitespace: the vectorizers only split
_VECTORIZERS: dict[str, dict[str, Any]] = {
    "masked": {
        "analyzer": "word",
        "token_pattern": r"\S+",
        "lowercase": False,
        "ngram_range": (1, 2),
        "min_df": 2,
        "sublinear_tf": True,
    },
    "ctx": {
        "analyzer": "word",
        "token_pattern": r"\S+",
        "lowercase": False,
        "min_df": 2,
        "sublinear_tf": True,
    },
}


def _tfidf_from_ids(
    rows: np.ndarray, cols: np.ndarray, n_rows: int, vec: TfidfVectorizer
) -> sp.csr_matrix:
    """``vec.transform`` given the (row, vocabulary id) of every token (-1 = not in vocabulary)."""
    keep = cols >= 0
    M = sp.csr_matrix(
        (np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=(n_rows, len(vec.idf_))
    )
    M.sum_duplicates()
    # TfidfTransformer's arithmetic: 1 + log(tf), times idf, then each row's L2 norm
    np.log(M.data, M.data)
    M.data += 1.0
    M.data *= vec.idf_[M.indices]
    return normalize(M, norm="l2", copy=False)


def _ranges(begin: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated ``arange(begin[i], end[i])`` and, for each element, its ``i``."""
    n = np.maximum(end - begin, 0)
    owner = np.repeat(np.arange(len(begin)), n)
    starts = np.cumsum(n) - n
    idx = np.arange(int(n.sum())) - np.repeat(starts, n) + np.repeat(begin, n)
    return idx, owner


class _VocabTables:
    """Model vocabularies re-indexed by word, for array look-ups (built once per model)."""

    def __init__(self, vecs: dict[str, TfidfVectorizer]):
        cv = vecs["ctx"].vocabulary_
        mv = vecs["masked"].vocabulary_ if "masked" in vecs else {}
        self.ctx = cv
        self.masked = mv
        words: dict[str, int] = {}
        for w in mv:
            if " " not in w:
                words.setdefault(w, len(words) + 1)
        for t in cv:
            if t[:2] in ("l_", "r_", "c_"):
                words.setdefault(t[2:], len(words) + 1)
        self.index = words  # word -> row of the tables below (0 = unknown word)
        k = len(words) + 1
        self.uni = np.full(k, -1, dtype=np.int64)
        self.side = {p: np.full(k, -1, dtype=np.int64) for p in ("l_", "r_", "c_")}
        for w, i in words.items():
            self.uni[i] = mv.get(w, -1)
            for p, arr in self.side.items():
                arr[i] = cv.get(p + w, -1)
        self.tgt = mv.get("TGT", -1)
        # bigrams keyed by their unigram ids (a bigram kept by min_df has both unigrams kept)
        self.nu = len(mv) + 1
        keys, vals = [], []
        for t, j in mv.items():
            if " " in t:
                a, b = t.split(" ")
                keys.append(mv[a] * self.nu + mv[b])
                vals.append(j)
        order = np.argsort(np.asarray(keys, dtype=np.int64))
        self.bi_keys = np.asarray(keys, dtype=np.int64)[order]
        self.bi_vals = np.asarray(vals, dtype=np.int64)[order]

    def bigram_ids(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Vocabulary ids of the bigrams of unigram ids ``a``, ``b`` (-1 when absent)."""
        out = np.full(len(a), -1, dtype=np.int64)
        ok = (a >= 0) & (b >= 0)
        if not ok.any() or not len(self.bi_keys):
            return out
        key = a[ok] * self.nu + b[ok]
        pos = np.minimum(np.searchsorted(self.bi_keys, key), len(self.bi_keys) - 1)
        hit = self.bi_keys[pos] == key
        out[np.flatnonzero(ok)[hit]] = self.bi_vals[pos[hit]]
        return out


def _fast_blocks(P: _Parts, vecs: dict[str, TfidfVectorizer], tables: _VocabTables) -> dict:
    """The TF-IDF blocks of the :func:`target_features` text fields from per-target parts."""
    n = len(P.infos)
    uniq: dict[int, int] = {}
    uinfos: list[_Sentence] = []
    sent_of = np.empty(n, dtype=np.int64)
    for r, info in enumerate(P.infos):
        k = uniq.get(id(info))
        if k is None:
            k = uniq[id(info)] = len(uinfos)
            uinfos.append(info)
        sent_of[r] = k
    get = tables.index.get
    n_tok = sum(len(i.words) for i in uinfos)
    words = chain.from_iterable(i.words for i in uinfos)
    wk = np.fromiter(map(get, words, repeat(0)), dtype=np.int64, count=n_tok)
    isword = np.fromiter(chain.from_iterable(i.isword for i in uinfos), dtype=bool, count=n_tok)
    tok_off = np.zeros(len(uinfos) + 1, dtype=np.int64)
    np.cumsum([len(i.words) for i in uinfos], out=tok_off[1:])
    G = np.asarray(P.geoms, dtype=np.int64).reshape(n, 6)
    o = tok_off[sent_of]
    geom = tuple(G[:, j] + o for j in range(6))
    cv = tables.ctx
    spec_ids = np.asarray([cv.get(t, -1) for s in P.special for t in s], dtype=np.int64)
    spec_rows = np.repeat(np.arange(n), [len(s) for s in P.special])
    return _blocks_from_arrays(
        vecs, tables, wk, isword, o, tok_off[sent_of + 1], geom, spec_rows, spec_ids
    )


def _blocks_from_arrays(
    vecs: dict[str, TfidfVectorizer],
    tables: _VocabTables,
    wk: np.ndarray,
    isword: np.ndarray,
    slo: np.ndarray,
    shi: np.ndarray,
    geom: tuple[np.ndarray, ...],
    spec_rows: np.ndarray,
    spec_ids: np.ndarray,
) -> dict[str, sp.csr_matrix]:
    """TF-IDF blocks from global token arrays: ``wk`` (model word index of every token),
    ``isword``, each target's sentence token range ``slo:shi`` and geometry ``(t0, t1, c0, c1,
    lo, hi)`` in global token positions, plus the special context tokens' (row, id)."""
    n = len(slo)
    t0, t1, c0, c1, lo, hi = geom
    # context block: special tokens + l_/r_ window words + c_ clause words
    parts_c, parts_r = [spec_ids], [spec_rows]
    for pre, b, e in (("l_", lo, t0), ("r_", t1, hi), ("c_", c0, t0), ("c_", t1, c1)):
        idx, owner = _ranges(b, e)
        parts_c.append(tables.side[pre][wk[idx]])
        parts_r.append(owner)
    out = {"ctx": _tfidf_from_ids(np.concatenate(parts_r), np.concatenate(parts_c), n, vecs["ctx"])}
    if "masked" not in vecs:
        return out

    # sentence n-gram block: word tokens only, the target's words replaced by TGT
    cumw = np.zeros(len(wk) + 1, dtype=np.int64)
    np.cumsum(isword, out=cumw[1:])
    uid = tables.uni[wk[isword]]  # unigram id of every word token, all sentences
    bid = tables.bigram_ids(uid[:-1], uid[1:])  # pair (j, j+1); pairs across sentences unused
    w_lo, w_hi = cumw[slo], cumw[shi]  # the sentence's words in the word stream
    k0, k1 = cumw[t0], cumw[t1]  # words before the target / first word after it
    parts_c, parts_r = [np.full(n, tables.tgt, dtype=np.int64)], [np.arange(n)]
    for b, e, src in ((w_lo, k0, uid), (k1, w_hi, uid), (w_lo, k0 - 1, bid), (k1, w_hi - 1, bid)):
        idx, owner = _ranges(b, e)
        parts_c.append(src[idx])
        parts_r.append(owner)
    left = np.flatnonzero(k0 > w_lo)  # "w TGT"
    parts_c.append(tables.bigram_ids(uid[k0[left] - 1], np.full(len(left), tables.tgt)))
    parts_r.append(left)
    right = np.flatnonzero(k1 < w_hi)  # "TGT w"
    parts_c.append(tables.bigram_ids(np.full(len(right), tables.tgt), uid[k1[right]]))
    parts_r.append(right)
    out["masked"] = _tfidf_from_ids(
        np.concatenate(parts_r), np.concatenate(parts_c), n, vecs["masked"]
    )
    return out


# --------------------------------------------------------------------------- vectorised batch
_W_RE = re.compile(r"\w")
_S_RE = re.compile(r"\s")
_ASCII_W = np.array([bool(_W_RE.match(chr(c))) for c in range(128)])
_ASCII_S = np.array([bool(_S_RE.match(chr(c))) for c in range(128)])
_DECAY_ARR = np.array(_DECAY)


def _char_classes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``\\w`` and ``\\s`` membership of every code point, exactly as the ``re`` module decides."""
    W = np.zeros(len(codes), dtype=bool)
    S = np.zeros(len(codes), dtype=bool)
    asc = codes < 128
    W[asc] = _ASCII_W[codes[asc]]
    S[asc] = _ASCII_S[codes[asc]]
    na = np.flatnonzero(~asc)
    if len(na):
        u, inv = np.unique(codes[na], return_inverse=True)
        W[na] = np.array([bool(_W_RE.match(chr(c))) for c in u.tolist()])[inv]
        S[na] = np.array([bool(_S_RE.match(chr(c))) for c in u.tolist()])[inv]
    return W, S


def _batch_design(
    X: Any,
    window: int,
    extra: Iterable[str],
    use_vader: bool | str,
    vecs: dict[str, TfidfVectorizer],
    tables: _VocabTables,
) -> tuple[dict[str, sp.csr_matrix], np.ndarray] | None:
    """The TF-IDF blocks and dense matrix of a batch, computed on arrays over all its tokens.

    The same features as :func:`_parts` + :func:`_fast_blocks` (tests compare them with the
    reference path), but the distinct sentences are tokenised together (token offsets from
    numpy character classes that reproduce ``_TOKEN_RE``) and every per-token property is an
    array look-up by word. Returns ``None`` when the per-sentence path must be used (clause and
    window VADER compounds requested).
    """
    extra = frozenset(extra)
    sentences, starts, ends = _as_columns(X)
    n = len(sentences)
    if n == 0 or use_vader not in (False, "sentence"):
        return None  # clause/window VADER compounds: the per-sentence path builds their texts
    pos_of: dict[str, int] = {}
    sent_of = np.fromiter(
        map(pos_of.setdefault, sentences, count()), dtype=np.int64, count=n
    )  # first-seen counter: unique per sentence, not contiguous
    uniq = list(pos_of)
    remap = np.full(n, -1, dtype=np.int64)
    remap[np.fromiter(pos_of.values(), dtype=np.int64, count=len(uniq))] = np.arange(len(uniq))
    sent_of = remap[sent_of]
    lens = np.fromiter(map(len, uniq), dtype=np.int64, count=len(uniq))
    base = np.zeros(len(uniq), dtype=np.int64)
    np.cumsum(lens[:-1] + 1, out=base[1:])
    joined = "\n".join(uniq)
    lowered = [u.lower() for u in uniq]
    odd = [k for k, (u, w) in enumerate(zip(uniq, lowered)) if len(u) != len(w)]
    for k in odd:  # lowercasing moved offsets (e.g. "İ"): tokenise as is, lowercase the tokens
        lowered[k] = uniq[k]
    low = "\n".join(lowered)
    words = _TOKEN_RE.findall(low)
    codes = np.frombuffer(low.encode("utf-32-le"), dtype=np.uint32)
    W, S = _char_classes(codes)
    ap = (codes == 39) | (codes == 0x2019)
    J = np.zeros(len(codes), dtype=bool)
    J[1:-1] = ap[1:-1] & W[:-2] & W[2:]  # an apostrophe inside a word joins it
    WJ = W | J
    P_ = ~WJ & ~S  # single-character punctuation tokens
    prev = np.concatenate([[False], WJ[:-1]])
    nxt = np.concatenate([WJ[1:], [False]])
    tstart = np.flatnonzero((WJ & ~prev) | P_)
    tend = np.flatnonzero((WJ & ~nxt) | P_) + 1
    if len(tstart) != len(words) or not len(words):  # keep the per-sentence path as fallback
        return None
    n_tok = len(words)
    tok_isword = WJ[tstart]
    for k in odd:
        a, b = np.searchsorted(tstart, [base[k], base[k] + lens[k]]).tolist()
        words[a:b] = [w.lower() for w in words[a:b]]

    # per distinct word: properties and model ids (first-seen counter ids, not contiguous)
    widx: dict[str, int] = {}
    wid = np.fromiter(map(widx.setdefault, words, count()), dtype=np.int64, count=n_tok)
    uw = list(widx)
    ui = np.fromiter(widx.values(), dtype=np.int64, count=len(uw))
    lex = _lexicon()
    stop = _stop_words()

    def prop(values: Iterable, dtype: Any, fill: Any) -> np.ndarray:
        arr = np.full(n_tok, fill, dtype=dtype)
        arr[ui] = np.fromiter(values, dtype=dtype, count=len(uw))
        return arr

    VAL = prop((lex.get(w, 0.0) for w in uw), float, 0.0)
    HAS = prop((w in lex for w in uw), bool, False)
    BND = prop(map(_BOUNDARY.__contains__, uw), bool, False)
    NEG = prop(map(_NEGATORS.__contains__, uw), bool, False)
    REP = prop(map(_REPORTING.__contains__, uw), bool, False)
    STOP = prop(map(stop.__contains__, uw), bool, False)
    MIDX = prop(map(tables.index.get, uw, repeat(0)), np.int64, 0)
    cv = tables.ctx
    PRE = {
        p: prop((cv.get(p + w, -1) for w in uw), np.int64, -1)
        for p in ("L1_", "L2_", "L3_", "R1_", "R2_", "R3_")
        + (("rv_", "lv_") if "verb" in extra else ())
    }
    wv = wid  # token -> word id

    # sentences' token ranges, targets' geometry (global token positions)
    s_lo = np.searchsorted(tstart, base)
    s_hi = np.searchsorted(tstart, base + lens)
    slo, shi = s_lo[sent_of], s_hi[sent_of]
    a_start = base[sent_of] + starts
    a_end = base[sent_of] + ends
    t0 = np.searchsorted(tend, a_start, side="right")
    t1 = np.maximum(t0, np.searchsorted(tstart, a_end, side="left"))
    B = np.flatnonzero(BND[wv])
    k = np.searchsorted(B, t0)
    prevb = B[np.maximum(k - 1, 0)] if len(B) else np.zeros(n, dtype=np.int64)
    c0 = np.where((k > 0) & (prevb >= slo), prevb + 1, slo)
    k = np.searchsorted(B, t1)
    nextb = B[np.minimum(k, len(B) - 1)] if len(B) else np.zeros(n, dtype=np.int64)
    c1 = np.where((k < len(B)) & (nextb < shi), nextb, shi)
    lo = np.maximum(slo, t0 - window)
    hi = np.minimum(shi, t1 + window)

    # special context tokens (same order as _target_parts: order does not matter for TF-IDF)
    spec_r: list[np.ndarray] = []
    spec_c: list[np.ndarray] = []

    def add(rows: np.ndarray, ids: np.ndarray) -> None:
        spec_r.append(rows)
        spec_c.append(ids)

    for j, p in ((1, "L1_"), (2, "L2_"), (3, "L3_")):
        r = np.flatnonzero(t0 - j >= slo)
        add(r, PRE[p][wv[t0[r] - j]])
    for j, p in ((0, "R1_"), (1, "R2_"), (2, "R3_")):
        r = np.flatnonzero(t1 + j < shi)
        add(r, PRE[p][wv[t1[r] + j]])
    strs: list[str] = []
    srow: list[int] = []
    for r in np.flatnonzero(t0 - 2 >= slo).tolist():
        strs.append(f"L21_{words[t0[r] - 2]}_{words[t0[r] - 1]}")
        srow.append(r)
    for r in np.flatnonzero(t1 + 1 < shi).tolist():
        strs.append(f"R12_{words[t1[r]]}_{words[t1[r] + 1]}")
        srow.append(r)
    if "verb" in extra:
        CP = np.flatnonzero(tok_isword & ~STOP[wv])
        if len(CP):
            k = np.searchsorted(CP, t1)
            cand = CP[np.minimum(k, len(CP) - 1)]
            r = np.flatnonzero((k < len(CP)) & (cand < c1))
            add(r, PRE["rv_"][wv[cand[r]]])
            k = np.searchsorted(CP, t0) - 1
            cand = CP[np.maximum(k, 0)]
            r = np.flatnonzero((k >= 0) & (cand >= c0))
            add(r, PRE["lv_"][wv[cand[r]]])

    # lexicon valences with the negator flip (negators up to three tokens before, same sentence)
    SP = np.flatnonzero(HAS[wv])
    SV = VAL[wv[SP]]
    NP = np.flatnonzero(NEG[wv])
    if len(NP) and len(SP):
        tok_slo = np.repeat(s_lo, s_hi - s_lo)
        lo3 = np.maximum(SP - 3, tok_slo[SP])
        flip = np.searchsorted(NP, SP) - np.searchsorted(NP, lo3) > 0
        SV = np.where(flip, -0.74 * SV, SV)
    a0 = np.searchsorted(SP, slo)
    a1 = np.searchsorted(SP, shi)
    idx, owner = _ranges(a0, a1)
    i = SP[idx]
    v = SV[idx]
    T0, T1, C0, C1 = t0[owner], t1[owner], c0[owner], c1[owner]
    left = i < T0
    keep = left | (i >= T1)
    d = np.where(left, T0 - i, i - T1 + 1)
    wgt = np.where(d < len(_DECAY_ARR), _DECAY_ARR[np.minimum(d, len(_DECAY_ARR) - 1)], 0.0)
    far = keep & (d >= len(_DECAY_ARR))
    if far.any():
        wgt[far] = [math.exp(-x / 5.0) for x in d[far].tolist()]
    av = np.abs(v)
    a = av * wgt
    pos = v > 0
    inc = (i >= C0) & (i < C1)

    def total(mask: np.ndarray, w: np.ndarray) -> np.ndarray:
        m = keep & mask
        return np.bincount(owner[m], weights=w[m], minlength=n)

    dense = np.zeros((n, len(DENSE_NAMES)), dtype=float)
    dense[:, 0] = total(left & pos, a)
    dense[:, 1] = total(left & ~pos, a)
    dense[:, 2] = total(~left & pos, a)
    dense[:, 3] = total(~left & ~pos, a)
    dense[:, 4] = total(inc & pos, av)
    dense[:, 5] = total(inc & ~pos, av)
    dense[:, 6] = total(~inc & pos, a)
    dense[:, 7] = total(~inc & ~pos, a)
    dense[:, :8] = np.log1p(dense[:, :8])
    if "between" in extra and len(SP):
        k = np.searchsorted(SP, t0) - 1
        cand = SP[np.maximum(k, 0)]
        rl = np.flatnonzero((k >= 0) & (cand >= c0) & (cand < t0))
        k2 = np.searchsorted(SP, t1)
        cand2 = SP[np.minimum(k2, len(SP) - 1)]
        rr = np.flatnonzero((k2 < len(SP)) & (cand2 < c1) & (cand2 >= t1))
        for side, rows, cands, ks in (("l", rl, cand, k), ("r", rr, cand2, k2)):
            for r in rows.tolist():
                ii = int(cands[r])
                sign = "pos" if SV[ks[r]] > 0 else "neg"
                if side == "l":
                    dd = int(t0[r]) - ii
                    between = words[ii + 1 : int(t0[r])]
                else:
                    dd = ii - int(t1[r]) + 1
                    between = words[int(t1[r]) : ii]
                strs.append(f"sw{side}_{sign}_{min(dd, 4)}")
                srow.append(r)
                if len(between) <= 4:
                    strs.append(f"bw{side}_{sign}_" + "_".join(between))
                    srow.append(r)
    add(np.asarray(srow, dtype=np.int64), np.fromiter(map(cv.get, strs, repeat(-1)), np.int64))
    # negation near the target (four tokens either side, same sentence)
    if len(NP):
        nl = np.searchsorted(NP, t0) - np.searchsorted(NP, np.maximum(t0 - 4, slo))
        nr = np.searchsorted(NP, np.minimum(t1 + 4, shi)) - np.searchsorted(NP, t1)
        dense[:, 8] = ((nl + nr) > 0).astype(float)
    # quotation marks: per sentence that has any (alternation needs a scan)
    quoted = np.zeros(n_tok + 1, dtype=bool)
    any_q = np.zeros(len(uniq), dtype=bool)
    for s_i, s in enumerate(uniq):
        if "“" in s or "”" in s or '"' in s:
            qa, qb = int(s_lo[s_i]), int(s_hi[s_i])
            qm = _quoted_mask(words[qa:qb])
            quoted[qa:qb] = qm
            any_q[s_i] = any(qm)
    cq = np.concatenate([[0], np.cumsum(quoted[:n_tok])])
    span_q = cq[t1] - cq[t0] > 0
    point_q = (t0 < shi) & quoted[np.minimum(t0, n_tok)]
    dense[:, 9] = np.where(t1 > t0, span_q, point_q)
    n1 = np.minimum(t1, n_tok - 1)
    n2 = np.minimum(t1 + 1, n_tok - 1)
    dense[:, 10] = ((t1 < shi) & REP[wv[n1]]) | ((t1 + 1 < shi) & REP[wv[n2]])
    p1 = np.maximum(t0 - 1, 0)
    by_id = widx.get("by", -1)
    dense[:, 11] = (t0 - 1 >= slo) & (wv[p1] == by_id)
    dense[:, 12] = t0 == slo
    n_coll = (shi - slo) - (t1 - t0) + 1
    dense[:, 13] = (t0 - slo) / np.maximum(n_coll - 1, 1)
    dense[:, 14] = [joined[e : e + 2] in ("'s", "’s") for e in a_end.tolist()]
    dense[:, 15] = t0 == c0
    dense[:, 16] = any_q[sent_of]
    if use_vader:
        dense[:, _N_LEX_DENSE] = vader_compound(uniq)[sent_of]
    spec_rows = np.concatenate(spec_r)
    spec_ids = np.concatenate(spec_c)
    blocks = _blocks_from_arrays(
        vecs,
        tables,
        MIDX[wv],
        tok_isword,
        slo,
        shi,
        (t0, t1, c0, c1, lo, hi),
        spec_rows,
        spec_ids,
    )
    return blocks, dense


class TargetSentimentClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression over target-relative features (see the module docstring).

    ``X`` is a DataFrame with ``sentence, start, end`` (optionally ``other_spans``, ignored) or a
    sequence of ``(sentence, start, end[, other_spans])`` tuples; ``y`` holds NewsMTSC polarities
    (2.0, 4.0, 6.0) or any other labels. ``class_bias`` is added to the class scores before the
    arg-max and the softmax (per class, in ``classes_`` order; chosen by inner grouped CV).
    """

    def __init__(
        self,
        C: float = 1.0,
        window: int = 6,
        dense_weight: float = 1.0,
        use_sentence: bool = True,
        sentence_weight: float = 1.0,
        class_weight: str | None = "balanced",
        extra: tuple[str, ...] = (),
        class_bias: tuple[float, ...] | None = None,
        use_vader: bool | str = True,
    ):
        self.C = C
        self.window = window
        self.dense_weight = dense_weight
        self.use_sentence = use_sentence
        self.sentence_weight = sentence_weight
        self.class_weight = class_weight
        self.extra = extra
        self.class_bias = class_bias
        self.use_vader = use_vader

    # -- design matrix
    def _fields(self) -> list[str]:
        return [f for f in _VECTORIZERS if self.use_sentence or f != "masked"]

    def _dense_block(self, dense: np.ndarray) -> sp.csr_matrix:
        z = (dense - self.dense_mean_) / self.dense_scale_ * self.dense_weight
        return sp.csr_matrix(z)

    def _matrix(self, feats: pd.DataFrame, fit: bool) -> sp.csr_matrix:
        """Design matrix of a :func:`target_features` frame through the sklearn vectorizers."""
        blocks = []
        if fit:
            self.vectorizers_ = {}
        for f in self._fields():
            if fit:
                vec = TfidfVectorizer(**_VECTORIZERS[f], dtype=np.float64)
                blocks.append(vec.fit_transform(feats[f]))
                self.vectorizers_[f] = vec
            else:
                blocks.append(self.vectorizers_[f].transform(feats[f]))
            if f == "masked" and self.sentence_weight != 1.0:
                blocks[-1] = blocks[-1] * self.sentence_weight
        dense = feats[list(DENSE_NAMES)].to_numpy(dtype=float)
        if fit:
            self.dense_mean_ = dense.mean(axis=0)
            sd = dense.std(axis=0)
            self.dense_scale_ = np.where(sd > 0, sd, 1.0)
        blocks.append(self._dense_block(dense))
        return sp.hstack(blocks, format="csr")

    def _features(self, X: Any) -> pd.DataFrame:
        return target_features(X, window=self.window, extra=self.extra, use_vader=self.use_vader)

    def _fast_matrix(self, X: Any) -> sp.csr_matrix:
        """The same design matrix as ``_matrix(target_features(X))``, without strings/frames."""
        vecs = {f: self.vectorizers_[f] for f in self._fields()}
        if getattr(self, "_tables", None) is None or self._tables[0] is not self.vectorizers_:
            self._tables = (self.vectorizers_, _VocabTables(vecs))
        tables = self._tables[1]
        with _gc_paused():
            got = _batch_design(X, self.window, self.extra, self.use_vader, vecs, tables)
        if got is None:  # per-sentence path (rare inputs, or clause/window VADER compounds)
            P = _parts(X, self.window, self.extra, self.use_vader)
            got = (_fast_blocks(P, vecs, tables), P.dense)
        blocks_by_field, dense = got
        blocks = []
        for f in self._fields():
            blocks.append(blocks_by_field[f])
            if f == "masked" and self.sentence_weight != 1.0:
                blocks[-1] = blocks[-1] * self.sentence_weight
        blocks.append(self._dense_block(dense))
        return sp.hstack(blocks, format="csr")

    def fit(self, X: Any, y: Sequence, sample_weight: Any = None) -> TargetSentimentClassifier:
        return self.fit_features(self._features(X), y, sample_weight=sample_weight)

    def fit_features(
        self, feats: pd.DataFrame, y: Sequence, sample_weight: Any = None
    ) -> TargetSentimentClassifier:
        """Fit on a :func:`target_features` frame (lets CV compute the features once)."""
        M = self._matrix(feats, fit=True)
        self.lr_ = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000)
        self.lr_.fit(M, np.asarray(y), sample_weight=sample_weight)
        self.classes_ = self.lr_.classes_
        return self

    def _bias(self) -> np.ndarray:
        if self.class_bias is None:
            return np.zeros(len(self.classes_))
        return np.asarray(self.class_bias, dtype=float)

    def _scores_of(self, M: sp.csr_matrix) -> np.ndarray:
        return np.asarray(M @ self.lr_.coef_.T + self.lr_.intercept_) + self._bias()

    def decision_function(self, X: Any) -> np.ndarray:
        """Class scores (fast path: token lists straight into the sparse design matrix)."""
        return self._scores_of(self._fast_matrix(X))

    def decision_features(self, feats: pd.DataFrame) -> np.ndarray:
        """Class scores for a :func:`target_features` frame (reference path, used by CV)."""
        return self._scores_of(self._matrix(feats, fit=False))

    @staticmethod
    def _softmax(z: np.ndarray) -> np.ndarray:
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict_proba(self, X: Any) -> np.ndarray:
        return self._softmax(self.decision_function(X))

    def predict_proba_reference(self, X: Any) -> np.ndarray:
        """``predict_proba`` through DataFrame features and the sklearn vectorizers (slow path)."""
        return self._softmax(self.decision_features(self._features(X)))

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]

    def score_targets(self, X: Any) -> np.ndarray:
        """Expected polarity in -1..1: P(positive) - P(negative) (NewsMTSC labels)."""
        p = self.predict_proba(X)
        cls = list(self.classes_)
        return p[:, cls.index(6.0)] - p[:, cls.index(2.0)]

    # -- JSON persistence (no pickle)
    def to_dict(self) -> dict[str, Any]:
        """Everything needed to predict, as JSON-ready Python objects."""
        vecs = {}
        for f, vec in self.vectorizers_.items():
            vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
            vecs[f] = {"vocabulary": vocab, "idf": [round(float(v), 8) for v in vec.idf_]}
        params = self.get_params()
        params["extra"] = list(params["extra"])
        if params["class_bias"] is not None:
            params["class_bias"] = [float(v) for v in params["class_bias"]]
        return {
            "params": params,
            "classes": [float(c) for c in self.classes_],
            "vectorizers": vecs,
            "dense_names": list(DENSE_NAMES),
            "dense_mean": [float(v) for v in self.dense_mean_],
            "dense_scale": [float(v) for v in self.dense_scale_],
            "coef": [[round(float(v), 8) for v in row] for row in self.lr_.coef_],
            "intercept": [float(v) for v in self.lr_.intercept_],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TargetSentimentClassifier:
        """Rebuild a fitted classifier from :meth:`to_dict` output."""
        if list(d["dense_names"]) != list(DENSE_NAMES):
            raise ValueError("model file was written for a different feature set")
        params = dict(d["params"])
        params["extra"] = tuple(params.get("extra", ()))
        if params.get("class_bias") is not None:
            params["class_bias"] = tuple(params["class_bias"])
        m = cls(**params)
        m.vectorizers_ = {}
        for f, v in d["vectorizers"].items():
            vec = TfidfVectorizer(
                **_VECTORIZERS[f],
                dtype=np.float64,
                vocabulary={w: i for i, w in enumerate(v["vocabulary"])},
            )
            vec.idf_ = np.asarray(v["idf"], dtype=float)
            vec._validate_vocabulary()
            m.vectorizers_[f] = vec
        m.dense_mean_ = np.asarray(d["dense_mean"], dtype=float)
        m.dense_scale_ = np.asarray(d["dense_scale"], dtype=float)
        lr = LogisticRegression()
        lr.classes_ = np.asarray(d["classes"], dtype=float)
        lr.coef_ = np.asarray(d["coef"], dtype=float)
        lr.intercept_ = np.asarray(d["intercept"], dtype=float)
        m.lr_ = lr
        m.classes_ = lr.classes_
        return m


# --------------------------------------------------------------------------- NewsMTSC data
def newsmtsc_dir() -> Path:
    return paths.VALIDATION_DIR / "newsmtsc"


def newsmtsc_targets(split: str = "train") -> pd.DataFrame:
    """One row per target of a NewsMTSC split: ``sentence, start, end, other_spans,
    further_spans, polarity, mention, gid, group`` (``further_spans``: the annotated coreferent
    mentions of the target in the sentence; ``group`` = the source article, for grouped CV).

    ``split`` is ``"train"`` or ``"devtest_mt"``.
    """
    if split not in ("train", "devtest_mt"):
        raise ValueError(f"unknown NewsMTSC split {split!r}; use 'train' or 'devtest_mt'")
    rows = []
    with open(newsmtsc_dir() / f"{split}.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            s = rec["sentence_normalized"]
            gid = rec["primary_gid"]
            parts = gid.split("_")  # allsides_<article>_... / polusa_v1_<article>_...
            group = "_".join(parts[:3] if parts[0] == "polusa" else parts[:2])
            spans = [(t["from"], t["to"]) for t in rec["targets"]]
            for i, t in enumerate(rec["targets"]):
                rows.append(
                    {
                        "sentence": s,
                        "start": int(t["from"]),
                        "end": int(t["to"]),
                        "other_spans": tuple(sp_ for j, sp_ in enumerate(spans) if j != i),
                        "further_spans": tuple(
                            (int(f["from"]), int(f["to"])) for f in t.get("further_mentions", ())
                        ),
                        "polarity": float(t["polarity"]),
                        "mention": t["mention"],
                        "gid": gid,
                        "group": group,
                    }
                )
    return pd.DataFrame(rows)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _scores(y_true: Sequence, y_pred: Sequence) -> dict[str, float]:
    labels = [2.0, 4.0, 6.0]
    per = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    return {
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "f1_negative": float(per[0]),
        "f1_neutral": float(per[1]),
        "f1_positive": float(per[2]),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "n": int(len(y_true)),
    }


def _training_rows(
    df: pd.DataFrame,
    multi_weight: float = 1.0,
    further: bool = False,
    further_weight: float = 0.5,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Training rows and sample weights: targets of multi-target sentences get ``multi_weight``;
    ``further`` adds one row per annotated coreferent mention of a target (``further_spans``:
    same sentence, same label, weight ``further_weight``)."""
    multi = (df.groupby("gid")["gid"].transform("size") > 1).to_numpy()
    w = np.where(multi, multi_weight, 1.0)
    if not further or "further_spans" not in df.columns:
        return df, w
    extra = [
        {**row, "start": a, "end": b}
        for row, spans in zip(df.to_dict("records"), df["further_spans"])
        for a, b in spans
    ]
    if not extra:
        return df, w
    out = pd.concat([df, pd.DataFrame(extra, columns=df.columns)], ignore_index=True)
    return out, np.concatenate([w, np.full(len(extra), further_weight)])


def grouped_cv_scores(
    params: dict[str, Any] | None = None,
    n_splits: int = 5,
    train: pd.DataFrame | None = None,
    recipe: dict[str, Any] | None = None,
    return_scores: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, np.ndarray]:
    """Article-grouped ``n_splits``-fold CV of the classifier on NewsMTSC train (one row a fold).

    ``recipe`` holds the training options of :func:`_training_rows` (``multi_weight``,
    ``further``); the default is :data:`DEFAULT_RECIPE`. With ``return_scores`` the out-of-fold
    class scores (without ``class_bias``) are returned as well.
    """
    from sklearn.model_selection import GroupKFold

    df = newsmtsc_targets("train") if train is None else train
    df = df.reset_index(drop=True)
    params = {**DEFAULT_PARAMS, **(params or {})}
    recipe = {**DEFAULT_RECIPE, **(recipe or {})}
    rows_df, w = _training_rows(df, **recipe)
    feats = target_features(
        rows_df, window=params["window"], extra=params["extra"], use_vader=params["use_vader"]
    )
    y_all = rows_df["polarity"].to_numpy()
    # row -> original target (the coreferent extra rows follow their target's fold)
    origin = np.concatenate(
        [np.arange(len(df)), np.repeat(np.arange(len(df)), df["further_spans"].map(len))]
        if len(rows_df) > len(df)
        else [np.arange(len(df))]
    )
    y = df["polarity"].to_numpy()
    multi = (df.groupby("gid")["gid"].transform("size") > 1).to_numpy()
    oof = np.zeros((len(df), 3))
    rows = []
    for k, (tr, te) in enumerate(GroupKFold(n_splits=n_splits).split(df, groups=df["group"])):
        in_tr = np.isin(origin, tr)
        fit_params = {**params, "class_bias": None}
        m = TargetSentimentClassifier(**fit_params).fit_features(
            feats.iloc[np.flatnonzero(in_tr)], y_all[in_tr], sample_weight=w[in_tr]
        )
        z = m.decision_features(feats.iloc[te])
        oof[te] = z
        bias = np.zeros(3) if params["class_bias"] is None else np.asarray(params["class_bias"])
        pred = m.classes_[np.argmax(z + bias, axis=1)]
        mt = multi[te]
        rows.append(
            {
                "fold": k,
                **_scores(y[te], pred),
                "macro_f1_multi": _scores(y[te][mt], pred[mt])["macro_f1"],
                "n_multi": int(mt.sum()),
            }
        )
    table = pd.DataFrame(rows)
    return (table, oof) if return_scores else table


def _vader_label(compound: np.ndarray, threshold: float = 0.05) -> np.ndarray:
    """VADER's own convention: compound >= 0.05 positive, <= -0.05 negative, else neutral."""
    return np.where(compound >= threshold, 6.0, np.where(compound <= -threshold, 2.0, 4.0))


# chosen by article-grouped CV on train (benchmarks/RESULTS_target.md), never on devtest_mt
DEFAULT_PARAMS: dict[str, Any] = {
    "C": 1.0,  # C=0.5: CV multi 0.660, C=2: 0.661 (vs 0.666)
    "window": 6,  # 8: 0.664; 10: 0.657 vs 0.660 (both with 2x weights, all VADER compounds)
    "dense_weight": 1.0,
    "use_sentence": True,
    "sentence_weight": 1.0,
    "class_weight": "balanced",  # None: 0.665
    "extra": ("verb", "between"),  # without: 0.659
    "class_bias": None,  # offsets tuned on out-of-fold scores: cross-fitted 0.651, not used
    "use_vader": "sentence",  # sentence compound only: 0.666; + clause/window compounds: 0.664
}
# CV multi-target macro-F1 0.666 with: targets of multi-target sentences 3x (2x: 0.661, 4x: 0.666;
# 1x without coreferent rows: 0.654), coreferent mentions as extra rows of weight 0.5 (1.0: 0.661)
DEFAULT_RECIPE: dict[str, Any] = {"multi_weight": 3.0, "further": True, "further_weight": 0.5}


def _macro_f1_fast(y: np.ndarray, pred: np.ndarray, k: int = 3) -> float:
    """Macro-F1 of integer labels ``0..k-1`` (same as sklearn's, without its overhead)."""
    cm = np.bincount(y * k + pred, minlength=k * k).reshape(k, k)
    tp = np.diag(cm).astype(float)
    denom = cm.sum(axis=0) + cm.sum(axis=1)
    f1 = np.divide(2 * tp, denom, out=np.zeros(k), where=denom > 0)
    return float(f1.mean())


BIAS_GRID = np.round(np.arange(-0.6, 0.601, 0.05), 2)


def choose_class_bias(scores: np.ndarray, y_idx: np.ndarray) -> tuple[float, float, float]:
    """The per-class score offsets (negative, 0, positive) that maximise macro-F1 of
    ``argmax(scores + bias)`` against class indices ``y_idx`` (grid :data:`BIAS_GRID`; ties go
    to the smallest total offset)."""
    best, best_b = -1.0, (0.0, 0.0, 0.0)
    for bn in BIAS_GRID:
        for bp in BIAS_GRID:
            b = np.array([bn, 0.0, bp])
            f = _macro_f1_fast(y_idx, np.argmax(scores + b, axis=1))
            if f > best + 1e-12 or (
                abs(f - best) <= 1e-12 and abs(bn) + abs(bp) < sum(map(abs, best_b))
            ):
                best, best_b = f, (float(bn), 0.0, float(bp))
    return best_b


def bias_cv_scores(
    oof: np.ndarray, train: pd.DataFrame, n_splits: int = 5
) -> tuple[pd.DataFrame, tuple[float, float, float]]:
    """Cross-fitted effect of :func:`choose_class_bias` on out-of-fold class scores.

    For each fold the bias is chosen on the OTHER folds' multi-target targets (the selection
    criterion) and applied to this fold, so no fold's labels choose its own bias. Returns the
    per-fold scores and the bias chosen on all folds (the one a shipped model uses).
    """
    from sklearn.model_selection import GroupKFold

    df = train.reset_index(drop=True)
    classes = np.array([2.0, 4.0, 6.0])
    y = df["polarity"].to_numpy()
    y_idx = np.searchsorted(classes, y)
    multi = (df.groupby("gid")["gid"].transform("size") > 1).to_numpy()
    rows = []
    for k, (_, te) in enumerate(GroupKFold(n_splits=n_splits).split(df, groups=df["group"])):
        other = np.setdiff1d(np.arange(len(df)), te)
        sel = other[multi[other]]
        bias = np.asarray(choose_class_bias(oof[sel], y_idx[sel]))
        pred = classes[np.argmax(oof[te] + bias, axis=1)]
        mt = multi[te]
        rows.append(
            {
                "fold": k,
                **_scores(y[te], pred),
                "macro_f1_multi": _scores(y[te][mt], pred[mt])["macro_f1"],
                "n_multi": int(mt.sum()),
                "bias_negative": float(bias[0]),
                "bias_positive": float(bias[2]),
            }
        )
    return pd.DataFrame(rows), choose_class_bias(oof[multi], y_idx[multi])


def train_target_model(
    out_path: str | Path | None = None,
    params: dict[str, Any] | None = None,
    cv: bool = True,
    recipe: dict[str, Any] | None = None,
    tune_bias: bool = False,
) -> TargetSentimentClassifier:
    """Fit on NewsMTSC train.jsonl, evaluate once on devtest_mt, and write the JSON model.

    ``out_path`` defaults to ``MODELS_DIR / "target_sentiment.json"``. ``recipe`` holds the
    training options (:data:`DEFAULT_RECIPE`). With ``tune_bias`` the per-class score offsets
    are chosen on the article-grouped out-of-fold scores of train (:func:`bias_cv_scores`; needs
    ``cv``). The file records the parameters, the SHA-256 of train.jsonl, the grouped-CV scores
    on train (without and with the bias) and the devtest_mt scores of the written model.
    """
    params = {**DEFAULT_PARAMS, **(params or {}), "class_bias": None}
    recipe = {**DEFAULT_RECIPE, **(recipe or {})}
    train = newsmtsc_targets("train")
    cv_frame = bias_frame = None
    if cv:
        cv_frame, oof = grouped_cv_scores(params, train=train, recipe=recipe, return_scores=True)
        if tune_bias:
            bias_frame, bias = bias_cv_scores(oof, train)
            params["class_bias"] = tuple(bias)
    rows, w = _training_rows(train, **recipe)
    model = TargetSentimentClassifier(**params).fit(rows, rows["polarity"], sample_weight=w)
    # round-trip through JSON first so the recorded score is the shipped model's own score
    payload = model.to_dict()
    model = TargetSentimentClassifier.from_dict(json.loads(json.dumps(payload)))
    dev = newsmtsc_targets("devtest_mt")
    dev_scores = _scores(dev["polarity"], model.predict(dev))

    def summary(frame: pd.DataFrame | None) -> dict[str, Any] | None:
        if frame is None:
            return None
        return {
            "scheme": "GroupKFold(5) by source article",
            "macro_f1_mean": float(frame["macro_f1"].mean()),
            "macro_f1_sd": float(frame["macro_f1"].std()),
            "macro_f1_multi_mean": float(frame["macro_f1_multi"].mean()),
            "folds": frame.to_dict(orient="records"),
        }

    doc = {
        "format": MODEL_FORMAT,
        "description": "target-dependent sentiment (NewsMTSC polarity 2/4/6), logistic regression",
        "train_file": "newsmtsc/train.jsonl",
        "train_sha256": _sha256(newsmtsc_dir() / "train.jsonl"),
        "n_train_targets": int(len(train)),
        "recipe": recipe,
        "cv": summary(cv_frame),
        "cv_with_class_bias": summary(bias_frame),
        "devtest_mt": dev_scores,
        "model": payload,
    }
    out = Path(out_path) if out_path else paths.MODELS_DIR / MODEL_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return model


def target_model_info(path: str | Path | None = None) -> dict[str, Any]:
    """The metadata of the shipped model file (everything but the coefficients)."""
    p = Path(path) if path else paths.MODELS_DIR / MODEL_FILE
    doc = json.loads(p.read_text(encoding="utf-8"))
    return {k: v for k, v in doc.items() if k != "model"}


@functools.lru_cache(maxsize=4)
def _load_cached(path: str) -> TargetSentimentClassifier:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if doc.get("format") != MODEL_FORMAT:
        raise ValueError(f"{path}: not a target-sentiment model file ({doc.get('format')!r})")
    return TargetSentimentClassifier.from_dict(doc["model"])


def load_target_model(path: str | Path | None = None) -> TargetSentimentClassifier:
    """The shipped (or given) JSON model as a fitted :class:`TargetSentimentClassifier`."""
    p = Path(path) if path else paths.MODELS_DIR / MODEL_FILE
    if not p.exists():
        raise FileNotFoundError(f"{p}: no target-sentiment model; run train_target_model()")
    return _load_cached(str(p.resolve()))


# --------------------------------------------------------------------------- evaluation
def window_text(sentence: str, start: int, end: int, window: int = 6) -> str:
    """The ``window`` words either side of the target, the target included (for VADER)."""
    toks = _tokens(sentence)
    idx = [i for i, (_, a, b) in enumerate(toks) if a < end and b > start]
    if not idx:
        return sentence
    lo, hi = max(0, idx[0] - window), min(len(toks), idx[-1] + window + 1)
    return sentence[toks[lo][1] : toks[hi - 1][2]]


def evaluate_newsmtsc(model: TargetSentimentClassifier | None = None) -> pd.DataFrame:
    """Macro-F1, per-class F1 and accuracy on devtest_mt for each method.

    Methods: majority class of train (what a model fitted on train would predict), the majority
    class of devtest_mt itself (a reference floor that peeks at the labels), VADER on the whole
    sentence, VADER on a +-6-word window around the target (both with VADER's +-0.05
    thresholds), and the target model (the shipped one unless ``model`` is given).
    """
    train = newsmtsc_targets("train")
    dev = newsmtsc_targets("devtest_mt")
    y = dev["polarity"]
    model = model or load_target_model()
    majority = train["polarity"].mode().iloc[0]
    win = [window_text(s, a, b) for s, a, b in zip(dev["sentence"], dev["start"], dev["end"])]
    preds = {
        "majority class (train)": np.full(len(dev), majority),
        "majority class (devtest_mt, reference)": np.full(len(dev), y.mode().iloc[0]),
        "VADER sentence": _vader_label(vader_compound(dev["sentence"])),
        "VADER window (+-6 words)": _vader_label(vader_compound(win)),
        "target model (logistic regression)": model.predict(dev),
    }
    rows = [{"method": k, **_scores(y, p)} for k, p in preds.items()]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- JSONL prediction
def predict_jsonl(
    in_path: str | Path, out_path: str | Path, model: TargetSentimentClassifier | None = None
) -> dict[str, Any]:
    """Predict a ``polarity`` (2.0/4.0/6.0) for every target of a NewsMTSC-style JSONL file.

    Every input line gives one output line, in order. A line that is not JSON, not an object or
    lacks ``sentence_normalized``/``targets`` is written as ``{"line": n, "error": ..., "raw":
    ...}``; a target with missing or out-of-range offsets keeps its fields and gets
    ``"polarity": null`` and an ``"error"``. Returns counts: lines, lines_ok, line_errors,
    targets, targets_predicted, target_errors, and the first errors.
    """
    model = model or load_target_model()
    summary: dict[str, Any] = {
        "lines": 0,
        "lines_ok": 0,
        "line_errors": 0,
        "targets": 0,
        "targets_predicted": 0,
        "target_errors": 0,
        "errors": [],
    }
    out_lines: list[dict[str, Any]] = []
    jobs: list[tuple[int, int]] = []  # (line index in out_lines, target index)
    X: list[tuple[str, int, int, tuple]] = []

    def note(where: str, msg: str) -> None:
        if len(summary["errors"]) < 50:
            summary["errors"].append(f"{where}: {msg}")

    with open(in_path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            summary["lines"] += 1
            try:
                rec = json.loads(raw)
            except json.JSONDecodeError as e:
                err = f"malformed JSON: {e.msg} at column {e.colno}"
                out_lines.append({"line": n, "error": err, "raw": raw.rstrip("\n")})
                summary["line_errors"] += 1
                note(f"line {n}", err)
                continue
            err = None
            if not isinstance(rec, dict):
                err = "line is not a JSON object"
            elif not isinstance(rec.get("sentence_normalized"), str):
                err = "missing field 'sentence_normalized'"
            elif not isinstance(rec.get("targets"), list):
                err = "missing field 'targets' (a list)"
            if err:
                out_lines.append({"line": n, "error": err, "raw": raw.rstrip("\n")})
                summary["line_errors"] += 1
                note(f"line {n}", err)
                continue
            summary["lines_ok"] += 1
            s = rec["sentence_normalized"]
            targets = rec["targets"]
            valid: dict[int, tuple[int, int]] = {}
            for i, t in enumerate(targets):
                summary["targets"] += 1
                if not isinstance(t, dict):
                    targets[i] = t = {"target": t}
                    terr = "target is not a JSON object"
                elif "from" not in t or "to" not in t:
                    terr = "missing field 'from' or 'to'"
                else:
                    terr = check_target(s, t["from"], t["to"])
                if terr:
                    t["polarity"] = None
                    t["error"] = terr
                    summary["target_errors"] += 1
                    note(f"line {n} target {i}", terr)
                else:
                    valid[i] = (int(t["from"]), int(t["to"]))
            for i, (a, b) in valid.items():
                others = tuple(v for j, v in valid.items() if j != i)
                jobs.append((len(out_lines), i))
                X.append((s, a, b, others))
            out_lines.append(rec)
    if X:
        preds = model.predict(X)
        for (li, ti), p in zip(jobs, preds):
            t = out_lines[li]["targets"][ti]
            t["polarity"] = float(p)
            t.pop("error", None)
        summary["targets_predicted"] = len(X)
    with open(out_path, "w", encoding="utf-8") as fh:
        for rec in out_lines:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return summary
