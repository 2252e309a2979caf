"""Supervised generic-frame classifier (scikit-learn estimator API), its validation and shipping.

Five binary frames (conflict, economic, human interest, moral, resolution) after Semetko &
Valkenburg (2000), trained on the Narrative Frames Corpus (development split, 296 articles; see
:mod:`analysis.agreement`).

Model (:class:`FrameClassifier`)
    * word n-gram TF-IDF (sublinear tf, English stop words, ``min_df``; counts by scikit-learn's
      ``CountVectorizer``, the idf / l2 step written out in :func:`_tfidf` so that the shipped JSON
      model and the in-memory model run literally the same code);
    * optional text statistics (:func:`text_statistics`: length, digits, currency and percent
      signs, quotation marks, first/second-person pronouns, questions), standardised;
    * one ``LogisticRegression`` (liblinear, ``class_weight="balanced"``) per frame;
    * per frame, inner stratified cross-validation *on the training data only* gives out-of-fold
      decision values, on which (a) a Platt sigmoid is fitted (calibration, the same scheme as
      ``CalibratedClassifierCV(method="sigmoid", ensemble=False)`` but exportable as two numbers)
      and (b) the decision threshold maximising F1 is chosen; when ``C`` is a sequence the
      regularisation strength is chosen per frame by the same inner F1.
    The vocabulary/idf are fitted once on the (outer) training data and reused in the inner folds;
    every choice therefore sees only training data.

Choice by measurement (``evaluate_frames``, 5-fold, seed 0; numbers in
``benchmarks/RESULTS_frames.md``): class balancing plus inner-CV thresholds lift macro-F1 from 0.25
(plain TF-IDF + logistic regression, threshold 0.5) to ~0.60; repeating the first 60 content
words (title and lead, where the codebook tells annotators to look) adds ~0.01-0.02 over three
fold seeds; word bigrams, char n-grams, text statistics, a C grid and 10 inner folds changed
macro-F1 by no more than the seed-to-seed spread (~0.02) at up to several times the cost.
Issue #4 (``benchmarks/frame_experiments.py``) compared 18 more configurations: soft labels and
one row per annotator (the released labels are near-unanimity, stricter than any one annotator,
so these targets teach a looser concept: -0.03), codebook-question models with the labelling
rule (-0.03), LR/SVM/complement-NB ensembles, all lexicon rates, 3-sentence-window max pooling,
stacked label co-occurrence, agreement-weighted samples; none beat the shipped model by more
than selection noise (best +0.001 over ten fold seeds), so the configuration is unchanged.

Shipping: ``analysis/models/frame_classifier.json`` holds vocabulary, idf, stop words,
coefficients, intercepts, calibration, thresholds, text-statistic scaling, training-data sha256,
CV scores and package versions. :func:`load_frame_classifier` rebuilds the estimator without
pickle; its ``predict_proba`` is identical to the trained model's.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy import sparse
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_curve
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from analysis.agreement import FRAME_COLUMNS, FRAMES, human_ceiling, load_narrative_frames
from analysis.paths import MODELS_DIR

MODEL_PATH = MODELS_DIR / "frame_classifier.json"
MODEL_FORMAT = "frame_classifier/1"
PROB_COLUMNS: tuple[str, ...] = tuple(f"{c}_prob" for c in FRAME_COLUMNS)

_TRUE_STRINGS = {"1", "true", "yes", "y", "t"}
_FALSE_STRINGS = {"0", "false", "no", "n", "f"}

# --------------------------------------------------------------------------------------------
# Features
# --------------------------------------------------------------------------------------------

TEXT_STAT_NAMES: tuple[str, ...] = (
    "log_words",
    "digit_rate",
    "currency_rate",
    "percent_rate",
    "quote_rate",
    "first_person_rate",
    "second_person_rate",
    "question_rate",
)
_WORD = re.compile(r"\w+(?:['’]\w+)*")
_DIGIT_TOKEN = re.compile(r"\b\d[\d,.]*\b")
_CURRENCY = re.compile(r"[$£€¥]")
_QUOTE = re.compile(r"[\"“”]")
_FIRST = re.compile(r"\b(?:i|me|my|mine|we|us|our|ours)\b", re.IGNORECASE)
_LEAD_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # CountVectorizer's default token pattern
_SECOND = re.compile(r"\b(?:you|your|yours)\b", re.IGNORECASE)


def text_statistics(texts: Iterable[str]) -> pd.DataFrame:
    """Per-text statistics (rates per word), one row per text, columns ``TEXT_STAT_NAMES``."""
    rows = []
    for t in texts:
        t = t or ""
        n = max(len(_WORD.findall(t)), 1)
        rows.append(
            (
                math.log1p(n),
                len(_DIGIT_TOKEN.findall(t)) / n,
                len(_CURRENCY.findall(t)) / n,
                t.count("%") / n,
                len(_QUOTE.findall(t)) / n,
                len(_FIRST.findall(t)) / n,
                len(_SECOND.findall(t)) / n,
                t.count("?") / n,
            )
        )
    return pd.DataFrame(rows, columns=list(TEXT_STAT_NAMES), dtype=float)


# Lexicon category used for each frame by the lexicon-only baseline. Resolution has no category
# of its own in Semetko & Valkenburg's generic frames; "responsibility" (attribution of
# responsibility, which includes "does the story suggest solutions") is the closest.
LEXICON_FRAME_CATEGORIES: dict[str, str] = {
    "conflict": "conflict",
    "economic": "economic",
    "human_interest": "human_interest",
    "moral": "morality",
    "resolution": "responsibility",
}


def lexicon_rate_table(texts: Sequence[str], lexicon: str = "generic_frames") -> pd.DataFrame:
    """Category rates (hits per 1,000 words) of ``lexicon`` per text, via :mod:`analysis.framing`.

    One row per text in input order, one column per category (``<category>``); empty texts and
    texts without hits get 0. Negated hits follow the engine's default (excluded).
    """
    from analysis import framing
    from analysis.text import sentence_table

    texts = _as_texts(texts)
    ids = [f"t{i}" for i in range(len(texts))]
    arts = pd.DataFrame({"doc_id": ids, "title": [""] * len(texts), "text": texts})
    sents = sentence_table(arts)
    hits = framing.frame_hits(sents, lexicon, articles=arts)
    rates = framing.article_frame_rates(hits, sents, lexicon).set_index("doc_id")
    prefix = f"{lexicon}."
    cols = [c for c in rates.columns if c.startswith(prefix) and c.endswith(".rate")]
    cols = [c for c in cols if not c.endswith(".reporter_rate")]
    out = rates[cols].reindex(ids).fillna(0.0)
    out.columns = [c[len(prefix) : -len(".rate")] for c in cols]
    return out.reset_index(drop=True)


def _tfidf(counts: sparse.spmatrix, idf: np.ndarray, sublinear_tf: bool) -> sparse.csr_matrix:
    """TF-IDF with l2 row normalisation (scikit-learn's formula), float64."""
    x = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    if sublinear_tf:
        np.log(x.data, out=x.data)
        x.data += 1.0
    x = x @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ x)


def _as_texts(texts: Iterable[object]) -> list[str]:
    out = []
    for t in texts:
        if t is None or (isinstance(t, float) and math.isnan(t)):
            out.append("")
        else:
            out.append(str(t))
    return out


def _resolve_stop_words(stop_words: object) -> list[str] | None:
    if stop_words is None:
        return None
    if stop_words == "english":
        return sorted(ENGLISH_STOP_WORDS)
    return sorted(str(w) for w in stop_words)  # type: ignore[union-attr]


def _best_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """``(threshold, f1)`` maximising F1 of ``p >= threshold`` on ``y``."""
    if y.sum() == 0:
        return 1.0, 0.0
    prec, rec, thr = precision_recall_curve(y, p)
    f1 = np.where(prec + rec > 0, 2 * prec * rec / np.maximum(prec + rec, 1e-12), 0.0)[:-1]
    i = int(np.argmax(f1))
    return float(thr[i]), float(f1[i])


class FrameClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label generic-frame classifier: TF-IDF (+ text statistics) -> calibrated LR per frame.

    Parameters
    ----------
    ngram_range, min_df, max_features, sublinear_tf, stop_words:
        word n-gram features (``CountVectorizer`` semantics).
    lead_words : int or None
        when set, the first ``lead_words`` non-stop words (title and lead, where annotators were
        told to look) are added again as separate ``lead_<word>`` features.
    lexicon, lexicon_weight : str or None, float
        name of an :mod:`analysis.framing` lexicon (e.g. ``"generic_frames"``) whose category
        rates (log1p of hits per 1,000 words, standardised, times ``lexicon_weight``) are added.
    text_stats : bool
        append standardised :func:`text_statistics` columns, scaled by ``text_stats_weight``.
    C : float or sequence of float
        inverse regularisation; a sequence is searched per frame by inner-CV F1.
    class_weight : "balanced" or None
    inner_splits : int
        folds of the inner cross-validation (calibration, thresholds, C).
    random_state : int
        seed of the inner folds.

    ``fit(texts, Y)`` takes an iterable of strings and a 0/1 matrix (DataFrame columns give the
    label names; otherwise ``frame_conflict ...``). Learned state ends in ``_``.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 1),
        min_df: int = 2,
        max_features: int | None = 20000,
        sublinear_tf: bool = True,
        stop_words: str | Sequence[str] | None = "english",
        text_stats: bool = False,
        text_stats_weight: float = 0.1,
        lead_words: int | None = 60,
        lexicon: str | None = None,
        lexicon_weight: float = 0.1,
        C: float | Sequence[float] = 1.0,
        class_weight: str | None = "balanced",
        inner_splits: int = 5,
        random_state: int = 0,
    ):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.stop_words = stop_words
        self.text_stats = text_stats
        self.text_stats_weight = text_stats_weight
        self.lead_words = lead_words
        self.lexicon = lexicon
        self.lexicon_weight = lexicon_weight
        self.C = C
        self.class_weight = class_weight
        self.inner_splits = inner_splits
        self.random_state = random_state

    # -- features -------------------------------------------------------------------------
    def _counter(self, vocabulary: dict[str, int] | None = None) -> CountVectorizer:
        return CountVectorizer(
            ngram_range=tuple(self.ngram_range),
            min_df=1 if vocabulary is not None else self.min_df,
            max_features=None if vocabulary is not None else self.max_features,
            stop_words=self.stop_words_ if hasattr(self, "stop_words_") else None,
            vocabulary=vocabulary,
            lowercase=True,
            dtype=np.int64,
        )

    def _with_lead(self, texts: list[str]) -> list[str]:
        if not self.lead_words:
            return texts
        stop = set(self.stop_words_ or ())
        out = []
        for t in texts:
            words = [w for w in _LEAD_TOKEN.findall(t.lower()) if w not in stop]
            out.append(t + "\n" + " ".join("lead_" + w for w in words[: self.lead_words]))
        return out

    def _features(self, texts: list[str]) -> sparse.csr_matrix:
        counts = self._counter(self.vocabulary_).transform(self._with_lead(texts))
        x = _tfidf(counts, self.idf_, self.sublinear_tf)
        if self.text_stats:
            stats = text_statistics(texts).to_numpy()
            z = (stats - self.stats_mean_) / self.stats_scale_ * self.text_stats_weight
            x = sparse.hstack([x, sparse.csr_matrix(z)], format="csr")
        if self.lexicon:
            lex = np.log1p(lexicon_rate_table(texts, self.lexicon)[self.lexicon_columns_])
            z = (lex.to_numpy() - self.lex_mean_) / self.lex_scale_ * self.lexicon_weight
            x = sparse.hstack([x, sparse.csr_matrix(z)], format="csr")
        return x

    # -- fitting --------------------------------------------------------------------------
    def _lr(self, c: float) -> LogisticRegression:
        return LogisticRegression(C=c, class_weight=self.class_weight, solver="liblinear")

    def _fit_frame(self, x: sparse.csr_matrix, y: np.ndarray) -> dict:
        n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
        n_feat = x.shape[1]
        if min(n_pos, n_neg) == 0:  # one class only: constant model
            logit = 20.0 if n_pos else -20.0
            return dict(coef=np.zeros(n_feat), intercept=0.0, a=1.0, b=logit, thr=0.5, C=np.nan)
        cs = [float(self.C)] if np.isscalar(self.C) else [float(c) for c in self.C]
        k = max(2, min(self.inner_splits, n_pos, n_neg))
        folds = list(
            StratifiedKFold(k, shuffle=True, random_state=self.random_state).split(
                np.zeros(len(y)), y
            )
        )
        best = None
        for c in cs:
            dec = np.zeros(len(y))
            for tr, te in folds:
                if len(np.unique(y[tr])) < 2:
                    continue
                m = self._lr(c).fit(x[tr], y[tr])
                dec[te] = m.decision_function(x[te])
            platt = LogisticRegression(C=1e4, solver="lbfgs").fit(dec.reshape(-1, 1), y)
            a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
            thr, f1 = _best_threshold(y, expit(a * dec + b))
            if best is None or f1 > best[0] + 1e-12:
                best = (f1, c, a, b, thr)
        _, c, a, b, thr = best
        m = self._lr(c).fit(x, y)
        return dict(
            coef=m.coef_[0].astype(np.float64),
            intercept=float(m.intercept_[0]),
            a=a,
            b=b,
            thr=thr,
            C=c,
        )

    def fit(self, texts: Iterable[str], Y) -> FrameClassifier:
        """Fit vocabulary, idf, text-statistic scaling and one calibrated model per label.

        BLAS is held to one thread while fitting: the matrices are small and, on a shared
        machine, multi-threaded BLAS made the same fits ~10x slower (measured).
        """
        with threadpool_limits(limits=1):
            return self._fit(texts, Y)

    def _fit(self, texts: Iterable[str], Y) -> FrameClassifier:
        texts = _as_texts(texts)
        if isinstance(Y, pd.DataFrame):
            names = [str(c) for c in Y.columns]
            y = Y.to_numpy()
        else:
            y = np.asarray(Y)
            if y.ndim == 1:
                y = y.reshape(-1, 1)
            names = list(FRAME_COLUMNS) if y.shape[1] == len(FRAME_COLUMNS) else None
            names = names or [f"label_{j}" for j in range(y.shape[1])]
        if len(texts) != y.shape[0]:
            raise ValueError(f"{len(texts)} texts but {y.shape[0]} label rows")
        if not np.isin(y, [0, 1]).all():
            raise ValueError("labels must be 0/1")
        y = y.astype(int)
        self.stop_words_ = _resolve_stop_words(self.stop_words)
        counter = self._counter()
        counts = counter.fit_transform(self._with_lead(texts))
        vocab = counter.vocabulary_
        terms = sorted(vocab, key=vocab.get)
        self.vocabulary_ = {t: i for i, t in enumerate(terms)}
        n = counts.shape[0]
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        self.idf_ = np.log((1.0 + n) / (1.0 + df)) + 1.0
        if self.text_stats:
            stats = text_statistics(texts).to_numpy()
            self.stats_mean_ = stats.mean(axis=0)
            scale = stats.std(axis=0)
            self.stats_scale_ = np.where(scale > 0, scale, 1.0)
        if self.lexicon:
            lex = np.log1p(lexicon_rate_table(texts, self.lexicon))
            self.lexicon_columns_ = list(lex.columns)
            self.lex_mean_ = lex.to_numpy().mean(axis=0)
            scale = lex.to_numpy().std(axis=0)
            self.lex_scale_ = np.where(scale > 0, scale, 1.0)
        x = self._features(texts)
        fits = [self._fit_frame(x, y[:, j]) for j in range(y.shape[1])]
        self.label_names_ = names
        self.classes_ = np.array([0, 1])
        self.coef_ = np.vstack([f["coef"] for f in fits])
        self.intercept_ = np.array([f["intercept"] for f in fits])
        self.calibration_ = np.array([[f["a"], f["b"]] for f in fits])
        self.thresholds_ = np.array([f["thr"] for f in fits])
        self.C_ = np.array([f["C"] for f in fits])
        self.n_features_ = x.shape[1]
        return self

    # -- prediction -----------------------------------------------------------------------
    def decision_function(self, texts: Iterable[str]) -> np.ndarray:
        """Uncalibrated linear scores, shape ``(n_texts, n_labels)``."""
        x = self._features(_as_texts(texts))
        return np.asarray(x @ self.coef_.T) + self.intercept_

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Calibrated probability of each label, shape ``(n_texts, n_labels)``."""
        dec = self.decision_function(texts)
        return expit(dec * self.calibration_[:, 0] + self.calibration_[:, 1])

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """0/1 labels: ``predict_proba >= thresholds_`` (thresholds chosen by inner CV)."""
        return (self.predict_proba(texts) >= self.thresholds_).astype(int)

    def score(self, texts: Iterable[str], Y) -> float:
        """Macro-F1 over labels."""
        y = np.asarray(Y).astype(int)
        p = self.predict(texts)
        return float(
            np.mean([f1_score(y[:, j], p[:, j], zero_division=0) for j in range(y.shape[1])])
        )

    # -- (de)serialisation ----------------------------------------------------------------
    def to_dict(self) -> dict:
        """JSON-ready dict of parameters and learned state (no pickle)."""
        params = self.get_params()
        params["ngram_range"] = list(params["ngram_range"])
        if not isinstance(params["C"], (int, float)):
            params["C"] = [float(c) for c in params["C"]]
        if params["stop_words"] not in (None, "english"):
            params["stop_words"] = list(params["stop_words"])
        state = {
            "vocabulary": sorted(self.vocabulary_, key=self.vocabulary_.get),
            "idf": self.idf_.tolist(),
            "stop_words": self.stop_words_,
            "label_names": list(self.label_names_),
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_.tolist(),
            "calibration": self.calibration_.tolist(),
            "thresholds": self.thresholds_.tolist(),
            "C": [None if np.isnan(c) else float(c) for c in self.C_],
            "n_features": int(self.n_features_),
        }
        if self.text_stats:
            state["text_stat_names"] = list(TEXT_STAT_NAMES)
            state["stats_mean"] = self.stats_mean_.tolist()
            state["stats_scale"] = self.stats_scale_.tolist()
        if self.lexicon:
            state["lexicon_columns"] = list(self.lexicon_columns_)
            state["lex_mean"] = self.lex_mean_.tolist()
            state["lex_scale"] = self.lex_scale_.tolist()
        return {"format": MODEL_FORMAT, "params": params, "state": state}

    @classmethod
    def from_dict(cls, d: dict) -> FrameClassifier:
        """Rebuild a fitted classifier from :meth:`to_dict` output."""
        if d.get("format") != MODEL_FORMAT:
            raise ValueError(f"unknown model format {d.get('format')!r}; expected {MODEL_FORMAT}")
        params = dict(d["params"])
        params["ngram_range"] = tuple(params["ngram_range"])
        if isinstance(params["C"], list):
            params["C"] = tuple(params["C"])
        m = cls(**params)
        s = d["state"]
        m.vocabulary_ = {t: i for i, t in enumerate(s["vocabulary"])}
        m.idf_ = np.asarray(s["idf"], dtype=np.float64)
        m.stop_words_ = s["stop_words"]
        m.label_names_ = list(s["label_names"])
        m.classes_ = np.array([0, 1])
        m.coef_ = np.asarray(s["coef"], dtype=np.float64)
        m.intercept_ = np.asarray(s["intercept"], dtype=np.float64)
        m.calibration_ = np.asarray(s["calibration"], dtype=np.float64)
        m.thresholds_ = np.asarray(s["thresholds"], dtype=np.float64)
        m.C_ = np.array([np.nan if c is None else c for c in s["C"]], dtype=np.float64)
        m.n_features_ = int(s["n_features"])
        if m.text_stats:
            if s.get("text_stat_names") != list(TEXT_STAT_NAMES):
                raise ValueError("model was trained with different text statistics")
            m.stats_mean_ = np.asarray(s["stats_mean"], dtype=np.float64)
            m.stats_scale_ = np.asarray(s["stats_scale"], dtype=np.float64)
        if m.lexicon:
            m.lexicon_columns_ = list(s["lexicon_columns"])
            m.lex_mean_ = np.asarray(s["lex_mean"], dtype=np.float64)
            m.lex_scale_ = np.asarray(s["lex_scale"], dtype=np.float64)
        return m


# Shipped configuration = the constructor defaults (unigrams, min_df 2, 20k features, sublinear tf,
# English stop words, 60 lead words, C=1, balanced, 5 inner folds). Chosen with evaluate_frames on
# three fold seeds (0, 1, 2) among: text statistics on/off, lead words, bigrams, char n-grams,
# C grid, min_df 3; issue #4 added 18 more (benchmarks/frame_experiments.py), none better beyond
# noise; see benchmarks/RESULTS_frames.md. Overrides here change what ships.
SHIPPED_PARAMS: dict = {}


def shipped_classifier(**overrides) -> FrameClassifier:
    """A fresh (unfitted) classifier with the shipped configuration, optionally overridden."""
    return FrameClassifier(**{**SHIPPED_PARAMS, **overrides})


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


def frame_folds(Y: np.ndarray, n_splits: int = 5, seed: int = 0) -> list[tuple[np.ndarray, ...]]:
    """Seeded article folds, stratified on the label combination where possible.

    The stratification key is the combination of all labels; while some combination has fewer
    than ``n_splits`` members, the most common label (least informative) is dropped from the key.
    With no usable key the folds are plain shuffled ``KFold``-like splits.
    """
    Y = np.asarray(Y).astype(int)
    order = list(np.argsort(Y.mean(axis=0)))  # rarest first
    cols = list(order)
    while cols:
        key = np.array(["".join(map(str, row)) for row in Y[:, cols]])
        if pd.Series(key).value_counts().min() >= n_splits:
            break
        cols = cols[:-1]
    if not cols:
        key = np.zeros(len(Y), dtype=int)
    skf = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
    return list(skf.split(np.zeros(len(Y)), key))


def _scores_row(name: str, y: np.ndarray, p: np.ndarray, note: str = "") -> dict:
    row = {"model": name}
    for j, f in enumerate(FRAMES):
        row[f] = float(f1_score(y[:, j], p[:, j], zero_division=0))
    row["macro_f1"] = float(np.mean([row[f] for f in FRAMES]))
    row["note"] = note
    return row


def plain_tfidf_predictions(
    texts: list[str], Y: np.ndarray, folds: list[tuple[np.ndarray, ...]]
) -> np.ndarray:
    """Out-of-fold 0/1 predictions of the plain baseline: default TF-IDF + default LR, cut 0.5."""
    pred = np.zeros_like(Y)
    with threadpool_limits(limits=1):
        for tr, te in folds:
            vec = TfidfVectorizer()
            xtr = vec.fit_transform([texts[i] for i in tr])
            xte = vec.transform([texts[i] for i in te])
            for j in range(Y.shape[1]):
                m = LogisticRegression(max_iter=1000).fit(xtr, Y[tr, j])
                pred[te, j] = m.predict(xte)
    return pred


def classifier_predictions(
    texts: list[str],
    Y: np.ndarray,
    folds: list[tuple[np.ndarray, ...]],
    params: dict | None = None,
) -> np.ndarray:
    """Out-of-fold 0/1 predictions of :class:`FrameClassifier` (all tuning inside train folds)."""
    pred = np.zeros_like(Y)
    for tr, te in folds:
        m = shipped_classifier(**(params or {})).fit([texts[i] for i in tr], Y[tr])
        pred[te] = m.predict([texts[i] for i in te])
    return pred


def lexicon_predictions(
    rates: pd.DataFrame, Y: np.ndarray, folds: list[tuple[np.ndarray, ...]]
) -> np.ndarray:
    """Out-of-fold predictions of the lexicon-only baseline.

    Frame present when the rate of its category (``LEXICON_FRAME_CATEGORIES``) reaches a cut-off
    chosen to maximise F1 on the training folds.
    """
    pred = np.zeros_like(Y)
    for j, frame in enumerate(FRAMES):
        r = rates[LEXICON_FRAME_CATEGORIES[frame]].to_numpy(dtype=float)
        for tr, te in folds:
            thr, _ = _best_threshold(Y[tr, j], r[tr])
            pred[te, j] = (r[te] >= thr).astype(int)
    return pred


def evaluate_frames(
    n_splits: int = 5,
    seed: int = 0,
    params: dict | None = None,
    df: pd.DataFrame | None = None,
    include_human: bool = True,
) -> pd.DataFrame:
    """Cross-validated F1 per frame and macro-F1: baselines, the shipped model, the human ceiling.

    Folds are by article (:func:`frame_folds`, seeded, stratified on labels). Rows:
    ``tfidf_logreg_plain`` (default TF-IDF + logistic regression, threshold 0.5),
    ``lexicon_only`` (NaN with a note while the lexicon engine is pending), ``frame_classifier``
    (``SHIPPED_PARAMS`` updated with ``params``) and ``human_ceiling`` (leave-one-out annotator
    F1, :func:`analysis.agreement.human_ceiling`, pooled). Columns: ``model``, one per frame,
    ``macro_f1``, ``note``.
    """
    df = load_narrative_frames() if df is None else df
    texts = _as_texts(df["text"])
    Y = df[list(FRAME_COLUMNS)].to_numpy().astype(int)
    folds = frame_folds(Y, n_splits=n_splits, seed=seed)
    cv = f"{n_splits}-fold CV by article, seed {seed}, n={len(texts)}"
    rows = [
        _scores_row("tfidf_logreg_plain", Y, plain_tfidf_predictions(texts, Y, folds), cv),
    ]
    try:
        rates = lexicon_rate_table(texts, "generic_frames")
    except Exception as err:  # the engine is developed in parallel; report, do not hide
        rows.append(
            {"model": "lexicon_only", **{f: np.nan for f in FRAMES}, "macro_f1": np.nan}
            | {"note": f"pending: analysis.framing failed ({type(err).__name__}: {err})"}
        )
    else:
        lex = lexicon_predictions(rates, Y, folds)
        rows.append(_scores_row("lexicon_only", Y, lex, cv + "; generic_frames rates"))
    rows.append(
        _scores_row("frame_classifier", Y, classifier_predictions(texts, Y, folds, params), cv)
    )
    if include_human:
        hc = human_ceiling().set_index("frame")["f1_pooled"]
        row = {"model": "human_ceiling", **{f: float(hc[f]) for f in FRAMES}}
        row["macro_f1"] = float(np.mean([row[f] for f in FRAMES]))
        row["note"] = "each annotator vs the other annotators' aggregate (leave-one-out), pooled"
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Training, saving, loading, predicting
# --------------------------------------------------------------------------------------------


def training_sha256(texts: Sequence[str], Y: np.ndarray, label_names: Sequence[str]) -> str:
    """sha256 of the training texts and labels (canonical JSON), for provenance."""
    payload = json.dumps(
        {
            "texts": list(texts),
            "labels": np.asarray(Y).astype(int).tolist(),
            "names": list(label_names),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def package_versions() -> dict[str, str]:
    """Versions of the packages the model's numbers depend on."""
    import platform

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "pandas": pd.__version__,
    }


def train_frame_classifier(
    df: pd.DataFrame | None = None,
    text_column: str = "text",
    label_columns: Sequence[str] = FRAME_COLUMNS,
    **params,
) -> FrameClassifier:
    """Fit the shipped configuration (updated with ``params``) on ``df`` in one call.

    ``df`` defaults to the 296 Narrative Frames development articles. Labels must be 0/1.
    """
    df = load_narrative_frames() if df is None else df
    missing = [c for c in [text_column, *label_columns] if c not in df.columns]
    if missing:
        raise ValueError(f"missing columns {missing}; available: {list(df.columns)}")
    return shipped_classifier(**params).fit(
        _as_texts(df[text_column]), df[list(label_columns)].astype(int)
    )


def _binary_value(value: object) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer, float, np.floating)):
        return int(value) if value in (0, 1) else None
    s = str(value).strip().lower()
    if s in _TRUE_STRINGS:
        return 1
    if s in _FALSE_STRINGS:
        return 0
    try:
        f = float(s)
    except ValueError:
        return None
    return int(f) if f in (0.0, 1.0) else None


def labelled_table_from_csv(
    path: str | Path, text_column: str, label_columns: Sequence[str]
) -> pd.DataFrame:
    """Read an analyst's labelled CSV (or TSV by extension) and check it.

    Returns the table with ``text_column`` and 0/1 integer ``label_columns``. Raises
    ``ValueError`` naming the file, row (1-based data row, header excluded; CSV line in
    brackets) and column for missing columns, empty labels and non-binary labels.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: file not found")
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    table = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    label_columns = list(label_columns)
    if not label_columns:
        raise ValueError(f"{path}: no label columns given")
    missing = [c for c in [text_column, *label_columns] if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; columns are {list(table.columns)}")
    out = pd.DataFrame({text_column: table[text_column]})
    for col in label_columns:
        vals = []
        for i, v in enumerate(table[col]):
            b = _binary_value(v) if str(v).strip() != "" else None
            if b is None:
                what = "empty label" if str(v).strip() == "" else f"non-binary label {v!r}"
                raise ValueError(
                    f"{path}: row {i + 1} (line {i + 2}), column {col!r}: {what}; "
                    "expected 0/1, true/false or yes/no"
                )
            vals.append(b)
        out[col] = np.array(vals, dtype=int)
    blank = out[text_column].str.strip() == ""
    if blank.all():
        raise ValueError(f"{path}: column {text_column!r} is empty in every row")
    return out


def train_from_csv(
    path: str | Path, text_column: str, label_columns: Sequence[str], **params
) -> FrameClassifier:
    """Train on an analyst's labelled CSV in one call (see :func:`labelled_table_from_csv`)."""
    table = labelled_table_from_csv(path, text_column, label_columns)
    return train_frame_classifier(table, text_column, label_columns, **params)


def save_frame_classifier(
    model: FrameClassifier,
    path: str | Path = MODEL_PATH,
    training: dict | None = None,
    cv_scores: pd.DataFrame | None = None,
) -> Path:
    """Write ``model`` as JSON (no pickle) with provenance; returns the path."""
    d = model.to_dict()
    d["training"] = training or {}
    d["cv_scores"] = [] if cv_scores is None else json.loads(cv_scores.to_json(orient="records"))
    d["package_versions"] = package_versions()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(d, ensure_ascii=False, indent=0), encoding="utf-8")
    return path


def load_frame_classifier(path: str | Path = MODEL_PATH) -> FrameClassifier:
    """Rebuild a saved :class:`FrameClassifier` from JSON (``json.loads`` only; never pickle)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no frame classifier model; run ship_frame_classifier()")
    return FrameClassifier.from_dict(json.loads(path.read_text(encoding="utf-8")))


def frame_model_metadata(path: str | Path = MODEL_PATH) -> dict:
    """Provenance block of a saved model: training, CV scores, package versions, params."""
    d = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: d.get(k) for k in ("format", "params", "training", "cv_scores", "package_versions")}


def ship_frame_classifier(
    path: str | Path = MODEL_PATH, n_splits: int = 5, seed: int = 0
) -> FrameClassifier:
    """Evaluate (CV), train on all 296 articles and write the shipped JSON model."""
    df = load_narrative_frames()
    scores = evaluate_frames(n_splits=n_splits, seed=seed, df=df)
    model = train_frame_classifier(df)
    texts = _as_texts(df["text"])
    training = {
        "data": "narrative_frames development split (analysis.agreement.load_narrative_frames)",
        "n_articles": len(df),
        "label_positives": {c: int(df[c].sum()) for c in FRAME_COLUMNS},
        "sha256": training_sha256(texts, df[list(FRAME_COLUMNS)].to_numpy(), FRAME_COLUMNS),
    }
    save_frame_classifier(model, path, training=training, cv_scores=scores)
    return model


def predict_frames(
    texts: Iterable[object], model: FrameClassifier | None = None, doc_ids: Sequence | None = None
) -> pd.DataFrame:
    """Frame labels and probabilities for each text, one row per input in input order.

    Columns: ``frame_<x>`` (0/1, nullable ``Int64``), ``frame_<x>_prob`` (float), ``status``
    ("ok" or "empty_text": empty/blank/missing text gives NaN probabilities and <NA> labels);
    ``doc_id`` first when ``doc_ids`` is given. Uses the shipped model unless ``model`` is given.
    """
    model = load_frame_classifier() if model is None else model
    texts = _as_texts(texts)
    ok = np.array([t.strip() != "" for t in texts], dtype=bool)
    names = list(model.label_names_)
    probs = np.full((len(texts), len(names)), np.nan)
    if ok.any():
        probs[ok] = model.predict_proba([t for t, k in zip(texts, ok, strict=True) if k])
    out = pd.DataFrame(index=range(len(texts)))
    if doc_ids is not None:
        out["doc_id"] = list(doc_ids)
    for j, name in enumerate(names):
        lab = pd.array(
            np.where(ok, (probs[:, j] >= model.thresholds_[j]).astype(int), 0), dtype="Int64"
        )
        lab[~ok] = pd.NA
        out[name] = lab
    for j, name in enumerate(names):
        out[f"{name}_prob"] = probs[:, j]
    out["status"] = np.where(ok, "ok", "empty_text")
    return out
