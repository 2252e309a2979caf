"""Grouped-CV Pearson r of the news-scorer variants tried in issue #3 (RESULTS_sentiment.md).

Run from the project root::

    .venv/bin/python benchmarks/bench_sentiment_variants.py [--shuffled] [--isotonic]

Every row is the out-of-fold Pearson r on the 5,190 VADER NYT snippets with ``GroupKFold(5)``
by article id (the protocol of ``analysis.sentiment.news_scorer_cv``: vocabularies, idf, scalers
and ridge refitted inside each fold). The variants are ablations of the shipped feature pass
(``_features_table``): dense columns dropped by lexicon, the ``x:`` per-word lexicon entries
dropped, the negation marks (``not_``) removed from the tokens, ridge settings changed.
``--shuffled`` adds three other group splits (``GroupKFold(5, shuffle=True, random_state=1..3)``)
for the settings grid: the split-to-split spread of r. ``--isotonic`` adds the nested isotonic
calibration (inner grouped 5-fold CV inside each outer training fold; slow, ~6x).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

from analysis import sentiment as S  # noqa: E402
from analysis.sentiment_lexicons import LEXICON_FEATURES  # noqa: E402
from analysis.sentiment_validation import nyt_snippets  # noqa: E402

SHIPPED = dict(S._SETTINGS)
OLD = {"alpha": 3.0, "dense_weight": 0.3}  # the settings of the model before issue #3


def lexicon_columns(prefixes: tuple[str, ...]) -> list[int]:
    n = len(S.VADER_DENSE_FEATURES)
    return [n + k for k, f in enumerate(LEXICON_FEATURES) if f.startswith(prefixes)]


def variant(feats: dict, prefixes: tuple[str, ...], xlex: bool, marks: bool) -> dict:
    """The features with only the lexicon columns named by ``prefixes``, with or without the
    ``x:`` per-word entries and the negation marks."""
    cols = list(range(len(S.VADER_DENSE_FEATURES))) + lexicon_columns(prefixes)
    lex = (
        feats["lex"]
        if xlex
        else [{k: v for k, v in d.items() if k[:2] != "x:"} for d in feats["lex"]]
    )
    toks = feats["tokens"]
    if not marks:
        toks = [[w[4:] if w.startswith("not_") else w for w in t] for t in toks]
    return {"dense": feats["dense"][:, cols], "lex": lex, "tokens": toks}


def oof(feats: dict, y, split, settings: dict, isotonic: bool = False, groups=None) -> np.ndarray:
    saved_names, saved = list(S.DENSE_FEATURES), dict(S._SETTINGS)
    S.DENSE_FEATURES[:] = [f"d{k}" for k in range(feats["dense"].shape[1])]
    S._SETTINGS.update(settings)
    try:
        pred = np.zeros(len(y))
        for tr, te in split:
            layer = S._fit_layer(feats, y, tr, False)
            pred[te] = S._predict_layer(S._subset(feats, te), layer)
            if isotonic:
                from sklearn.isotonic import IsotonicRegression

                inner = np.zeros(len(tr))
                for itr, ite in GroupKFold(5).split(tr, tr, groups[tr]):
                    lay = S._fit_layer(feats, y, tr[itr], False)
                    inner[ite] = S._predict_layer(S._subset(feats, tr[ite]), lay)
                iso = IsotonicRegression(out_of_bounds="clip").fit(inner, y[tr])
                pred[te] = iso.predict(pred[te])
        return pred
    finally:
        S.DENSE_FEATURES[:] = saved_names
        S._SETTINGS.clear()
        S._SETTINGS.update(saved)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shuffled", action="store_true")
    ap.add_argument("--isotonic", action="store_true")
    args = ap.parse_args()
    nyt = nyt_snippets()
    feats = S._features_table(nyt["text"].tolist())
    y = nyt["rater_mean"].to_numpy(dtype=float)
    groups = nyt["article"].astype(str).to_numpy()
    std = list(GroupKFold(5).split(y, y, groups))
    r = lambda p: stats.pearsonr(p, y).statistic  # noqa: E731
    ladder = [
        ("VADER features only (the model before issue #3)", (), False, False, OLD),
        ("+ AFINN-165", ("afinn",), False, False, OLD),
        ("+ pattern polarity and subjectivity", ("afinn", "pattern"), False, False, OLD),
        ("+ Harvard IV-4", ("afinn", "pattern", "hiv4"), False, False, OLD),
        ("+ Loughran-McDonald", ("afinn", "pattern", "hiv4", "lm"), False, False, OLD),
        ("+ NRC affects", ("afinn", "pattern", "hiv4", "lm", "nrc"), False, False, OLD),
        ("+ consensus valence (all 61 lexicon features)", ("",), False, False, OLD),
        ("+ per-word entries of non-VADER lexicon words", ("",), True, False, OLD),
        ("+ negation marking of n-grams (all shipped features)", ("",), True, True, OLD),
        ("all lexicon features, no NRC / LM (licence-clean subset)",
         ("afinn", "pattern", "hiv4"), False, False, OLD),
    ]  # fmt: skip
    print("| variant | alpha | dense weight | Pearson r |\n|---|---|---|---|")
    for name, prefixes, xlex, marks, settings in ladder:
        t = time.perf_counter()
        p = oof(variant(feats, prefixes, xlex, marks), y, std, settings)
        print(
            f"| {name} | {settings['alpha']} | {settings['dense_weight']} | {r(p):.4f} |"
            f" <!-- {time.perf_counter() - t:.0f} s -->",
            flush=True,
        )
    splits = {"GroupKFold(5)": std}
    if args.shuffled:
        for seed in (1, 2, 3):
            gkf = GroupKFold(5, shuffle=True, random_state=seed)
            splits[f"shuffled seed {seed}"] = list(gkf.split(y, y, groups))
    print("\n| alpha | dense weight | " + " | ".join(splits) + " |")
    print("|---|---|" + "---|" * len(splits))
    for alpha, dw in [(3.0, 0.3), (5.0, 0.3), (5.0, 0.2), (5.0, 0.15), (6.5, 0.2), (6.5, 0.15)]:
        rs = [r(oof(feats, y, sp, {"alpha": alpha, "dense_weight": dw})) for sp in splits.values()]
        print(f"| {alpha} | {dw} | " + " | ".join(f"{x:.4f}" for x in rs) + " |", flush=True)
    if args.isotonic:
        p = oof(feats, y, std, SHIPPED, isotonic=True, groups=groups)
        print(f"\nshipped settings + nested isotonic calibration: r = {r(p):.4f}")


if __name__ == "__main__":
    main()
