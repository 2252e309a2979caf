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
computes the class scores from array look-ups with numpy alone (no per-target strings or
DataFrame rows, no scikit-learn or scipy import: scoring a corpus in a fresh process no longer
pays scikit-learn's 1.3-1.8 s import); the probabilities are bit-identical to the scikit-learn
design matrix times the coefficients (tested). scikit-learn is imported only by the functions
that fit, cross-validate or evaluate, and by
:meth:`~TargetSentimentClassifier.predict_proba_reference`, which computes the same probabilities
through :func:`target_features` and the sklearn vectorizers (tests compare the two).

The shipped model is JSON (vocabularies, IDF weights, scaler, coefficients, training data SHA-256,
CV scores): :func:`load_target_model` never unpickles anything. :func:`train_target_model`
retrains it with one call.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import math
import operator
import re
from collections.abc import Iterable, Sequence
from itertools import accumulate, chain, compress, count, islice, repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import paths
from analysis.gcpause import gc_paused

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
# scikit-learn's ENGLISH_STOP_WORDS (1.9.1; 318 words), copied so that scoring does not import
# scikit-learn (tests compare the two)
_STOP_TEXT = """
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst amoungst amount an and another any anyhow anyone anything
    anyway anywhere are around as at back be became because become becomes becoming been
    before beforehand behind being below beside besides between beyond bill both bottom but by
    call can cannot cant co con could couldnt cry de describe detail do done down due during
    each eg eight either eleven else elsewhere empty enough etc even ever every everyone
    everything everywhere except few fifteen fifty fill find fire first five for former
    formerly forty found four from front full further get give go had has hasnt have he hence
    her here hereafter hereby herein hereupon hers herself him himself his how however hundred
    i ie if in inc indeed interest into is it its itself keep last latter latterly least less
    ltd made many may me meanwhile might mill mine more moreover most mostly move much must my
    myself name namely neither never nevertheless next nine no nobody none noone nor not
    nothing now nowhere of off often on once one only onto or other others otherwise our ours
    ourselves out over own part per perhaps please put rather re same see seem seemed seeming
    seems serious several she should show side since sincere six sixty so some somehow someone
    something sometime sometimes somewhere still such system take ten than that the their them
    themselves then thence there thereafter thereby therefore therein thereupon these they
    thick thin third this those though three through throughout thru thus to together too top
    toward towards twelve twenty two un under until up upon us very via was we well were what
    whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever
    whether which while whither who whoever whole whom whose why will with within without
    would yet you your yours yourself yourselves
"""
ENGLISH_STOP_WORDS = frozenset(_STOP_TEXT.split())


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


@functools.lru_cache(maxsize=1)
def _lexicon() -> dict[str, float]:
    """VADER's word valences (``analysis.vader_fast`` reads the same file the same way as
    vaderSentiment's analyzer, without building an analyzer; tests compare the two)."""
    from analysis.vader_fast import vader_lexicon

    return vader_lexicon()


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
        stop = ENGLISH_STOP_WORDS
        info.content = [f and w not in stop for w, f in zip(info.words, info.isword)]
    return info.content


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
    with gc_paused():
        return _parts_inner(X, window, extra, use_vader)


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


def _ranges(begin: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated ``arange(begin[i], end[i])`` and, for each element, its ``i``."""
    n = np.maximum(end - begin, 0)
    owner = np.repeat(np.arange(len(begin)), n)
    starts = np.cumsum(n) - n
    idx = np.arange(int(n.sum())) - np.repeat(starts - begin, n)
    return idx, owner


# single-word context prefixes: the feature is the prefix + one lower-cased token
_WORD_PREFIXES = ("l_", "r_", "c_", "L1_", "L2_", "L3_", "R1_", "R2_", "R3_", "rv_", "lv_")
_PAIR_PREFIXES = ("L21_", "R12_")  # prefix + word + "_" + word


def _pair_splits(rest: str) -> list[tuple[str, str]]:
    """Every ``(a, b)`` with ``a + "_" + b == rest`` (tokens may contain underscores)."""
    if rest.count("_") == 1:  # nearly always: one split in C, not a loop over the characters
        a, b = rest.split("_")
        return [(a, b)]
    return [(rest[:i], rest[i + 1 :]) for i, c in enumerate(rest) if c == "_"]


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


class _IntMap:
    """An open-addressing hash table (linear probing) from non-negative int64 keys to int64
    values, built and queried with numpy. Used for the ~50k masked bigrams, queried once per
    token pair of a batch (~1M): ~4x cheaper than ``np.searchsorted`` in the sorted keys,
    whose random probes miss the cache (0.3 s -> under 0.1 s on the pool's mentions)."""

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        keys = np.asarray(keys, dtype=np.int64)
        self.bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
        self.mask = (1 << self.bits) - 1
        self.slot_key = np.full(1 << self.bits, -1, dtype=np.int64)
        self.slot_val = np.full(1 << self.bits, -1, dtype=np.int64)
        pending = np.arange(len(keys))
        at = self._hash(keys)
        values = np.asarray(values, dtype=np.int64)
        while len(pending):  # each round places at most one pending key per free slot
            want = at[pending]
            free = self.slot_key[want] == -1
            cand, where = pending[free], want[free]
            # a slot wanted once takes its key; a contested one its first pending key (the
            # np.unique winner): a bincount instead of sorting every wanted slot (50k bigram
            # keys: 10 -> 6 ms)
            n_want = np.bincount(where, minlength=len(self.slot_key))[where]
            alone = n_want == 1
            slots, first = np.unique(where[~alone], return_index=True)
            winners = np.concatenate([cand[alone], cand[~alone][first]])
            slots = np.concatenate([where[alone], slots])
            self.slot_key[slots] = keys[winners]
            self.slot_val[slots] = values[winners]
            placed = np.zeros(len(keys), dtype=bool)
            placed[winners] = True
            pending = pending[~placed[pending]]
            at[pending] = (at[pending] + 1) & self.mask

    def _hash(self, keys: np.ndarray) -> np.ndarray:
        h = keys.astype(np.uint64) * _GOLDEN  # Fibonacci hashing (wraps modulo 2**64)
        return (h >> np.uint64(64 - self.bits)).astype(np.int64)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key (-1 when absent)."""
        out = np.full(len(keys), -1, dtype=np.int64)
        todo = np.arange(len(keys))
        at = self._hash(keys)
        while len(todo):
            k = self.slot_key[at]
            hit = k == keys[todo]
            out[todo[hit]] = self.slot_val[at[hit]]
            go_on = ~hit & (k != -1)  # occupied by another key: probe the next slot
            todo = todo[go_on]
            at = (at[go_on] + 1) & self.mask
        return out


class _WordTables:
    """Everything the batch featurisation looks up by word, as arrays indexed by a word's row.

    Built once per model: one dict (word -> row; row 0 = any other word) over the model's
    vocabulary words, the VADER lexicon, the stop words and the word lists of this module. Every
    per-token property is then an array look-up by row, so a batch needs one dict look-up per
    token and no string is built per target except the ``bw`` context tokens.
    """

    def __init__(self, vocab: dict[str, dict[str, int]] | dict[str, list[str]]):
        # built with C-level passes (map/zip/dict.fromkeys) where possible: this runs once per
        # model and process, 0.2 s with plain loops, about a third of it this way. ``vocab``:
        # per field term -> column, or a loaded model's sorted term lists (column = position)
        cv = vocab["ctx"]
        if isinstance(cv, list):
            cv = dict(zip(cv, range(len(cv))))
        mv = vocab.get("masked", {})
        lex = _lexicon()
        m_words = list(mv)
        m_ids = list(range(len(mv))) if isinstance(mv, list) else list(mv.values())
        is_bi = list(map(operator.contains, m_words, repeat(" ")))
        uni_w = list(compress(m_words, map(operator.not_, is_bi)))
        uni_j = list(compress(m_ids, map(operator.not_, is_bi)))
        pre: dict[str, tuple[list[str], list[int]]] = {p: ([], []) for p in _WORD_PREFIXES}
        pairs: dict[str, list[tuple[str, str, int]]] = {p: [] for p in _PAIR_PREFIXES}
        c_words = list(cv)
        if all(map(operator.lt, c_words, islice(c_words, 1, None))):
            # sorted (a loaded model: sklearn numbers its vocabulary alphabetically): the tokens
            # of a prefix ("L1_" up to, not including, "L1`") are one slice, cut in C, in the
            # same order as the loop below (24k tokens: ~20 -> ~5 ms)
            c_ids = list(cv.values())
            for p in (*_WORD_PREFIXES, *_PAIR_PREFIXES):
                lo = bisect.bisect_left(c_words, p)
                hi = bisect.bisect_left(c_words, p[:-1] + "`", lo)
                rest = list(map(operator.getitem, c_words[lo:hi], repeat(slice(len(p), None))))
                if p in pre:
                    pre[p] = (rest, c_ids[lo:hi])
                else:
                    pairs[p] = [
                        (a, b, j) for t, j in zip(rest, c_ids[lo:hi]) for a, b in _pair_splits(t)
                    ]
        else:
            for t, j in cv.items():  # every prefix ends at the token's first "_"
                p = t[: t.find("_") + 1]
                if p in pre:
                    pre[p][0].append(t[len(p) :])
                    pre[p][1].append(j)
                elif p in pairs:
                    pairs[p].extend((a, b, j) for a, b in _pair_splits(t[len(p) :]))
        words = dict.fromkeys(
            chain(
                uni_w,
                chain.from_iterable(w for w, _ in pre.values()),
                chain.from_iterable((a, b) for v in pairs.values() for a, b, _ in v),
                lex,
                ENGLISH_STOP_WORDS,
                _BOUNDARY,
                _NEGATORS,
                _REPORTING,
                ("by",),
            )
        )
        rows = dict(zip(words, count(1)))
        self.rows = rows
        k = len(rows) + 1
        self.size = k

        def at(ws: Iterable[str]) -> np.ndarray:
            return np.fromiter(map(rows.__getitem__, ws), dtype=np.int64)

        def table(ws: Iterable[str], values: Any, dtype: Any, fill: Any) -> np.ndarray:
            arr = np.full(k, fill, dtype=dtype)
            arr[at(ws)] = values
            return arr

        self.val = table(lex, list(lex.values()), float, 0.0)
        self.has = table(lex, True, bool, False)
        self.bnd = table(_BOUNDARY, True, bool, False)
        self.neg = table(_NEGATORS, True, bool, False)
        self.rep = table(_REPORTING, True, bool, False)
        self.stop = table(ENGLISH_STOP_WORDS, True, bool, False)
        self.by = rows["by"]
        self.uni = table(uni_w, uni_j, np.int64, -1)
        self.pre = {p: table(w, j, np.int64, -1) for p, (w, j) in pre.items()}
        self.pair = {}
        for p in _PAIR_PREFIXES:
            keys = at(a for a, _, _ in pairs[p]) * k + at(b for _, b, _ in pairs[p])
            vals = np.asarray([j for _, _, j in pairs[p]], dtype=np.int64)
            order = np.argsort(keys, kind="stable")
            self.pair[p] = (keys[order], vals[order])
        # "sw{side}_{sign}_{d}": the nearest in-clause valence word's side, sign and distance
        self.sw = np.full((2, 2, 5), -1, dtype=np.int64)
        for si, side in enumerate("lr"):
            for gi, sign in enumerate(("neg", "pos")):
                for d in range(1, 5):
                    self.sw[si, gi, d] = cv.get(f"sw{side}_{sign}_{d}", -1)
        self.ctx = cv
        # looked up among the unigrams only (no space in "TGT" or a bigram's halves): a dict of
        # 12k words instead of 63k, ~27 -> ~18 ms for the 102k halves
        uni_of = dict(zip(uni_w, uni_j))
        self.tgt = uni_of.get("TGT", -1)
        # masked bigrams keyed by their unigram ids (a bigram kept by min_df has both unigrams)
        self.nu = len(mv) + 1
        bi = list(compress(m_words, is_bi))
        ab = " ".join(bi).split(" ")  # one C call: a bigram is two space-free tokens
        if len(ab) != 2 * len(bi):
            raise ValueError("model file: a masked bigram is not two tokens")
        ida = np.fromiter(map(uni_of.__getitem__, ab[0::2]), dtype=np.int64, count=len(bi))
        idb = np.fromiter(map(uni_of.__getitem__, ab[1::2]), dtype=np.int64, count=len(bi))
        vals = np.fromiter(compress(m_ids, is_bi), dtype=np.int64, count=len(bi))
        self.bigrams = _IntMap(ida * self.nu + idb, vals)

    @staticmethod
    def _find(keys: np.ndarray, vals: np.ndarray, key: np.ndarray, ok: np.ndarray) -> np.ndarray:
        out = np.full(len(key), -1, dtype=np.int64)
        if not ok.any() or not len(keys):
            return out
        q = key[ok]
        pos = np.minimum(np.searchsorted(keys, q), len(keys) - 1)
        hit = keys[pos] == q
        out[np.flatnonzero(ok)[hit]] = vals[pos[hit]]
        return out

    def bigram_ids(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Vocabulary ids of the masked bigrams of unigram ids ``a``, ``b`` (-1 when absent)."""
        out = np.full(len(a), -1, dtype=np.int64)
        ok = np.flatnonzero((a >= 0) & (b >= 0))
        out[ok] = self.bigrams.get(a[ok] * self.nu + b[ok])
        return out

    def pair_ids(self, prefix: str, ra: np.ndarray, rb: np.ndarray) -> np.ndarray:
        """Context ids of ``prefix + a + "_" + b`` for word rows ``ra``, ``rb`` (-1 when absent)."""
        keys, vals = self.pair[prefix]
        return self._find(keys, vals, ra * self.size + rb, (ra > 0) & (rb > 0))


# --------------------------------------------------------------------------- vectorised batch
_W_RE = re.compile(r"\w")
_S_RE = re.compile(r"\s")
_ASCII_W = np.array([bool(_W_RE.match(chr(c))) for c in range(128)])
_ASCII_S = np.array([bool(_S_RE.match(chr(c))) for c in range(128)])
_DECAY_ARR = np.array(_DECAY)
_ASCII_W_CLIP = np.append(_ASCII_W, False)  # index 128: any non-ASCII code point
_ASCII_S_CLIP = np.append(_ASCII_S, False)


def _char_classes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``\\w`` and ``\\s`` membership of every code point, exactly as the ``re`` module decides."""
    # one table look-up per code point, non-ASCII ones clipped to index 128 (False) and set
    # below: 8M pool characters 0.14 s -> 0.07 s against boolean-mask gather and scatter
    clipped = np.minimum(codes, 128)
    W = _ASCII_W_CLIP[clipped]
    S = _ASCII_S_CLIP[clipped]
    na = np.flatnonzero(codes >= 128)
    if len(na):
        u, inv = np.unique(codes[na], return_inverse=True)
        W[na] = np.array([bool(_W_RE.match(chr(c))) for c in u.tolist()])[inv]
        S[na] = np.array([bool(_S_RE.match(chr(c))) for c in u.tolist()])[inv]
    return W, S


_BYTE_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)  # k low bytes


def _eight_bytes(pad: np.ndarray) -> np.ndarray:
    """``out[i]``: the bytes ``pad[i:i + 8]`` as one little-endian uint64, for every ``i`` with
    eight bytes left: a strided view, no copy (the same values as OR-ing eight shifted byte
    columns, which took eight passes). Used here and by :mod:`analysis.actors`."""
    pad = np.ascontiguousarray(pad, dtype=np.uint8)
    return np.ndarray(shape=(max(len(pad) - 7, 0),), dtype="<u8", buffer=pad, strides=(1,))


_HIGH_BITS = np.uint64(0x8080808080808080)  # the top bit of each of eight bytes


def _token_rows(
    low: str,
    codes: np.ndarray,
    tstart: np.ndarray,
    tend: np.ndarray,
    in_odd: np.ndarray,
    rows: dict[str, int],
) -> np.ndarray:
    """``rows.get(token, 0)`` of every token ``low[tstart[i]:tend[i]]`` (lower-cased where
    ``in_odd``), with a Python string and a dict look-up per DISTINCT short token only.

    Why: building the ~1.1M token strings of the pool's mention sentences and looking each up
    cost ~0.4 s (``str.split`` 0.2 s, ``dict.get`` 0.15-0.3 s). An ASCII token of at most eight
    characters (~90% of tokens) is instead packed exactly into one uint64 (its bytes, zero
    padded: no two distinct tokens share a key, as no token but "\\x00" itself contains NUL),
    the keys are grouped with one numpy sort, and only the ~40k distinct ones become strings.
    Longer or non-ASCII tokens are sliced and looked up one by one.

    The distinct keys come from ``np.sort`` and a comparison of neighbours (pool: 0.01 s where
    ``np.unique`` took 0.15 s for these 1.1M keys with 19k distinct values), each key's place
    among them from an :class:`_IntMap` (0.05 s against 0.10 s for ``np.searchsorted``), and a
    non-ASCII character shows as a 0x80 byte in the key (code points are clipped to 128 when
    the bytes are written) instead of a prefix sum over every character.
    """
    n_tok = len(tstart)
    out = np.zeros(n_tok, dtype=np.int64)
    if not n_tok:
        return out
    length = tend - tstart
    short = (length <= 8) & ~in_odd
    si = np.flatnonzero(short)
    if len(si):
        b8 = np.zeros(len(codes) + 8, dtype=np.uint8)
        np.minimum(codes, 128, out=b8[: len(codes)], casting="unsafe")  # ASCII as it is
        at8 = _eight_bytes(b8)
        keys = at8[tstart[si]] & _BYTE_MASKS[length[si]]
        ascii_tok = (keys & _HIGH_BITS) == 0
        short[si[~ascii_tok]] = False  # a non-ASCII character: sliced below
        si, keys = si[ascii_tok], keys[ascii_tok]
    if len(si):
        ordered = np.sort(keys)
        first = np.empty(len(ordered), dtype=bool)
        first[:1] = True
        np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
        uniq = ordered[first]
        texts = [b.decode("ascii") for b in np.frombuffer(uniq.tobytes(), dtype="S8").tolist()]
        if uniq[0] == 0:  # the one-character token "\x00" (S8 drops trailing NUL bytes)
            texts[0] = "\x00"
        got = np.fromiter(map(rows.get, texts, repeat(0)), dtype=np.int64, count=len(texts))
        # ASCII keys have every byte below 0x80: non-negative as int64, as _IntMap needs
        place = _IntMap(uniq.view(np.int64), np.arange(len(uniq))).get(keys.view(np.int64))
        out[si] = got[place]
    li = np.flatnonzero(~short)
    if len(li):
        toks = list(map(low.__getitem__, map(slice, tstart[li].tolist(), tend[li].tolist())))
        for j in np.flatnonzero(in_odd[li]).tolist():
            toks[j] = toks[j].lower()
        out[li] = np.fromiter(map(rows.get, toks, repeat(0)), dtype=np.int64, count=len(li))
    return out


def _quoted_tokens(tc: np.ndarray, s_lo: np.ndarray) -> np.ndarray:
    """:func:`_quoted_mask` of every sentence at once, from the first code point ``tc`` of
    each token and the sentences' first tokens ``s_lo``: “ sets "inside", ” clears it and a
    straight quote toggles it, so a token is inside when the last curly mark up to it (or the
    sentence start, "outside") set it, XOR an odd number of straight quotes since then."""
    n_tok = len(tc)
    opens = tc == 0x201C
    curly = opens | (tc == 0x201D)
    straight = (tc == 34).astype(np.int64)
    if not (curly.any() or straight.any()):
        return np.zeros(n_tok, dtype=bool)
    reset = curly.copy()
    reset[s_lo[s_lo < n_tok]] = True
    pos = np.arange(n_tok)
    last = np.maximum.accumulate(np.where(reset, pos, 0))
    cs = np.cumsum(straight)
    since = cs - (cs[last] - straight[last])  # straight quotes in last..p (none if last is curly)
    return opens[last] ^ (since % 2 == 1)


def _batch_inputs(
    X: Any,
    window: int,
    extra: Iterable[str],
    use_vader: bool | str,
    tables: _WordTables,
    sentence_compound: Any = None,
):
    """Sparse entries and dense features of a batch of targets, computed on arrays.

    Returns ``(masked_rows, masked_cols, ctx_rows, ctx_cols, dense)``: one (row, vocabulary id)
    per token occurrence of the :func:`target_features` text fields (-1 = not in the model's
    vocabulary) and the dense matrix, or ``None`` for an empty batch. The same features as
    :func:`target_features` (tests compare the probabilities with the reference path and the
    pieces with :func:`_parts`): the distinct sentences are tokenised together (token offsets
    from numpy character classes that reproduce ``_TOKEN_RE``) and every per-token property is
    an array look-up by word row (:class:`_WordTables`).
    """
    extra = frozenset(extra)
    sentences, starts, ends = _as_columns(X)
    n = len(sentences)
    if n == 0:
        return None
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
    low = joined.lower()
    odd: list[int] = []
    if len(low) != len(joined):  # lowercasing moved offsets (e.g. "İ") in some sentence:
        lowered = [u.lower() for u in uniq]  # tokenise that one as is, lowercase its tokens
        odd = [k for k, (u, w) in enumerate(zip(uniq, lowered)) if len(u) != len(w)]
        for k in odd:
            lowered[k] = uniq[k]
        low = "\n".join(lowered)
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
    n_tok = len(tstart)
    tok_isword = WJ[tstart]
    in_odd = np.zeros(n_tok, dtype=bool)  # tokens of sentences tokenised before lowercasing
    for k in odd:
        a, b = np.searchsorted(tstart, [base[k], base[k] + lens[k]]).tolist()
        in_odd[a:b] = True

    def token(i: int) -> str:
        t = low[tstart[i] : tend[i]]
        return t.lower() if in_odd[i] else t

    # every token's row in the model's word tables (0 = any other word)
    wv = _token_rows(low, codes, tstart, tend, in_odd, tables.rows)
    if n_tok == 0:  # only whitespace: keep indexing valid
        wv = np.zeros(1, dtype=np.int64)
        tok_isword = np.zeros(1, dtype=bool)

    # sentences' token ranges, targets' geometry (global token positions)
    s_lo = np.searchsorted(tstart, base)
    s_hi = np.searchsorted(tstart, base + lens)
    slo, shi = s_lo[sent_of], s_hi[sent_of]
    a_start = base[sent_of] + starts
    a_end = base[sent_of] + ends
    t0 = np.searchsorted(tend, a_start, side="right")
    t1 = np.maximum(t0, np.searchsorted(tstart, a_end, side="left"))
    B = np.flatnonzero(tables.bnd[wv[:n_tok]])
    k = np.searchsorted(B, t0)
    prevb = B[np.maximum(k - 1, 0)] if len(B) else np.zeros(n, dtype=np.int64)
    c0 = np.where((k > 0) & (prevb >= slo), prevb + 1, slo)
    k = np.searchsorted(B, t1)
    nextb = B[np.minimum(k, len(B) - 1)] if len(B) else np.zeros(n, dtype=np.int64)
    c1 = np.where((k < len(B)) & (nextb < shi), nextb, shi)
    lo = np.maximum(slo, t0 - window)
    hi = np.minimum(shi, t1 + window)

    # special context tokens (order within a row does not matter: entries are counted)
    spec_r: list[np.ndarray] = []
    spec_c: list[np.ndarray] = []

    def add(rows: np.ndarray, ids: np.ndarray) -> None:
        spec_r.append(rows)
        spec_c.append(ids)

    pre = tables.pre
    for j, p in ((1, "L1_"), (2, "L2_"), (3, "L3_")):
        r = np.flatnonzero(t0 - j >= slo)
        add(r, pre[p][wv[t0[r] - j]])
    for j, p in ((0, "R1_"), (1, "R2_"), (2, "R3_")):
        r = np.flatnonzero(t1 + j < shi)
        add(r, pre[p][wv[t1[r] + j]])
    r = np.flatnonzero(t0 - 2 >= slo)
    add(r, tables.pair_ids("L21_", wv[t0[r] - 2], wv[t0[r] - 1]))
    r = np.flatnonzero(t1 + 1 < shi)
    add(r, tables.pair_ids("R12_", wv[t1[r]], wv[t1[r] + 1]))
    if "verb" in extra:
        CP = np.flatnonzero(tok_isword[:n_tok] & ~tables.stop[wv[:n_tok]])
        if len(CP):
            k = np.searchsorted(CP, t1)
            cand = CP[np.minimum(k, len(CP) - 1)]
            r = np.flatnonzero((k < len(CP)) & (cand < c1))
            add(r, pre["rv_"][wv[cand[r]]])
            k = np.searchsorted(CP, t0) - 1
            cand = CP[np.maximum(k, 0)]
            r = np.flatnonzero((k >= 0) & (cand >= c0))
            add(r, pre["lv_"][wv[cand[r]]])

    # lexicon valences with the negator flip (negators up to three tokens before, same sentence)
    SP = np.flatnonzero(tables.has[wv[:n_tok]])
    SV = tables.val[wv[SP]]
    NP = np.flatnonzero(tables.neg[wv[:n_tok]])
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
        # the nearest in-clause valence word either side: its sign and distance ("swl_neg_2",
        # array look-up) and the words between it and the target ("bwl_neg_was", a string)
        k = np.searchsorted(SP, t0) - 1
        cand = SP[np.maximum(k, 0)]
        rl = np.flatnonzero((k >= 0) & (cand >= c0) & (cand < t0))
        k2 = np.searchsorted(SP, t1)
        cand2 = SP[np.minimum(k2, len(SP) - 1)]
        rr = np.flatnonzero((k2 < len(SP)) & (cand2 < c1) & (cand2 >= t1))
        strs: list[str] = []
        srow: list[int] = []
        for si, side, rows, cands, ks in ((0, "l", rl, cand, k), (1, "r", rr, cand2, k2)):
            ii = cands[rows]
            positive = SV[ks[rows]] > 0
            dd = t0[rows] - ii if side == "l" else ii - t1[rows] + 1
            add(rows, tables.sw[si, positive.astype(np.int64), np.minimum(dd, 4)])
            b_lo, b_hi = (ii + 1, t0[rows]) if side == "l" else (t1[rows], ii)
            short = np.flatnonzero(b_hi - b_lo <= 4)
            for r, ps, x, y in zip(
                rows[short].tolist(),
                positive[short].tolist(),
                b_lo[short].tolist(),
                b_hi[short].tolist(),
            ):
                between = "_".join(map(token, range(x, y)))
                strs.append(f"bw{side}_{'pos' if ps else 'neg'}_" + between)
                srow.append(r)
        add(
            np.asarray(srow, dtype=np.int64),
            np.fromiter(map(tables.ctx.get, strs, repeat(-1)), np.int64, count=len(strs)),
        )
    # negation near the target (four tokens either side, same sentence)
    if len(NP):
        nl = np.searchsorted(NP, t0) - np.searchsorted(NP, np.maximum(t0 - 4, slo))
        nr = np.searchsorted(NP, np.minimum(t1 + 4, shi)) - np.searchsorted(NP, t1)
        dense[:, 8] = ((nl + nr) > 0).astype(float)
    # quotation marks (one-character tokens), all sentences at once
    quoted = np.zeros(n_tok + 1, dtype=bool)
    quoted[:n_tok] = _quoted_tokens(codes[tstart], s_lo)
    cq = np.concatenate([[0], np.cumsum(quoted[:n_tok])])
    any_q = cq[s_hi] - cq[s_lo] > 0
    span_q = cq[t1] - cq[t0] > 0
    point_q = (t0 < shi) & quoted[np.minimum(t0, n_tok)]
    dense[:, 9] = np.where(t1 > t0, span_q, point_q)
    n1 = np.minimum(t1, max(n_tok - 1, 0))
    n2 = np.minimum(t1 + 1, max(n_tok - 1, 0))
    dense[:, 10] = ((t1 < shi) & tables.rep[wv[n1]]) | ((t1 + 1 < shi) & tables.rep[wv[n2]])
    p1 = np.maximum(t0 - 1, 0)
    dense[:, 11] = (t0 - 1 >= slo) & (wv[p1] == tables.by)
    dense[:, 12] = t0 == slo
    n_coll = (shi - slo) - (t1 - t0) + 1
    dense[:, 13] = (t0 - slo) / np.maximum(n_coll - 1, 1)
    dense[:, 14] = [joined[e : e + 2] in ("'s", "’s") for e in a_end.tolist()]
    dense[:, 15] = t0 == c0
    dense[:, 16] = any_q[sent_of]
    if use_vader and sentence_compound is not None:  # given by the caller, one per target
        comp = np.asarray(sentence_compound, dtype=float)
        if comp.shape != (n,):
            raise ValueError(f"sentence_compound has shape {comp.shape}; expected ({n},)")
        dense[:, _N_LEX_DENSE] = comp
    elif use_vader:
        dense[:, _N_LEX_DENSE] = vader_compound(uniq)[sent_of]
    if use_vader and use_vader != "sentence":  # clause and window compounds as well: their
        P = _parts(X, window, extra, use_vader)  # texts come from the per-sentence path
        dense[:, _N_LEX_DENSE + 1 :] = P.dense[:, _N_LEX_DENSE + 1 :]

    # context block: special tokens + l_/r_ window words + c_ clause words
    parts_c, parts_r = list(spec_c), list(spec_r)
    for p, b, e in (("l_", lo, t0), ("r_", t1, hi), ("c_", c0, t0), ("c_", t1, c1)):
        idx, owner = _ranges(b, e)
        parts_c.append(pre[p][wv[idx]])
        parts_r.append(owner)
    ctx = (np.concatenate(parts_r), np.concatenate(parts_c))
    # sentence n-gram block: word tokens only, the target's words replaced by TGT
    isw = tok_isword[:n_tok]
    cumw = np.zeros(n_tok + 1, dtype=np.int64)
    np.cumsum(isw, out=cumw[1:])
    uid = tables.uni[wv[:n_tok][isw]]  # unigram id of every word token, all sentences
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
    masked = (np.concatenate(parts_r), np.concatenate(parts_c))
    return masked, ctx, dense


def _tfidf_entries(
    rows: np.ndarray, cols: np.ndarray, n_rows: int, idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(row, col, value)`` of the L2-normalised sublinear TF-IDF rows of token occurrences
    ``(rows, cols)`` (col -1 = not in the vocabulary): the nonzeros of scikit-learn's
    ``TfidfVectorizer(sublinear_tf=True)`` output, ordered by column within each row.

    The arithmetic is scikit-learn's, operation for operation (``log(tf) + 1``, times idf, each
    row divided by the square root of its sum of squares accumulated in column order), so the
    values are bit-identical. Ordered by (col, row) with one ``np.sort`` of int64 keys: numpy's
    SIMD sort takes ~0.07 s for the pool's ~4M occurrences where an ``argsort`` takes ~0.5 s
    and scipy's COO -> CSR -> sorted/summed indices ~0.6 s.
    """
    keep = cols >= 0
    key = np.sort(cols[keep] * n_rows + rows[keep])
    if not len(key):
        e = np.zeros(0, dtype=np.int64)
        return e, e, np.zeros(0)
    first = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    tf = np.diff(np.append(first, len(key))).astype(float)
    uk = key[first]
    col = uk // n_rows
    row = uk - col * n_rows
    val = np.log(tf)
    val += 1.0
    val *= idf[col]
    norm = np.sqrt(np.bincount(row, weights=val * val, minlength=n_rows))
    val /= norm[row]
    return row, col, val


class TargetSentimentClassifier:
    """Logistic regression over target-relative features (see the module docstring).

    ``X`` is a DataFrame with ``sentence, start, end`` (optionally ``other_spans``, ignored) or a
    sequence of ``(sentence, start, end[, other_spans])`` tuples; ``y`` holds NewsMTSC polarities
    (2.0, 4.0, 6.0) or any other labels. ``class_bias`` is added to the class scores before the
    arg-max and the softmax (per class, in ``classes_`` order; chosen by inner grouped CV).

    Fitting and the reference path use scikit-learn (imported inside those methods); a fitted or
    loaded model predicts with numpy alone (:meth:`predict_proba`), so scoring never imports
    scikit-learn or scipy.stats (1.3-1.8 s of start-up per process, measured in issue #7).
    Fitted state: ``vocab_`` and ``idf_`` (per text field), ``dense_mean_``, ``dense_scale_``,
    ``coef_``, ``intercept_``, ``classes_``; ``vectorizers_`` (scikit-learn ``TfidfVectorizer``
    objects) is built from ``vocab_``/``idf_`` on first use when the model was loaded from JSON.
    """

    _PARAM_NAMES = (
        "C",
        "class_bias",
        "class_weight",
        "dense_weight",
        "extra",
        "sentence_weight",
        "use_sentence",
        "use_vader",
        "window",
    )  # sorted, as scikit-learn's get_params lists them (the JSON "params" key order)

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

    # -- scikit-learn style parameters (no scikit-learn base class: see the class docstring)
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self._PARAM_NAMES}

    def set_params(self, **params: Any) -> TargetSentimentClassifier:
        for k, v in params.items():
            if k not in self._PARAM_NAMES:
                raise ValueError(f"invalid parameter {k!r} for {type(self).__name__}")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        defaults = type(self)().get_params()
        changed = {k: v for k, v in self.get_params().items() if defaults.get(k) != v}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    # -- fitted vocabularies: plain dicts/arrays; scikit-learn vectorizers only on demand
    @property
    def vocab_(self) -> dict[str, dict[str, int]]:
        """Per text field, term -> column. A model loaded from JSON keeps the file's sorted term
        lists and builds these dicts on first use: scoring reads the lists (the 63k-term
        "masked" dict took ~15 ms of a fresh process's start-up and is not needed there)."""
        vocab = self.__dict__.get("_vocab")
        if vocab is None:
            lists = self.__dict__.get("_vocab_lists")
            if lists is None:
                raise AttributeError("vocab_: the model is not fitted")
            # dict(zip(words, range)): {w: i for i, w in enumerate(words)}, built in C
            vocab = {f: dict(zip(w, range(len(w)))) for f, w in lists.items()}
            self.__dict__["_vocab"] = vocab
        return vocab

    @vocab_.setter
    def vocab_(self, vocab: dict[str, dict[str, int]]) -> None:
        self.__dict__["_vocab"] = vocab
        self.__dict__.pop("_vocab_lists", None)

    @property
    def vectorizers_(self) -> dict[str, Any]:
        vecs = self.__dict__.get("_vectorizers")
        if vecs is None:
            if "_vocab" not in self.__dict__ and "_vocab_lists" not in self.__dict__:
                raise AttributeError("vectorizers_: the model is not fitted")
            from sklearn.feature_extraction.text import TfidfVectorizer

            vecs = {}
            for f, vocab in self.vocab_.items():
                vec = TfidfVectorizer(**_VECTORIZERS[f], dtype=np.float64, vocabulary=vocab)
                vec.idf_ = self.idf_[f]
                vec._validate_vocabulary()
                vecs[f] = vec
            self.__dict__["_vectorizers"] = vecs
        return vecs

    @vectorizers_.setter
    def vectorizers_(self, vecs: dict[str, Any]) -> None:
        self.__dict__["_vectorizers"] = vecs

    # -- design matrix
    def _fields(self) -> list[str]:
        return [f for f in _VECTORIZERS if self.use_sentence or f != "masked"]

    def _dense_z(self, dense: np.ndarray) -> np.ndarray:
        return (dense - self.dense_mean_) / self.dense_scale_ * self.dense_weight

    def _matrix(self, feats: pd.DataFrame, fit: bool):
        """Design matrix of a :func:`target_features` frame through the sklearn vectorizers."""
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import TfidfVectorizer

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
        blocks.append(sp.csr_matrix(self._dense_z(dense)))
        return sp.hstack(blocks, format="csr")

    def _features(self, X: Any) -> pd.DataFrame:
        return target_features(X, window=self.window, extra=self.extra, use_vader=self.use_vader)

    def _word_tables(self) -> _WordTables:
        vocab = self.__dict__.get("_vocab_lists") or self.vocab_  # the loaded lists, if any
        cached = self.__dict__.get("_tables")
        if cached is None or cached[0] is not vocab:
            cached = (vocab, _WordTables(vocab))
            self.__dict__["_tables"] = cached
        return cached[1]

    def _fast_entries(
        self, X: Any, sentence_compound: Any = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int] | None:
        """The nonzeros ``(row, column, value)`` of the design matrix of ``X`` (the same matrix as
        ``_matrix(target_features(X))``), row by row in column order, and the number of rows;
        ``None`` for an empty batch. Computed with numpy only."""
        with gc_paused():
            got = _batch_inputs(
                X, self.window, self.extra, self.use_vader, self._word_tables(), sentence_compound
            )
        if got is None:
            return None
        masked, ctx, dense = got
        unknown = [f for f in self._fields() if f not in ("masked", "ctx")]
        if unknown:  # a subclass with extra text fields: only the reference path knows them
            raise NotImplementedError(f"no fast featurisation for fields {unknown}")
        n = len(dense)
        rows, cols, vals = [], [], []
        off = 0
        for f in self._fields():
            r, c, v = _tfidf_entries(*(masked if f == "masked" else ctx), n, self.idf_[f])
            if f == "masked" and self.sentence_weight != 1.0:
                v = v * self.sentence_weight
            rows.append(r)
            cols.append(c + off)
            vals.append(v)
            off += len(self.idf_[f])
        z = self._dense_z(dense).ravel()
        nz = np.flatnonzero(z)  # scipy's csr_matrix(z) keeps the nonzeros, row-major
        rows.append(nz // dense.shape[1])
        cols.append(nz % dense.shape[1] + off)
        vals.append(z[nz])
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), n

    def _sparse_design(self, X: Any):
        """The design matrix of ``X`` as scipy CSR built from :meth:`_fast_entries` (for tests
        and comparisons; scoring does not use it)."""
        import scipy.sparse as sp

        width = sum(len(self.idf_[f]) for f in self._fields()) + len(DENSE_NAMES)
        got = self._fast_entries(X)
        if got is None:
            return sp.csr_matrix((0, width))
        r, c, v, n = got
        return sp.csr_matrix((v, (r, c)), shape=(n, width))

    def fit(self, X: Any, y: Sequence, sample_weight: Any = None) -> TargetSentimentClassifier:
        return self.fit_features(self._features(X), y, sample_weight=sample_weight)

    def fit_features(
        self, feats: pd.DataFrame, y: Sequence, sample_weight: Any = None
    ) -> TargetSentimentClassifier:
        """Fit on a :func:`target_features` frame (lets CV compute the features once)."""
        from sklearn.linear_model import LogisticRegression

        M = self._matrix(feats, fit=True)
        lr = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=2000)
        lr.fit(M, np.asarray(y), sample_weight=sample_weight)
        self.classes_ = lr.classes_
        self.coef_ = lr.coef_
        self.intercept_ = lr.intercept_
        self.vocab_ = {f: dict(v.vocabulary_) for f, v in self.vectorizers_.items()}
        self.idf_ = {f: v.idf_ for f, v in self.vectorizers_.items()}
        return self

    def _bias(self) -> np.ndarray:
        if self.class_bias is None:
            return np.zeros(len(self.classes_))
        return np.asarray(self.class_bias, dtype=float)

    def _scores_of(self, M) -> np.ndarray:
        return np.asarray(M @ self.coef_.T + self.intercept_) + self._bias()

    def decision_function(self, X: Any, sentence_compound: Any = None) -> np.ndarray:
        """Class scores, numpy only: ``M @ coef_.T + intercept_ (+ class_bias)`` accumulated
        from the nonzeros of each row in column order, one ``np.bincount`` per class. That is the
        order and the arithmetic of scipy's CSR product, so the scores are bit-identical to
        ``_sparse_design(X) @ coef_.T + intercept_`` (tested), without scipy."""
        k = len(self.classes_)
        got = self._fast_entries(X, sentence_compound)
        if got is None:
            return np.zeros((0, k)) + self.intercept_ + self._bias()
        r, c, v, n = got
        acc = np.empty((n, k))
        for j in range(k):
            acc[:, j] = np.bincount(r, weights=v * self.coef_[j, c], minlength=n)
        return (acc + self.intercept_) + self._bias()

    def decision_features(self, feats: pd.DataFrame) -> np.ndarray:
        """Class scores for a :func:`target_features` frame (reference path, used by CV)."""
        return self._scores_of(self._matrix(feats, fit=False))

    @staticmethod
    def _softmax(z: np.ndarray) -> np.ndarray:
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict_proba(self, X: Any, sentence_compound: Any = None) -> np.ndarray:
        """Class probabilities (columns in ``classes_`` order). ``sentence_compound``: the VADER
        compound of each target's sentence when the caller has it already (the pipeline's
        sentiment stage scores every sentence; values must be ``vader_polarity``'s, e.g.
        ``vader_compound`` of the sentence table); by default it is computed here."""
        return self._softmax(self.decision_function(X, sentence_compound))

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
        for f, vocab in self.vocab_.items():
            words = sorted(vocab, key=vocab.get)
            vecs[f] = {"vocabulary": words, "idf": [round(float(v), 8) for v in self.idf_[f]]}
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
            "coef": [[round(float(v), 8) for v in row] for row in self.coef_],
            "intercept": [float(v) for v in self.intercept_],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TargetSentimentClassifier:
        """Rebuild a fitted classifier from :meth:`to_dict` output (numpy only)."""
        if list(d["dense_names"]) != list(DENSE_NAMES):
            raise ValueError("model file was written for a different feature set")
        params = dict(d["params"])
        params["extra"] = tuple(params.get("extra", ()))
        if params.get("class_bias") is not None:
            params["class_bias"] = tuple(params["class_bias"])
        m = cls(**params)
        lists = {f: list(v["vocabulary"]) for f, v in d["vectorizers"].items()}
        if all(all(map(operator.lt, w, islice(w, 1, None))) for w in lists.values()):
            m.__dict__["_vocab_lists"] = lists  # sorted, no duplicates: vocab_ built on demand
        else:
            m.vocab_ = {f: dict(zip(w, range(len(w)))) for f, w in lists.items()}
        m.idf_ = {f: np.asarray(v["idf"], dtype=float) for f, v in d["vectorizers"].items()}
        m.dense_mean_ = np.asarray(d["dense_mean"], dtype=float)
        m.dense_scale_ = np.asarray(d["dense_scale"], dtype=float)
        m.classes_ = np.asarray(d["classes"], dtype=float)
        m.coef_ = np.asarray(d["coef"], dtype=float)
        m.intercept_ = np.asarray(d["intercept"], dtype=float)
        return m


# --------------------------------------------------------------------------- model file
# Reading the 5 MB model: json.loads spends ~100 of its ~150 ms on the 349k numbers of "coef"
# (261k) and the two "idf" lists (87k): one Python float and one substring object each. Those
# lists are cut out of the raw bytes and parsed by _json_floats with numpy; the rest
# (vocabularies, metadata) goes through json.loads as before.
_JSON_NUMBER = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[48:58] = True
_POW10 = np.array([float(10**i) for i in range(23)])  # all exact doubles (5**22 < 2**53)


def _json_floats(buf: bytes) -> np.ndarray | None:
    """The numbers of a comma-separated list of JSON numbers (``buf`` without the brackets),
    each bit-identical to Python's ``float()`` of its text (what ``json.loads`` returns), or
    ``None`` when ``buf`` is not such a list (or one this parser does not take).

    A number ``-?D+(.D+)?`` of at most 15 bytes is ``m / 10**q`` (``m`` its digits as an
    integer, ``q`` the digits after the point), with ``m < 2**53`` and ``10**q`` exact doubles:
    one IEEE division, correctly rounded, gives the double nearest the decimal value, which is
    what the correctly rounded ``float()`` returns (Clinger's fast path). The digits are read
    by ``np.fromstring`` as int64 with the points deleted (exact integer parsing); the JSON
    grammar is checked at the byte positions of the signs and points. Numbers with an exponent
    or more bytes are checked by a regular expression and given to ``float()``. Every number of
    the shipped model is tested against ``float()``.
    """
    a = np.frombuffer(buf, dtype=np.uint8)
    if not len(a):
        return np.zeros(0)
    ends = np.append(np.flatnonzero(a == 44), len(a))
    starts = np.concatenate(([0], ends[:-1] + 1))
    lens = ends - starts
    if lens.min() < 1:
        return None
    slow = lens > 15
    other = buf.translate(None, b"0123456789,.-")
    if other:  # exponents ("e", "E", "+"), or not a list of numbers
        if other.strip(b"eE+"):
            return None
        slow[np.searchsorted(ends, np.flatnonzero((a > 57) | (a == 43)))] = True
    if slow.any():  # "0" and spaces over those numbers, keeping every offset
        a = a.copy()
        a[_ranges(starts[slow], ends[slow])[0]] = 32
        a[starts[slow]] = 48
    # the others: -?(0|[1-9]D*)(.D+)?
    neg = a[starts] == 45
    dots = np.flatnonzero(a == 46)
    if len(dots) == len(ends) and np.all(dots > starts) and np.all(dots < ends):
        of_dot = np.arange(len(ends))  # one point per number (as in the shipped model)
    else:
        of_dot = np.searchsorted(ends, dots)
        if np.any(np.diff(of_dot) <= 0):
            return None
    plain = a.tobytes()
    first = starts + neg
    last = len(a) - 1
    nxt = np.minimum(first + 1, last)
    if not (
        int(np.count_nonzero(neg)) == plain.count(b"-")  # "-" only first
        and bool(np.all(dots > first[of_dot]) and np.all(dots + 1 < ends[of_dot]))
        and bool(_DIGIT[a[dots - 1]].all() and _DIGIT[a[dots + 1]].all())
        and bool(np.all(first < ends) and _DIGIT[a[np.minimum(first, last)]].all())
        and not np.any((a[np.minimum(first, last)] == 48) & _DIGIT[a[nxt]] & (nxt < ends))
    ):
        return None
    try:
        digits = np.fromstring(plain.translate(None, b"."), dtype=np.int64, sep=",")
    except ValueError:  # not reached after the checks above; refused all the same
        return None
    if len(digits) != len(ends):
        return None
    q = np.zeros(len(ends), dtype=np.int64)
    q[of_dot] = ends[of_dot] - dots - 1
    val = np.abs(digits).astype(np.float64) / _POW10[q]  # digits < 10**15 < 2**53: exact
    val = np.where(neg, -val, val)
    for r in np.flatnonzero(slow).tolist():
        text = buf[starts[r] : ends[r]]
        if not _JSON_NUMBER.fullmatch(text):
            return None
        val[r] = float(text)
    return val


def _model_doc(raw: bytes) -> dict[str, Any] | None:
    """``json.loads`` of a model file's UTF-8 bytes with every ``"coef"`` and ``"idf"`` list of
    numbers parsed by :func:`_json_floats` (as float64 arrays: what ``from_dict`` makes of the
    lists). ``None`` when the file is not laid out as :func:`train_target_model` writes it
    (compact JSON; those lists exactly at ``model.coef`` and ``model.vectorizers.*.idf``)."""
    spans = []
    for key in (b'"coef":[', b'"idf":['):
        at = raw.find(key)
        while at >= 0:
            spans.append(at + len(key) - 1)  # the list's "["
            at = raw.find(key, at + 1)
    out, arrays, pos = [], [], 0
    for b in sorted(spans):
        if b < pos:
            return None
        nested = raw[b + 1 : b + 2] == b"["
        close = b"]]" if nested else b"]"
        e = raw.find(close, b)
        if e < 0:
            return None
        body = raw[b + 1 + nested : e]
        vals = [_json_floats(r) for r in (body.split(b"],[") if nested else [body])]
        if any(v is None for v in vals) or len({len(v) for v in vals}) > 1:
            return None
        arrays.append(np.stack(vals) if nested else vals[0])
        out += [raw[pos:b], b"%d" % -len(arrays)]  # placeholder -k for the k-th list
        pos = e + len(close)
    out.append(raw[pos:])
    doc = json.loads(b"".join(out).decode("utf-8"))
    model = doc.get("model") if isinstance(doc, dict) else None
    if not isinstance(model, dict) or not isinstance(model.get("vectorizers"), dict):
        return None
    holders = [model, *model["vectorizers"].values()]
    keys = ["coef"] + ["idf"] * (len(holders) - 1)
    if not all(isinstance(h, dict) for h in holders):
        return None
    got = [h.get(k) for h, k in zip(holders, keys)]
    if sorted(x for x in got if type(x) is int) != list(range(-len(arrays), 0)) or len(got) != len(
        arrays
    ):
        return None
    for h, k in zip(holders, keys):
        h[k] = arrays[-h[k] - 1]
    return doc


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
    from sklearn.metrics import accuracy_score, f1_score

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
    raw = Path(path).read_bytes()
    doc = _model_doc(raw)  # 160 -> ~70 ms for the shipped model
    if doc is None:  # not the layout train_target_model writes: plain json.loads
        doc = json.loads(raw.decode("utf-8"))
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
