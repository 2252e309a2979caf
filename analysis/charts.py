"""Chart builders for the sentiment, framing and case-study notebooks.

Each function takes the tidy table it draws (the same table the notebook saves as CSV with
:func:`analysis.plots.save_figure`) and returns a matplotlib figure. Titles state the finding and
are computed from the data; axes carry units; n and uncertainty are shown.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .plots import OKABE_ITO, VOICE_COLORS, finding_title, interval_point, use_style


def plot_seed_sentences(table: pd.DataFrame, title: str | None = None):
    """One bar pair per sentence of an article: VADER and news compound, coloured by voice.

    ``table`` columns: ``sent_idx, text, voice, vader_compound, news_compound``.
    """
    use_style()
    n = len(table)
    fig, ax = plt.subplots(figsize=(10, 0.32 * n + 1.5))
    y = np.arange(n)
    ax.barh(y - 0.2, table["vader_compound"], 0.4, color=OKABE_ITO[5], label="VADER")
    ax.barh(y + 0.2, table["news_compound"], 0.4, color=OKABE_ITO[0], label="news-adapted")
    labels = [
        (("[Q] " if v == "quoted" else "") + (t[:70] + "…" if len(t) > 70 else t))
        for t, v in zip(table["text"], table["voice"])
    ]
    ax.set_yticks(y, labels, fontsize=7)
    for tick, v in zip(ax.get_yticklabels(), table["voice"]):
        tick.set_color(VOICE_COLORS.get(v, "black"))
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("Sentence compound score (-1 negative … +1 positive)")
    nq = int((table["voice"] == "quoted").sum())
    ax.set_title(
        title
        or f"The seed article sentence by sentence: {nq} of {n} sentences are quoted speech "
        "(orange, [Q])"
    )
    ax.legend(loc="lower right")
    return fig


def plot_metric_bars(
    table: pd.DataFrame,
    metric: str,
    label_col: str = "method",
    lo: str | None = None,
    hi: str | None = None,
    reference: dict[str, float] | None = None,
    xlabel: str = "",
    title: str = "",
    value_format: str = ".3f",
):
    """Horizontal bars of ``metric`` per row with optional CI columns and reference lines; each
    bar is labelled with its value in ``value_format``."""
    use_style()
    d = table.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(d) + 1.6))
    y = np.arange(len(d))
    err = None
    if lo and hi and lo in d and hi in d:
        err = np.vstack([d[metric] - d[lo], d[hi] - d[metric]]).clip(min=0)
    ax.barh(y, d[metric], xerr=err, color=OKABE_ITO[0], capsize=3)
    for yi, v in zip(y, d[metric]):
        ax.text(v, yi, f" {v:{value_format}}", va="center", fontsize=8)
    ax.set_yticks(y, d[label_col])
    ax.invert_yaxis()
    for i, (name, val) in enumerate((reference or {}).items()):
        ax.axvline(
            val,
            color=OKABE_ITO[(i + 3) % len(OKABE_ITO)],
            ls="--",
            lw=1,
            label=f"{name}: {val:.3f}",
        )
    if reference:
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return fig


def plot_gap_intervals(table: pd.DataFrame, title: str = ""):
    """Mean score gap per identity pair and scorer with bootstrap 95% CIs (EEC audit).

    ``table`` columns: ``scorer, pair, gap, ci_low, ci_high``.
    """
    use_style()
    d = table.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(d) + 1.6))
    y = np.arange(len(d))
    scorers = list(dict.fromkeys(d["scorer"]))
    colors = {s: OKABE_ITO[i % len(OKABE_ITO)] for i, s in enumerate(scorers)}
    for yi, (_, r) in zip(y, d.iterrows()):
        interval_point(
            ax, r["gap"], yi, r["ci_low"], r["ci_high"], color=colors[r["scorer"]], capsize=3
        )
    ax.set_yticks(y, [f"{s} · {p}" for s, p in zip(d["scorer"], d["pair"])], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    for v in (-0.005, 0.005):
        ax.axvline(v, color="grey", ls=":", lw=1)
    ax.set_xlabel("Mean score difference between paired sentences (compound units; dotted: ±0.005)")
    ax.set_title(title)
    return fig


def plot_voice_comparison(table: pd.DataFrame, value: str, title: str = "", xlabel: str = ""):
    """Reporter vs quoted means with CIs per group. Columns: ``group, voice, mean, ci_low,
    ci_high, n``."""
    use_style()
    groups = list(dict.fromkeys(table["group"]))
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(groups) + 1.8))
    for j, voice in enumerate(("reporter", "quoted")):
        d = table[table["voice"] == voice].set_index("group").reindex(groups)
        y = np.arange(len(groups)) + (j - 0.5) * 0.3
        interval_point(
            ax,
            d["mean"],
            y,
            d["ci_low"],
            d["ci_high"],
            color=VOICE_COLORS[voice],
            capsize=3,
            label=f"{voice} voice (n = {int(d['n'].sum()):,} articles)",
        )
    ax.set_yticks(np.arange(len(groups)), groups)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel or value)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return fig


def plot_nyt_validation(table: pd.DataFrame, ceiling: dict[str, float], paper_r: float | None):
    """Two panels per scorer: Pearson r with its 95% CI, and 3-class macro F1, against the mean
    single-rater agreement (``ceiling``) and, for r, the paper's published VADER r.

    ``table`` columns: ``scorer, pearson_r, r_ci_low, r_ci_high, f1_macro_3class, n``.
    """
    use_style()
    d = table.reset_index(drop=True)
    y = np.arange(len(d))
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.55 * len(d) + 2.2), sharey=True)
    err = np.vstack([d["pearson_r"] - d["r_ci_low"], d["r_ci_high"] - d["pearson_r"]]).clip(min=0)
    axes[0].barh(y, d["pearson_r"], xerr=err, color=OKABE_ITO[0], capsize=3)
    axes[1].barh(y, d["f1_macro_3class"], color=OKABE_ITO[2])
    for ax, col in zip(axes, ("pearson_r", "f1_macro_3class")):
        for yi, v in zip(y, d[col]):
            ax.text(0.01, yi, f"{v:.3f}", va="center", ha="left", color="white", fontsize=8)
        ax.axvline(ceiling[col], color=OKABE_ITO[3], ls="--", lw=1.2, label="single human rater")
        ax.set_xlim(0, 1)
    if paper_r is not None:
        axes[0].axvline(paper_r, color=OKABE_ITO[7], ls=":", lw=1.2, label="VADER paper (2014)")
    axes[0].set_yticks(y, d["scorer"])
    axes[0].invert_yaxis()
    axes[0].set_xlabel("Pearson r with rater mean (95% CI)")
    axes[1].set_xlabel("3-class macro F1")
    axes[0].legend(loc="lower right", fontsize=8)
    axes[1].legend(loc="lower right", fontsize=8)
    best = d.loc[d["pearson_r"].idxmax()]
    finding_title(
        fig,
        f"Agreement with human raters (NYT snippets, n = {int(d['n'].max()):,}): {best['scorer']} "
        f"correlates best (r = {best['pearson_r']:.3f}); one human rater reaches "
        f"{ceiling['pearson_r']:.3f}",
    )
    return fig


def plot_actor_groups(table: pd.DataFrame, xlabel: str, title: str = ""):
    """Actor-targeted sentiment per actor (rows) and group (coloured points, rating colours when
    the groups are ratings) with 95% CIs; thin cells hollow; n per actor in the labels.

    ``table`` columns: ``actor, group, n, mean, ci_low, ci_high, caution, n_articles_actor``.
    """
    from .plots import RATING_COLORS, RATING_ORDER

    use_style()
    actors = list(dict.fromkeys(table["actor"]))
    groups = [g for g in RATING_ORDER if g in set(table["group"])]
    groups += sorted(set(table["group"]) - set(groups))
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(actors) + 2))
    k = len(groups)
    for j, g in enumerate(groups):
        d = table[table["group"] == g].set_index("actor").reindex(actors)
        y = np.arange(len(actors)) + (j - (k - 1) / 2) * (0.6 / max(k, 1))
        color = RATING_COLORS.get(g, OKABE_ITO[j % len(OKABE_ITO)])
        thin = d["caution"].fillna("").astype(bool).to_numpy()
        for mask, face in ((~thin, color), (thin, "white")):
            if mask.any():
                ax.errorbar(
                    d["mean"][mask],
                    y[mask],
                    xerr=[
                        (d["mean"] - d["ci_low"])[mask].clip(lower=0),
                        (d["ci_high"] - d["mean"])[mask].clip(lower=0),
                    ],
                    fmt="o",
                    color=color,
                    mfc=face,
                    capsize=2,
                    ms=4,
                    label=f"{g} (n = {int(d['n'].sum()):,} article-actor pairs)"
                    if face == color or not (~thin).any()
                    else None,
                )
    n_by_actor = table.groupby("actor", sort=False)["n_articles_actor"].first()
    ax.set_yticks(
        np.arange(len(actors)),
        [f"{a} (n = {int(n_by_actor[a]):,} articles)" for a in actors],
        fontsize=8,
    )
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(xlabel)
    if table["caution"].fillna("").astype(bool).any():
        ax.plot([], [], "o", color="grey", mfc="white", label="cell n below threshold: caution")
    ax.legend(fontsize=8, loc="best")
    ax.set_title(title, fontsize=10, loc="left")
    fig.tight_layout()
    return fig
