"""Target-dependent sentiment: how a sentence speaks about one named mention in it.

A sentence can be negative about one actor and neutral about another ("Critics accused Amazon of
selling Rekognition to police, IBM said"). Whole-sentence VADER cannot tell the two apart, so this
module ships a small, transparent, linear classifier trained on NewsMTSC (Hamborg & Donnay, EACL
2021; ``VALIDATION_DIR / "newsmtsc"``, train.jsonl only) and evaluated on its multi-target set
``devtest_mt.jsonl``.

Inputs are ``(sentence, start, end)`` triples: ``start`` is the 0-indexed first character of the
mention and ``end`` the exclusive end (checked on every NewsMTSC target: ``sentence[from:to] ==
mention`` for all 10,215 targets of train and devtest_mt). A DataFrame with columns ``sentence``,
``start``, ``end`` and optionally ``other_spans`` (list of ``(start, end)`` of the other mentions in
the sentence, replaced by ``OTHER`` only when ``mask_others=True``) works as well. The shipped
model does not mask them: NewsMTSC train sentences mostly have one annotated target with the other
people left unmasked, and masking lowered grouped-CV macro-F1 on multi-target train sentences
(0.638 vs 0.651; ``benchmarks/RESULTS_target.md``).

Features (all computed relative to the target, which is masked as ``TGT`` so that the model cannot
learn "Trump is negative"):

* word 1-2-grams of the masked sentence (TF-IDF);
* side- and distance-tagged context words: ``L1_said``, ``R1_said``, ``l_criticized``,
  ``r_praised`` within a window of the target and within the target's clause;
* character 2-5-grams of the window around the target;
* VADER valences of the words around the target, weighted by distance, split by side and by
  whether they are in the same clause; VADER compound of the whole sentence, the clause and the
  window; negation near the target; whether the target is inside quotation marks or is the
  subject of a reporting verb ("X said").

The classifier is a multinomial logistic regression (scikit-learn) with balanced class weights.
Deep models were ruled out by the project (no model downloads, 2 shared cores). Model selection
used article-grouped 5-fold cross-validation inside train.jsonl only; devtest_mt is reported once
(``benchmarks/RESULTS_target.md``).

The shipped model is JSON (vocabularies, IDF weights, scaler, coefficients, training data SHA-256,
CV scores): :func:`load_target_model` never unpickles anything. :func:`train_target_model`
retrains it with one call.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

from analysis import paths

POLARITY_LABELS = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}
POLARITY_SCORE = {2.0: -1.0, 4.0: 0.0, 6.0: 1.0}
MODEL_FILE = "target_sentiment.json"
MODEL_FORMAT = "target_sentiment/1"

_TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
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
def _as_frame(X: Any) -> pd.DataFrame:
    """Normalise model input to a DataFrame with ``sentence, start, end, other_spans``."""
    if isinstance(X, pd.DataFrame):
        missing = [c for c in ("sentence", "start", "end") if c not in X.columns]
        if missing:
            raise ValueError(f"target sentiment input lacks columns {missing}")
        df = X.reset_index(drop=True)
        if "other_spans" not in df.columns:
            df = df.assign(other_spans=[()] * len(df))
        return df[["sentence", "start", "end", "other_spans"]]
    rows = []
    for item in X:
        if len(item) == 3:
            s, a, b = item
            other: Sequence = ()
        else:
            s, a, b, other = item
        rows.append({"sentence": s, "start": a, "end": b, "other_spans": other or ()})
    return pd.DataFrame(rows, columns=["sentence", "start", "end", "other_spans"])


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


def _quoted_mask(sentence: str, toks: list[tuple[str, int, int]]) -> list[bool]:
    """Whether each token lies inside double quotation marks (straight pair by alternation)."""
    inside = False
    out = []
    for w, _, _ in toks:
        if w in ("“",):
            inside = True
        elif w in ("”",):
            inside = False
        elif w == '"':
            inside = not inside
        out.append(inside)
    return out


def _target_record(
    sentence: str, start: int, end: int, other_spans: Sequence, window: int
) -> dict[str, Any]:
    """Text fields and dense features of one target."""
    toks = _tokens(sentence)
    quoted = _quoted_mask(sentence, toks)
    others = [(int(a), int(b)) for a, b in (other_spans or ())]
    # collapse target / other mentions into single placeholder tokens
    seq: list[tuple[str, str]] = []  # (kind, word) kind in {"w", "T", "O"}
    t_pos = None
    t_quoted = False
    last_kind = None
    for (w, a, b), q in zip(toks, quoted):
        if a < end and b > start:
            if last_kind != "T":
                seq.append(("T", "TGT"))
                t_pos = len(seq) - 1
                t_quoted = t_quoted or q
            last_kind = "T"
            continue
        if any(a < ob and b > oa for oa, ob in others):
            if last_kind != "O":
                seq.append(("O", "OTHER"))
            last_kind = "O"
            continue
        seq.append(("w", w.lower()))
        last_kind = "w"
    if t_pos is None:  # target between tokens (should not happen): place it by offset
        t_pos = sum(1 for _, a, _ in toks if a < start)
        seq.insert(t_pos, ("T", "TGT"))
    words = [w for _, w in seq]
    n = len(words)

    # clause of the target: between clause-boundary tokens
    def boundary(i: int) -> bool:
        return words[i] in _CLAUSE_PUNCT or words[i] in _CLAUSE_WORDS

    c0 = t_pos
    while c0 > 0 and not boundary(c0 - 1):
        c0 -= 1
    c1 = t_pos
    while c1 < n - 1 and not boundary(c1 + 1):
        c1 += 1
    lo, hi = max(0, t_pos - window), min(n, t_pos + window + 1)

    ctx: list[str] = []
    for k in (1, 2, 3):
        if t_pos - k >= 0:
            ctx.append(f"L{k}_{words[t_pos - k]}")
        if t_pos + k < n:
            ctx.append(f"R{k}_{words[t_pos + k]}")
    if t_pos + 2 < n:
        ctx.append(f"R12_{words[t_pos + 1]}_{words[t_pos + 2]}")
    if t_pos - 2 >= 0:
        ctx.append(f"L21_{words[t_pos - 2]}_{words[t_pos - 1]}")
    for i in range(lo, hi):
        if i != t_pos and seq[i][0] == "w":
            ctx.append(("l_" if i < t_pos else "r_") + words[i])
    for i in range(c0, c1 + 1):
        if i != t_pos and seq[i][0] == "w":
            ctx.append("c_" + words[i])

    lex = _lexicon()
    feats = dict.fromkeys(
        ("lpos", "lneg", "rpos", "rneg", "cpos", "cneg", "opos", "oneg"),
        0.0,
    )
    neg_near = 0.0
    for i, w in enumerate(words):
        if i == t_pos:
            continue
        d = abs(i - t_pos)
        if w in _NEGATORS and d <= 4:
            neg_near = 1.0
        v = lex.get(w)
        if v is None:
            continue
        # a negator within three words before flips the valence (VADER's own rule, simplified)
        if any(words[j] in _NEGATORS for j in range(max(0, i - 3), i)):
            v = -0.74 * v
        wgt = math.exp(-d / 5.0)
        side = "l" if i < t_pos else "r"
        key = "pos" if v > 0 else "neg"
        feats[side + key] += wgt * abs(v)
        if c0 <= i <= c1:
            feats["c" + key] += abs(v)
        else:
            feats["o" + key] += wgt * abs(v)
    nxt = words[t_pos + 1] if t_pos + 1 < n else ""
    nxt2 = words[t_pos + 2] if t_pos + 2 < n else ""
    prev = words[t_pos - 1] if t_pos >= 1 else ""
    dense = {
        **{k: math.log1p(v) for k, v in feats.items()},
        "neg_near": neg_near,
        "t_quoted": float(t_quoted),
        "t_subject_reporting": float(nxt in _REPORTING or nxt2 in _REPORTING),
        "t_after_by": float(prev == "by"),
        "t_first": float(t_pos == 0),
        "t_rel_pos": t_pos / max(n - 1, 1),
        "n_other": float(sum(1 for k, _ in seq if k == "O")),
        "sent_quoted": float(any(quoted)),
    }
    return {
        "masked": " ".join(words),
        "ctx": " ".join(ctx),
        "window": " ".join(words[lo:hi]),
        "clause": " ".join(w for k, w in seq[c0 : c1 + 1] if k == "w"),
        "dense": dense,
    }


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
    "n_other",
    "sent_quoted",
    "vader_sentence",
    "vader_clause",
    "vader_window",
)


def target_features(X: Any, window: int = 6, mask_others: bool = False) -> pd.DataFrame:
    """Per-target text fields (``masked``, ``ctx``, ``window``, ``clause``) and dense features.

    ``mask_others`` replaces the other mentions (``other_spans``) by ``OTHER``.
    """
    df = _as_frame(X)
    recs = [
        _target_record(s, int(a), int(b), o if mask_others else (), window)
        for s, a, b, o in zip(df["sentence"], df["start"], df["end"], df["other_spans"])
    ]
    out = pd.DataFrame(
        {
            "masked": [r["masked"] for r in recs],
            "ctx": [r["ctx"] for r in recs],
            "window": [r["window"] for r in recs],
            "clause": [r["clause"] for r in recs],
        }
    )
    dense = pd.DataFrame([r["dense"] for r in recs], index=out.index)
    out = pd.concat([out, dense], axis=1)
    out["vader_sentence"] = vader_compound(df["sentence"])
    out["vader_clause"] = vader_compound(out["clause"].str.replace("TGT", "it"))
    out["vader_window"] = vader_compound(out["window"].str.replace("TGT", "it"))
    return out


# --------------------------------------------------------------------------- the estimator
_VECTORIZERS: dict[str, dict[str, Any]] = {
    "masked": {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "sublinear_tf": True},
    "ctx": {
        "analyzer": "word",
        "token_pattern": r"\S+",
        "lowercase": False,
        "min_df": 2,
        "sublinear_tf": True,
    },
    "window": {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 3, "sublinear_tf": True},
}


class TargetSentimentClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression over target-relative features (see the module docstring).

    ``X`` is a DataFrame with ``sentence, start, end`` (optionally ``other_spans``) or a sequence
    of ``(sentence, start, end)`` triples; ``y`` holds NewsMTSC polarities (2.0, 4.0, 6.0) or any
    other labels.
    """

    def __init__(
        self,
        C: float = 1.0,
        window: int = 6,
        dense_weight: float = 1.0,
        use_char: bool = True,
        use_sentence: bool = True,
        mask_others: bool = False,
        sentence_weight: float = 1.0,
        class_weight: str | None = "balanced",
    ):
        self.C = C
        self.window = window
        self.dense_weight = dense_weight
        self.use_char = use_char
        self.use_sentence = use_sentence
        self.mask_others = mask_others
        self.sentence_weight = sentence_weight
        self.class_weight = class_weight

    # -- design matrix
    def _fields(self) -> list[str]:
        skip = {"window"} if not self.use_char else set()
        if not self.use_sentence:
            skip.add("masked")
        return [f for f in _VECTORIZERS if f not in skip]

    def _matrix(self, feats: pd.DataFrame, fit: bool) -> sp.csr_matrix:
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
        z = (dense - self.dense_mean_) / self.dense_scale_ * self.dense_weight
        blocks.append(sp.csr_matrix(z))
        return sp.hstack(blocks, format="csr")

    def fit(self, X: Any, y: Sequence) -> TargetSentimentClassifier:
        return self.fit_features(
            target_features(X, window=self.window, mask_others=self.mask_others), y
        )

    def fit_features(self, feats: pd.DataFrame, y: Sequence) -> TargetSentimentClassifier:
        """Fit on a :func:`target_features` frame (lets CV compute the features once)."""
        M = self._matrix(feats, fit=True)
        self.lr_ = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=1000)
        self.lr_.fit(M, np.asarray(y))
        self.classes_ = self.lr_.classes_
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        return self.decision_features(
            target_features(X, window=self.window, mask_others=self.mask_others)
        )

    def decision_features(self, feats: pd.DataFrame) -> np.ndarray:
        """Class scores for a :func:`target_features` frame."""
        M = self._matrix(feats, fit=False)
        return np.asarray(M @ self.lr_.coef_.T + self.lr_.intercept_)

    def predict_proba(self, X: Any) -> np.ndarray:
        z = self.decision_function(X)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

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
        return {
            "params": self.get_params(),
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
        m = cls(**d["params"])
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
    """One row per target of a NewsMTSC split: ``sentence, start, end, other_spans, polarity,
    mention, gid, group`` (``group`` = the source article, for grouped cross-validation).

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


def grouped_cv_scores(
    params: dict[str, Any] | None = None, n_splits: int = 5, train: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Article-grouped ``n_splits``-fold CV of the classifier on NewsMTSC train (one row a fold)."""
    from sklearn.model_selection import GroupKFold

    df = newsmtsc_targets("train") if train is None else train
    params = {**DEFAULT_PARAMS, **(params or {})}
    feats = target_features(df, window=params["window"], mask_others=params["mask_others"])
    y = df["polarity"].to_numpy()
    multi = (df.groupby("gid")["gid"].transform("size") > 1).to_numpy()
    rows = []
    for k, (tr, te) in enumerate(GroupKFold(n_splits=n_splits).split(df, groups=df["group"])):
        m = TargetSentimentClassifier(**params).fit_features(feats.iloc[tr], y[tr])
        pred = m.classes_[np.argmax(m.decision_features(feats.iloc[te]), axis=1)]
        mt = multi[te]
        rows.append(
            {
                "fold": k,
                **_scores(y[te], pred),
                "macro_f1_multi": _scores(y[te][mt], pred[mt])["macro_f1"],
                "n_multi": int(mt.sum()),
            }
        )
    return pd.DataFrame(rows)


def _vader_label(compound: np.ndarray, threshold: float = 0.05) -> np.ndarray:
    """VADER's own convention: compound >= 0.05 positive, <= -0.05 negative, else neutral."""
    return np.where(compound >= threshold, 6.0, np.where(compound <= -threshold, 2.0, 4.0))


# chosen by article-grouped CV on train (benchmarks/RESULTS_target.md), never on devtest_mt
DEFAULT_PARAMS: dict[str, Any] = {
    "C": 1.0,
    "window": 6,
    "dense_weight": 1.0,
    "use_char": False,  # char 2-5-grams: same CV macro-F1 (0.661 vs 0.660), 50% more weights
    "use_sentence": True,  # dropping sentence n-grams: CV 0.651 vs 0.665
    "mask_others": False,
    "sentence_weight": 1.0,
    "class_weight": "balanced",
}


def train_target_model(
    out_path: str | Path | None = None,
    params: dict[str, Any] | None = None,
    cv: bool = True,
) -> TargetSentimentClassifier:
    """Fit on NewsMTSC train.jsonl, evaluate once on devtest_mt, and write the JSON model.

    ``out_path`` defaults to ``MODELS_DIR / "target_sentiment.json"``. The file records the
    parameters, the SHA-256 of train.jsonl, the grouped-CV scores on train and the devtest_mt
    scores of the written model.
    """
    params = {**DEFAULT_PARAMS, **(params or {})}
    train = newsmtsc_targets("train")
    model = TargetSentimentClassifier(**params).fit(train, train["polarity"])
    cv_frame = grouped_cv_scores(params, train=train) if cv else None
    # round-trip through JSON first so the recorded score is the shipped model's own score
    payload = model.to_dict()
    model = TargetSentimentClassifier.from_dict(json.loads(json.dumps(payload)))
    dev = newsmtsc_targets("devtest_mt")
    dev_scores = _scores(dev["polarity"], model.predict(dev))
    doc = {
        "format": MODEL_FORMAT,
        "description": "target-dependent sentiment (NewsMTSC polarity 2/4/6), logistic regression",
        "train_file": "newsmtsc/train.jsonl",
        "train_sha256": _sha256(newsmtsc_dir() / "train.jsonl"),
        "n_train_targets": int(len(train)),
        "cv": None
        if cv_frame is None
        else {
            "scheme": "GroupKFold(5) by source article",
            "macro_f1_mean": float(cv_frame["macro_f1"].mean()),
            "macro_f1_sd": float(cv_frame["macro_f1"].std()),
            "folds": cv_frame.to_dict(orient="records"),
        },
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
