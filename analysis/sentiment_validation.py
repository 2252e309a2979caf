"""Validation of the sentence sentiment scorers against human ratings (VADER's NYT snippets).

Data: ``VALIDATION_DIR / "vader_nyt"`` (Hutto & Gilbert 2014, MIT licence): 5,190 sentences of
New York Times opinion articles (498 distinct article ids in the file; upstream says 500), each
rated by 20 people on -4..+4.

Decoding: the ground-truth file has CRLF line endings and is documented upstream as "not all
UTF-8". Each line is decoded on its own: UTF-8 first, then Windows-1252 (the usual encoding of
such stray bytes in US newspaper text), then Latin-1, which cannot fail. The number of lines that
needed each fallback is kept in ``df.attrs["decoding"]``; no line is dropped, and the loader
raises if the row count is not the documented 5,190.

Evaluation protocol (:func:`evaluate_nyt`):

* Pearson r between the scorer's compound and the rater mean (the paper's measure).
* 3-class macro F1. Truth classes from the rater mean: positive when mean > +0.5, negative when
  mean < -0.5, else neutral (half a scale point on the -4..+4 scale; with this cut plain VADER
  reproduces the paper's F1 of 0.55). VADER-type scorers are classed with VADER's documented
  compound thresholds +-0.05. The trained news scorer predicts the rater mean itself (compound =
  prediction / 4), so it is classed with the SAME cut as the truth: +-0.5 / 4 = +-0.125 on its
  compound. Neither threshold is fitted to the data.
* For a trained scorer the figures are grouped cross-validation predictions: folds are
  ``GroupKFold`` over the article id (the part of the ID before "_"), so no article contributes
  sentences to both training and test folds.

:func:`human_ceiling_nyt` gives the individual-rater figures the paper reports as the human
benchmark (r = 0.745, F1 = 0.65).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import f1_score

from . import paths

# NEWS_THRESHOLD (= TRUTH_THRESHOLD / 4, the raters' cut on the news scorer's compound, which is
# the predicted rater mean / 4) has its one definition in analysis.sentiment
from .sentiment import NEWS_THRESHOLD

NYT_N_ROWS = 5_190
NYT_N_ARTICLES = 498  # distinct article ids in the file (the upstream README says 500 articles)
TRUTH_THRESHOLD = 0.5  # rater-mean class boundary on the -4..+4 scale (see module docstring)
COMPOUND_THRESHOLD = 0.05  # VADER's documented neutral band for compound scores

_GROUND_TRUTH = "nytEditorialSnippets_GroundTruth.txt"
_RATINGS = "nytEditorialSnippets_anonDataRatings.txt"


def _nyt_dir():
    return paths.VALIDATION_DIR / "vader_nyt"


def _decode_line(raw: bytes, counts: Counter) -> str:
    for enc in ("utf-8", "cp1252"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        counts[enc] += 1
        return text
    counts["latin-1"] += 1
    return raw.decode("latin-1")


def _split_lines(data: bytes) -> list[bytes]:
    """Lines of a CRLF (or LF) file; a missing trailing newline loses nothing."""
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    return [ln for ln in lines if ln.strip()]


def nyt_snippets() -> pd.DataFrame:
    """The 5,190 NYT editorial snippets: ``id, article, sentence, rater_mean, text``.

    Raises ``ValueError`` when a line does not have three tab-separated fields or when the count is
    not 5,190 (so no row is ever silently lost). ``attrs["decoding"]`` counts lines per encoding.
    """
    path = _nyt_dir() / _GROUND_TRUTH
    counts: Counter = Counter()
    rows = []
    for n, raw in enumerate(_split_lines(path.read_bytes()), start=1):
        parts = _decode_line(raw, counts).split("\t")
        if len(parts) < 3:
            raise ValueError(f"{path}: line {n} has {len(parts)} tab-separated fields, expected 3")
        sid, mean, text = parts[0].strip(), parts[1].strip(), "\t".join(parts[2:]).strip()
        article, _, sentence = sid.partition("_")
        rows.append((sid, article, int(sentence), float(mean), text))
    df = pd.DataFrame(rows, columns=["id", "article", "sentence", "rater_mean", "text"])
    if len(df) != NYT_N_ROWS or df["id"].duplicated().any() or df["text"].eq("").any():
        raise ValueError(
            f"{path}: expected {NYT_N_ROWS} unique snippets, read {len(df)} "
            f"({df['id'].duplicated().sum()} duplicate ids)"
        )
    df.attrs["decoding"] = dict(counts)
    df.attrs["source"] = str(path)
    return df


def nyt_individual_ratings() -> pd.DataFrame:
    """Long table of individual ratings: ``id, rater, rating`` (20 raters per snippet).

    ``rater`` is the position in the anonymised list; it is not the same person across snippets.
    """
    path = _nyt_dir() / _RATINGS
    rows = []
    for n, raw in enumerate(_split_lines(path.read_bytes()), start=1):
        parts = raw.decode("utf-8", errors="replace").split("\t")
        if len(parts) != 4:
            raise ValueError(f"{path}: line {n} has {len(parts)} fields, expected 4")
        ratings = [int(x) for x in parts[3].strip().strip("[]").split(",") if x.strip()]
        rows.extend((parts[0].strip(), k, r) for k, r in enumerate(ratings))
    df = pd.DataFrame(rows, columns=["id", "rater", "rating"])
    if df["id"].nunique() != NYT_N_ROWS:
        raise ValueError(f"{path}: expected {NYT_N_ROWS} snippets, read {df['id'].nunique()}")
    return df


def three_class(values, threshold: float) -> np.ndarray:
    """-1/0/+1 classes: above ``threshold`` positive, below ``-threshold`` negative."""
    v = np.asarray(values, dtype=float)
    return np.where(v > threshold, 1, np.where(v < -threshold, -1, 0))


def agreement_row(
    pred, truth, name: str, protocol: str, pred_threshold: float = COMPOUND_THRESHOLD
) -> dict:
    """Pearson r (with 95% CI by Fisher z), Spearman rho and 3-class macro F1 of one scorer.

    ``pred`` is classed with ``pred_threshold``, ``truth`` with ``TRUTH_THRESHOLD``.
    """
    pred = np.asarray(pred, dtype=float)
    truth = np.asarray(truth, dtype=float)
    r = stats.pearsonr(pred, truth)
    ci = r.confidence_interval(0.95)
    f1 = f1_score(
        three_class(truth, TRUTH_THRESHOLD),
        three_class(pred, pred_threshold),
        average="macro",
        labels=[-1, 0, 1],
    )
    return {
        "scorer": name,
        "protocol": protocol,
        "pearson_r": float(r.statistic),
        "r_ci_low": float(ci.low),
        "r_ci_high": float(ci.high),
        "spearman_rho": float(stats.spearmanr(pred, truth).statistic),
        "f1_macro_3class": float(f1),
        "pred_threshold": float(pred_threshold),
        "n": int(len(pred)),
    }


def evaluate_nyt(method: str = "all") -> pd.DataFrame:
    """Agreement of a scorer with the NYT rater means, one row per scorer.

    ``method``: ``"vader"`` (plain VADER, no training), ``"vader_neutralised"`` (VADER with the
    named-entity neutralisation, no training), ``"news"`` (the trained news scorer: grouped
    5-fold cross-validated predictions, retrained per fold with the shipped settings; the shipped
    model's stored CV scores are added in ``stored_cv_r`` to show they are reproduced),
    ``"news_context"`` (the same with article-context features) or ``"all"``. Columns:
    scorer, protocol, pearson_r, r_ci_low, r_ci_high, spearman_rho, f1_macro_3class,
    pred_threshold, n (and stored_cv_r for trained scorers).
    """
    from . import sentiment

    nyt = nyt_snippets()
    methods = (
        ["vader", "vader_neutralised", "news", "news_context"] if method == "all" else [method]
    )
    rows = []
    for m in methods:
        if m == "vader":
            pred = sentiment.vader_polarity(nyt["text"].tolist())["compound"]
            rows.append(agreement_row(pred, nyt["rater_mean"], m, "no training"))
        elif m == "vader_neutralised":
            pred = sentiment.neutralised_vader(nyt["text"].tolist())["compound"]
            rows.append(agreement_row(pred, nyt["rater_mean"], m, "no training"))
        elif m in ("news", "news_context"):
            cv = sentiment.news_scorer_cv(nyt, context=m == "news_context")
            row = agreement_row(
                cv["compound"], nyt["rater_mean"], m, "GroupKFold(5) by article", NEWS_THRESHOLD
            )
            model = sentiment.load_news_model()
            stored = (model or {}).get("cv", {}).get(m, {})
            row["stored_cv_r"] = stored.get("pearson_r", np.nan)
            rows.append(row)
        else:
            raise ValueError(f"unknown method {m!r}; use {', '.join(methods)} or all")
    return pd.DataFrame(rows)


def human_ceiling_nyt() -> pd.DataFrame:
    """How well one human rater agrees with the others (the paper's human benchmark).

    For each of the 20 rating positions: that rater's ratings against the mean of the other 19
    (leave-one-rater-out), Pearson r and 3-class F1 (the single rating is classed positive when
    > 0.5, i.e. >= +1). ``pearson_r_vs_all_mean`` correlates the rater with the mean of all 20
    (self included), which inflates agreement. Returns one row per rater position plus a
    ``mean`` row.
    """
    ratings = nyt_individual_ratings()
    wide = ratings.pivot(index="id", columns="rater", values="rating").to_numpy(dtype=float)
    total = wide.sum(axis=1)
    k = wide.shape[1]
    rows = []
    for j in range(k):
        others = (total - wide[:, j]) / (k - 1)
        row = agreement_row(wide[:, j], others, f"rater_{j}", "leave-one-rater-out")
        row["f1_macro_3class"] = float(
            f1_score(
                three_class(others, TRUTH_THRESHOLD),
                three_class(wide[:, j], TRUTH_THRESHOLD),
                average="macro",
                labels=[-1, 0, 1],
            )
        )
        # for comparison with the paper: the same rater against the mean of all 20 (self included)
        row["pearson_r_vs_all_mean"] = float(stats.pearsonr(wide[:, j], total / k).statistic)
        rows.append(row)
    df = pd.DataFrame(rows)
    mean = df.drop(columns=["scorer", "protocol"]).mean(numeric_only=True)
    mean_row = {"scorer": "mean", "protocol": "leave-one-rater-out", **mean.to_dict()}
    mean_row["n"] = int(df["n"].iloc[0])
    return pd.concat([df, pd.DataFrame([mean_row])], ignore_index=True)
