"""Corpus overview: tables and charts of what the study rests on (notebook 01).

Every chart function takes the tidy table it draws and returns a matplotlib figure; the notebook
saves both with :func:`analysis.plots.save_figure`. Functions degrade gracefully: a corpus
without ratings or dates gives an empty table, and :func:`missing_features` says what is skipped.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .plots import OKABE_ITO, RATING_COLORS, RATING_ORDER, use_style

RATING = "rating"


def missing_features(articles: pd.DataFrame) -> list[str]:
    """Human-readable notes on metadata the corpus lacks (features that will be skipped)."""
    notes = []
    if RATING not in articles.columns or articles[RATING].fillna("").eq("").all():
        notes.append("no outlet rating column ('rating'): comparisons by rating are skipped")
    if "date" not in articles.columns or articles["date"].isna().all():
        notes.append("no usable dates: charts over time are skipped")
    if "outlet" not in articles.columns or articles["outlet"].fillna("").eq("").all():
        notes.append("no outlet names: outlet comparisons are skipped")
    return notes


def has_ratings(articles: pd.DataFrame) -> bool:
    return RATING in articles.columns and not articles[RATING].fillna("").eq("").all()


def has_dates(articles: pd.DataFrame) -> bool:
    return "date" in articles.columns and articles["date"].notna().any()


def load_report_table(report) -> pd.DataFrame:
    """``outcome, reason, n``: kept plus every rejection reason (sums to ``read``)."""
    rows = [("kept", "", report.kept)]
    rows += [("rejected", reason, n) for reason, n in report.reasons.items()]
    df = pd.DataFrame(rows, columns=["outcome", "reason", "n"])
    df.attrs["read"] = report.read
    return df


def rating_order(values) -> list[str]:
    vals = [v for v in pd.unique(pd.Series(values).dropna()) if v != ""]
    known = [r for r in RATING_ORDER if r in vals]
    return known + sorted(v for v in vals if v not in RATING_ORDER)


def rating_colors(order: list[str]) -> list[str]:
    return [RATING_COLORS.get(r, OKABE_ITO[i % len(OKABE_ITO)]) for i, r in enumerate(order)]


def articles_by_rating_year(articles: pd.DataFrame) -> pd.DataFrame:
    """``rating, year, n`` (year "unknown" for undated articles); empty without ratings."""
    if not has_ratings(articles):
        return pd.DataFrame(columns=["rating", "year", "n"])
    year = (
        articles["date"]
        .dt.year.astype("Int64")
        .astype(str)
        .where(articles["date"].notna(), "unknown")
    )
    df = (
        articles.assign(year=year)
        .groupby([RATING, "year"])
        .size()
        .rename("n")
        .reset_index()
        .rename(columns={RATING: "rating"})
    )
    return df.sort_values(["rating", "year"]).reset_index(drop=True)


def plot_articles_by_rating_year(counts: pd.DataFrame, title: str | None = None):
    """Grouped bars: articles per year for each rating; undated articles in their own bar."""
    use_style()
    wide = counts.pivot(index="year", columns="rating", values="n").fillna(0)
    order = rating_order(counts["rating"])
    wide = wide[order]
    years = [y for y in wide.index if y != "unknown"] + (
        ["unknown"] if "unknown" in wide.index else []
    )
    wide = wide.loc[years]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    x = np.arange(len(wide))
    w = 0.8 / len(order)
    for i, (r, c) in enumerate(zip(order, rating_colors(order))):
        ax.bar(
            x + (i - (len(order) - 1) / 2) * w,
            wide[r],
            w,
            label=f"{r} (n = {int(wide[r].sum()):,})",
            color=c,
        )
    ax.set_xticks(x, wide.index)
    ax.set_xlabel('Publication year ("unknown": no date in the source)')
    ax.set_ylabel("Articles (count)")
    n = int(counts["n"].sum())
    peak = wide.drop(index="unknown", errors="ignore").sum(axis=1)
    ax.set_title(
        title
        or f"Study articles by outlet rating and year: coverage peaks in "
        f"{peak.idxmax()} (n = {n:,})"
    )
    ax.legend(title="Outlet rating (AllSides)")
    return fig


def subtopics_by_year(articles: pd.DataFrame) -> pd.DataFrame:
    """``subtopic, year, n`` for dated articles (an article counts once per subtopic)."""
    sub_cols = [c for c in articles.columns if c.startswith("sub_")]
    if not sub_cols or not has_dates(articles):
        return pd.DataFrame(columns=["subtopic", "year", "n"])
    dated = articles[articles["date"].notna()]
    long = (
        dated[["doc_id", *sub_cols]]
        .assign(year=dated["date"].dt.year)
        .melt(["doc_id", "year"], var_name="subtopic", value_name="on")
    )
    long = long[long["on"]]
    long["subtopic"] = long["subtopic"].str.removeprefix("sub_")
    out = long.groupby(["subtopic", "year"]).size().rename("n").reset_index()
    return out.sort_values(["subtopic", "year"]).reset_index(drop=True)


def plot_subtopics_over_time(counts: pd.DataFrame, title: str | None = None):
    """Small multiples: articles per year for each subtopic (shared y axis)."""
    use_style()
    subs = counts.groupby("subtopic")["n"].sum().sort_values(ascending=False).index.tolist()
    ncol = 5
    nrow = int(np.ceil(len(subs) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(13, 2.6 * nrow), sharex=True, sharey=True)
    axes = np.atleast_1d(axes).ravel()
    years = sorted(counts["year"].unique())
    for ax, s in zip(axes, subs):
        d = counts[counts["subtopic"] == s].set_index("year")["n"].reindex(years, fill_value=0)
        ax.bar(d.index, d.values, color=OKABE_ITO[0])
        ax.set_title(f"{s.replace('_', ' ')} (n = {int(d.sum()):,})", fontsize=10)
        ax.tick_params(axis="x", rotation=90, labelsize=8)
    for ax in axes[len(subs) :]:
        ax.set_visible(False)
    for ax in axes[::ncol]:
        ax.set_ylabel("Articles (count)")
    top = counts.groupby("subtopic")["n"].sum().idxmax().replace("_", " ")
    fig.suptitle(
        title or f"Subtopics by year: {top} dominates; an article can carry several subtopics",
        fontweight="bold",
    )
    fig.supxlabel("Publication year (dated articles only)")
    fig.tight_layout()
    return fig


def plot_attention(att: pd.DataFrame, title: str | None = None):
    """Share of each rating's total coverage that is tech policy, per year, with Wilson 95% CIs."""
    use_style()
    d = att[att["period"] != "unknown"].copy()
    d = d[d["n_total"] >= 50]  # periods with fewer than 50 articles in total are too thin
    order = rating_order(d["rating"])
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for r, c in zip(order, rating_colors(order)):
        s = d[d["rating"] == r]
        yrs = s["period"].astype(int)
        ax.errorbar(
            yrs + (order.index(r) - 1) * 0.08,
            100 * s["share"],
            yerr=[100 * (s["share"] - s["share_lo"]), 100 * (s["share_hi"] - s["share"])],
            marker="o",
            capsize=3,
            color=c,
            label=f"{r} ({int(s['n_study'].sum()):,} of {int(s['n_total'].sum()):,})",
        )
    ax.set_xlabel("Publication year")
    ax.set_ylabel("Tech-policy share of all coverage (%)")
    ax.set_ylim(bottom=0)
    lo, hi = 100 * d["share"].min(), 100 * d["share"].max()
    ax.set_title(
        title
        or f"Tech policy takes {lo:.0f}-{hi:.0f}% of each rating's coverage per "
        "year; the ratings rise and fall together"
    )
    ax.legend(title="Rating (study articles of all articles)")
    ax.annotate(
        "Bars: Wilson 95% intervals. Years with < 50 articles in total omitted.",
        xy=(0, -0.2),
        xycoords="axes fraction",
        fontsize=8,
    )
    return fig
