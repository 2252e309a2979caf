"""Convergent validity of the frame-lexicon categories against human sentiment labels.

Nobody has yet judged the cues one by one (the coding sheets of :mod:`analysis.explain` wait
for human coders), but two human-labelled sets the project ships already test one claim the
evaluative categories make: that they carry the valence their definitions give them. Praise
is positive evaluation; conflict, controversy, rights (violations, profiling, discrimination)
and surveillance threat are negative. Uncertainty and strategic motive are not valenced by
definition, and neither are the generic news frames: they are reported without an expected
sign.

- NYT editorial snippets (``analysis.sentiment_validation.nyt_snippets``): the mean of about
  20 human ratings per snippet on the -4..+4 scale (Hutto & Gilbert 2014).
- NewsMTSC train split (``analysis.target_sentiment.newsmtsc_targets``): the human polarity of
  each target as -1 (negative), 0 (neutral), +1 (positive), for the sentence it occurs in.
  Only train is read: devtest_mt stays the target-sentiment evaluation set.

For every category the table compares texts with at least one non-negated cue of the category
against texts with none: mean human value of each, their difference and a 95% bootstrap CI of
the difference that resamples whole source articles (snippets and targets of one article are
not independent). ``verdict``: ``"as expected"`` when the CI excludes 0 on the expected side,
``"contradicts"`` when it excludes 0 on the other side, ``"no clear difference"`` otherwise,
and ``"not valenced"`` for categories without an expected sign.

This is evidence about direction, not precision: a category can agree with human sentiment on
average while many of its single hits are wrong, which only the coding sheets can show.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .compare import cluster_resampled_totals

# Expected sign of the human sentiment difference (with cue - without), from the category
# definitions in analysis/lexicons/evaluative.yaml; 0 = not valenced, reported only.
EXPECTED_DIRECTION: dict[str, int] = {
    "evaluative.praise": 1,
    "evaluative.conflict": -1,
    "evaluative.controversy": -1,
    "evaluative.uncertainty": 0,
    "evaluative.strategic_motive": 0,
    "evaluative.rights": -1,
    "evaluative.surveillance": -1,
}
VERDICTS = ("as expected", "no clear difference", "contradicts", "not valenced")
POLARITY_VALUE = {2.0: -1.0, 4.0: 0.0, 6.0: 1.0}  # NewsMTSC codes -> -1/0/+1
COLUMNS = [
    "dataset",
    "category",
    "expected",
    "n_texts",
    "n_with",
    "n_articles_with",
    "mean_with",
    "mean_without",
    "difference",
    "ci_low",
    "ci_high",
    "verdict",
]


DEFAULT_LEXICONS = ("evaluative", "generic_frames")


def cue_presence(
    texts: Sequence[str], lexicons=None, keep: Sequence[str] | None = DEFAULT_LEXICONS
) -> pd.DataFrame:
    """Boolean table, one row per text, one column per lexicon category: does the text hold at
    least one non-negated cue of the category (:func:`analysis.framing.text_category_rates`).
    ``keep``: the lexicon names whose categories are kept (``None``: all)."""
    from .framing import resolve_lexicons, text_category_rates

    lexs = resolve_lexicons(lexicons)
    if keep is not None:  # match only the kept lexicons (hits are resolved per lexicon)
        lexs = lexs.select([name for name in lexs if name in set(keep)])
    rates = text_category_rates(list(texts), lexs).drop(columns="n_words")
    return rates.fillna(0.0).gt(0.0)


def clustered_difference_ci(
    values: np.ndarray,
    has: np.ndarray,
    clusters: np.ndarray,
    n_boot: int = 2000,
    seed: int = 0,
    ci: float = 0.95,
) -> tuple[float, float]:
    """Percentile CI of ``mean(values[has]) - mean(values[~has])`` when whole ``clusters`` are
    resampled with replacement. ``(nan, nan)`` with fewer than two clusters; resamples in
    which one side is empty are dropped."""
    values = np.asarray(values, dtype=float)
    has = np.asarray(has, dtype=bool)
    codes, uniq = pd.factorize(pd.Series(clusters))
    k = len(uniq)
    if k < 2:
        return np.nan, np.nan
    totals = [
        np.bincount(codes, weights=values * has, minlength=k),
        np.bincount(codes, weights=has.astype(float), minlength=k),
        np.bincount(codes, weights=values * ~has, minlength=k),
        np.bincount(codes, weights=(~has).astype(float), minlength=k),
    ]
    sum_w, n_w, sum_o, n_o = cluster_resampled_totals(totals, n_boot, np.random.default_rng(seed))
    with np.errstate(invalid="ignore", divide="ignore"):
        diffs = sum_w / n_w - sum_o / n_o  # one side empty: NaN or inf, dropped
    diffs = diffs[np.isfinite(diffs)]
    if len(diffs) == 0:
        return np.nan, np.nan
    lo, hi = np.quantile(diffs, [(1 - ci) / 2, 1 - (1 - ci) / 2])
    return float(lo), float(hi)


def _verdict(expected: int, lo: float, hi: float) -> str:
    if expected == 0:
        return "not valenced"
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo <= 0 <= hi:
        return "no clear difference"
    return "as expected" if (lo > 0) == (expected > 0) else "contradicts"


def cue_sentiment_table(
    human: Sequence[float],
    presence: pd.DataFrame,
    clusters: Sequence,
    dataset: str,
    expected: dict[str, int] | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Human sentiment of texts with vs without a cue of each category (columns of ``presence``,
    aligned with ``human`` and ``clusters``). Columns: :data:`COLUMNS`; one row per category,
    in the order of ``presence``; categories absent from ``expected`` (default
    :data:`EXPECTED_DIRECTION`) get expected 0 (not valenced)."""
    expected = EXPECTED_DIRECTION if expected is None else expected
    y = np.asarray(human, dtype=float)
    clusters = np.asarray(clusters)
    if not (len(y) == len(presence) == len(clusters)):
        raise ValueError(
            f"{dataset}: human ({len(y)}), presence ({len(presence)}) and clusters "
            f"({len(clusters)}) must have one row per text"
        )
    if np.isnan(y).any():
        raise ValueError(f"{dataset}: human values contain NaN (row {int(np.isnan(y).argmax())})")
    rows = []
    for cat in presence.columns:
        has = presence[cat].to_numpy(dtype=bool)
        exp = int(expected.get(cat, 0))
        mw = float(y[has].mean()) if has.any() else np.nan
        mo = float(y[~has].mean()) if (~has).any() else np.nan
        lo, hi = clustered_difference_ci(y, has, clusters, n_boot=n_boot, seed=seed)
        rows.append(
            {
                "dataset": dataset,
                "category": cat,
                "expected": exp,
                "n_texts": len(y),
                "n_with": int(has.sum()),
                "n_articles_with": int(pd.Series(clusters[has]).nunique()),
                "mean_with": mw,
                "mean_without": mo,
                "difference": mw - mo,
                "ci_low": lo,
                "ci_high": hi,
                "verdict": _verdict(exp, lo, hi),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def nyt_cue_validity(
    lexicons=None, keep=DEFAULT_LEXICONS, n_boot: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """:func:`cue_sentiment_table` on the 5,190 NYT snippets (human value: rater mean, -4..+4;
    clusters: the snippet's article)."""
    from .sentiment_validation import nyt_snippets

    nyt = nyt_snippets()
    presence = cue_presence(nyt["text"], lexicons, keep)
    return cue_sentiment_table(
        nyt["rater_mean"],
        presence,
        nyt["article"],
        "NYT snippets (rater mean, -4..+4)",
        n_boot=n_boot,
        seed=seed,
    )


def newsmtsc_cue_validity(
    lexicons=None, keep=DEFAULT_LEXICONS, n_boot: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """:func:`cue_sentiment_table` on the targets of NewsMTSC train (human value: polarity as
    -1/0/+1; cue presence in the target's sentence; clusters: the source article)."""
    from .target_sentiment import newsmtsc_targets

    t = newsmtsc_targets("train")
    bad = ~t["polarity"].isin(list(POLARITY_VALUE))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"NewsMTSC train: target row {i} has polarity {t['polarity'].iloc[i]!r}")
    sentences = pd.Series(t["sentence"].unique())
    presence = cue_presence(sentences, lexicons, keep)
    presence.index = sentences
    per_target = presence.loc[t["sentence"]].reset_index(drop=True)
    return cue_sentiment_table(
        t["polarity"].map(POLARITY_VALUE),
        per_target,
        t["group"],
        "NewsMTSC train (target polarity, -1..+1)",
        n_boot=n_boot,
        seed=seed,
    )


def cue_validity_table(
    lexicons=None, keep=DEFAULT_LEXICONS, n_boot: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """Both datasets stacked (NYT first)."""
    return pd.concat(
        [
            nyt_cue_validity(lexicons, keep, n_boot, seed),
            newsmtsc_cue_validity(lexicons, keep, n_boot, seed),
        ],
        ignore_index=True,
    )


def cue_validity_finding(table: pd.DataFrame) -> str:
    """One sentence for a title: which valenced categories show their expected valence in
    every dataset, and in how many datasets the others do."""
    valenced = table[table["expected"] != 0]
    if valenced.empty:
        return "No valenced category to test"
    n_sets = table["dataset"].nunique()
    hits = (valenced["verdict"] == "as expected").groupby(valenced["category"], sort=False).sum()

    def names(cats) -> str:
        words = [c.split(".", 1)[1].replace("_", " ") for c in cats]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]

    parts = []
    for k in range(n_sets, -1, -1):
        cats = list(hits.index[hits == k])
        if cats:
            if k == n_sets:
                where = "both datasets" if n_sets == 2 else f"all {n_sets} datasets"
            else:
                where = f"{k} of {n_sets} datasets"
            parts.append(f"{names(cats)} in {where}")
    return "Human sentiment differs in the expected direction for " + "; ".join(parts)
