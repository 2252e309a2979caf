"""Group comparisons of any document-level score: summaries, differences and their charts.

Every helper takes a document table (one row per article) that carries a numeric score column
(any column of the scoring pipeline's output, merged with article metadata) and one or more
grouping columns (``"rating"``, ``"outlet"``, ``["rating", "year"]`` ...).

Uncertainty is a nonparametric bootstrap that resamples *articles* within each group (percentile
intervals). Resampling is vectorised with numpy (one ``integers`` draw of shape
``(n_boot, n)`` per group, processed in chunks to cap memory), so 2,000 resamples of the 1,357
study articles take a few milliseconds. Each group draws from its own random stream, derived from
``seed`` and the group's key (``numpy.random.SeedSequence``), so a group's interval does not depend
on which other groups are in the table or in which order they come, and rerunning with the same
seed gives identical numbers.

Rows whose score is missing (NaN) are dropped before anything is computed; ``n`` counts the
articles that were used.

Subtopics: ``by="subtopic"`` explodes the ``";"``-joined ``subtopics`` column so an article
counts once in *each* of its subtopics. Those groups therefore overlap (their ``n`` add up to
more than the number of articles) and differences between two subtopics compare samples that
share articles, so the bootstrap and Mann-Whitney assumptions of independent groups do not hold
exactly; the output's ``attrs["overlapping_groups"]`` says so.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .plots import (
    OKABE_ITO,
    RATING_COLORS,
    RATING_ORDER,
    finding_title,
    interval_point,
    n_label,
    use_style,
)

UNKNOWN_PERIOD = "unknown"
SUBTOPIC_COLUMN = "subtopic"
_CHUNK_CELLS = 4_000_000  # resampled values held in memory at once


# --------------------------------------------------------------------------- preparation
def add_period(df: pd.DataFrame, freq: str = "year", date_col: str = "date") -> pd.DataFrame:
    """A copy of ``df`` with a ``year`` (``"2018"``) or ``month`` (``"2018-06"``) column.

    Periods are strings so they can be grouped alongside ``"unknown"``, which is used for
    articles whose date is ``NaT`` (dates are never invented). Strings sort chronologically.
    """
    if freq not in ("year", "month"):
        raise ValueError(f"freq must be 'year' or 'month', not {freq!r}")
    out = df.copy()
    dates = pd.to_datetime(out[date_col])
    fmt = "%Y" if freq == "year" else "%Y-%m"
    out[freq] = dates.dt.strftime(fmt).astype(object).where(dates.notna(), UNKNOWN_PERIOD)
    return out


def explode_subtopics(
    df: pd.DataFrame, column: str = "subtopics", sep: str = ";", name: str = SUBTOPIC_COLUMN
) -> pd.DataFrame:
    """One row per (article, subtopic): the ``sep``-joined ``column`` exploded into ``name``.

    Articles with no subtopic get ``"none"``. The resulting groups overlap (see module docstring).
    """
    out = df.copy()
    out[name] = out[column].fillna("").astype(str).str.split(sep)
    out = out.explode(name, ignore_index=True)
    out[name] = out[name].astype(str).str.strip().replace("", "none")
    return out


def _as_list(by: str | Sequence[str]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def _prepare(df: pd.DataFrame, score: str, by: list[str]) -> tuple[pd.DataFrame, bool]:
    """Rows with a finite score, exploded for subtopics and with periods added as needed."""
    if score not in df.columns:
        raise KeyError(f"score column {score!r} not in the table")
    data = df
    overlapping = False
    if SUBTOPIC_COLUMN in by and SUBTOPIC_COLUMN not in data.columns:
        data = explode_subtopics(data)
        overlapping = True
    for freq in ("year", "month"):
        if freq in by and freq not in data.columns and "date" in data.columns:
            data = add_period(data, freq)
    missing = [c for c in by if c not in data.columns]
    if missing:
        raise KeyError(f"grouping column(s) {missing} not in the table")
    values = pd.to_numeric(data[score], errors="coerce").astype(float)
    keep = np.isfinite(values.to_numpy())
    data = data.loc[keep, by].copy()
    data["_value"] = values[keep].to_numpy()
    for c in by:
        data[c] = data[c].astype(object).where(data[c].notna(), UNKNOWN_PERIOD).astype(str)
    return data, overlapping


def _group_order(keys: list[tuple], by: list[str]) -> list[tuple]:
    """Rating in left-center-right order, ``unknown`` last, everything else alphabetical."""

    def sort_key(key: tuple) -> tuple:
        out = []
        for col, val in zip(by, key, strict=True):
            if col == "rating" and val in RATING_ORDER:
                out.append((0, RATING_ORDER.index(val), ""))
            elif val == UNKNOWN_PERIOD:
                out.append((2, 0, val))
            else:
                out.append((1, 0, val))
        return tuple(out)

    return sorted(keys, key=sort_key)


def _groups(data: pd.DataFrame, by: list[str]) -> dict[tuple, np.ndarray]:
    grouped = {
        (k if isinstance(k, tuple) else (k,)): g["_value"].to_numpy()
        for k, g in data.groupby(by, sort=False)
    }
    return {k: grouped[k] for k in _group_order(list(grouped), by)}


def group_label(key: tuple | str) -> str:
    """Display label of a group key: ``("left", "2018")`` -> ``"left / 2018"``."""
    return " / ".join(map(str, key)) if isinstance(key, tuple) else str(key)


# --------------------------------------------------------------------------- bootstrap
def group_rng(seed: int, key: tuple) -> np.random.Generator:
    """A random stream for one group: depends on ``seed`` and the group's key only."""
    tag = zlib.crc32(repr(tuple(map(str, key))).encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence([int(seed), tag]))


def bootstrap_moments(
    values: np.ndarray, n_boot: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Means and variances (ddof=1) of ``n_boot`` resamples with replacement of ``values``.

    Vectorised: indices are drawn as an ``(n_boot, n)`` integer matrix, in row chunks so at most
    ``_CHUNK_CELLS`` values are in memory at a time.
    """
    values = np.asarray(values, dtype=float)
    n = len(values)
    if n == 0:
        return np.full(n_boot, np.nan), np.full(n_boot, np.nan)
    means = np.empty(n_boot)
    variances = np.empty(n_boot)
    rows = max(1, _CHUNK_CELLS // n)
    for start in range(0, n_boot, rows):
        stop = min(n_boot, start + rows)
        sample = values[rng.integers(0, n, size=(stop - start, n))]
        means[start:stop] = sample.mean(axis=1)
        variances[start:stop] = sample.var(axis=1, ddof=1) if n > 1 else np.nan
    return means, variances


def cluster_resampled_totals(
    per_cluster: Sequence[np.ndarray], n_boot: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Cluster bootstrap: ``n_boot`` resamples of the ``k`` clusters with replacement, and for
    each array of per-cluster totals in ``per_cluster`` (length ``k`` each) its total over every
    resample (one array of ``n_boot`` per input, all from the same resamples). Ratios of these
    totals are resampled pooled means (sum of values / number of texts). Cluster indices are
    drawn in row chunks of at most ``_CHUNK_CELLS``; the draws are the same for any chunking."""
    cols = [np.asarray(c, dtype=float) for c in per_cluster]
    k = len(cols[0])
    out = [np.empty(n_boot) for _ in cols]
    rows = max(1, _CHUNK_CELLS // max(k, 1))
    for start in range(0, n_boot, rows):
        stop = min(n_boot, start + rows)
        idx = rng.integers(0, k, size=(stop - start, k))
        for c, o in zip(cols, out, strict=True):
            o[start:stop] = c[idx].sum(axis=1)
    return out


def _group_bootstraps(
    groups: dict[tuple, np.ndarray], n_boot: int, seed: int
) -> dict[tuple, tuple[np.ndarray, np.ndarray]]:
    """:func:`bootstrap_moments` of every group, each from its own stream (:func:`group_rng`), so
    :func:`group_summary` and :func:`group_differences` resample a group identically."""
    return {k: bootstrap_moments(v, n_boot, group_rng(seed, k)) for k, v in groups.items()}


def _percentile_ci(samples: np.ndarray, ci: float) -> tuple[float, float]:
    finite = samples[np.isfinite(samples)]
    if len(finite) == 0:
        return np.nan, np.nan
    lo, hi = np.quantile(finite, [(1 - ci) / 2, 1 - (1 - ci) / 2])
    return float(lo), float(hi)


def _caution(n: int, min_n: int) -> str:
    return f"n < {min_n}" if n < min_n else ""


# --------------------------------------------------------------------------- summaries
def group_summary(
    df: pd.DataFrame,
    score: str,
    by: str | Sequence[str],
    n_boot: int = 2000,
    seed: int = 0,
    min_n: int = 20,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Mean, median, SD, n and a bootstrap percentile CI of the mean of ``score`` per group.

    ``by`` is a column name or a list of them. ``"year"``/``"month"`` are derived from ``date``
    when absent (``"unknown"`` for NaT) and ``"subtopic"`` explodes ``subtopics`` (groups then
    overlap). Columns: the ``by`` columns, ``group`` (display label), ``n``, ``mean``,
    ``median``, ``sd``, ``ci_low``, ``ci_high``, ``caution`` (``"n < min_n"`` for thin groups,
    ``""`` otherwise). ``attrs`` records score, by, n_boot, seed, ci and min_n.
    """
    by_cols = _as_list(by)
    data, overlapping = _prepare(df, score, by_cols)
    groups = _groups(data, by_cols)
    boots = _group_bootstraps(groups, n_boot, seed)
    rows = []
    for key, vals in groups.items():
        lo, hi = _percentile_ci(boots[key][0], ci)
        rows.append(
            {
                **dict(zip(by_cols, key, strict=True)),
                "group": group_label(key),
                "n": len(vals),
                "mean": float(vals.mean()),
                "median": float(np.median(vals)),
                "sd": float(vals.std(ddof=1)) if len(vals) > 1 else np.nan,
                "ci_low": lo,
                "ci_high": hi,
                "caution": _caution(len(vals), min_n),
            }
        )
    cols = [*by_cols, "group", "n", "mean", "median", "sd", "ci_low", "ci_high", "caution"]
    out = pd.DataFrame(rows, columns=cols)
    out["n"] = out["n"].astype("int64")
    out.attrs.update(
        score=score,
        by=by_cols,
        n_boot=n_boot,
        seed=seed,
        ci=ci,
        min_n=min_n,
        overlapping_groups=overlapping,
    )
    return out


def bootstrap_mean_table(
    df: pd.DataFrame,
    scores: Sequence[str],
    by: str | Sequence[str],
    n_boot: int = 2000,
    seed: int = 0,
    min_n: int = 20,
    ci: float = 0.95,
) -> pd.DataFrame:
    """:func:`group_summary` of several score columns, stacked long: one row per (score, group).

    Columns: ``score`` (the column name), then those of :func:`group_summary`, in the order of
    ``scores``. Each score's rows are exactly ``group_summary(df, score, by, ...)``: a group is
    resampled from the stream of ``seed`` and its key, whatever the score, so adding or removing
    scores changes no number. ``attrs`` records scores, by, n_boot, seed, ci, min_n and
    ``overlapping_groups`` (true when any score's groups overlap). Raises ``KeyError`` for a
    score column ``df`` lacks, ``ValueError`` when ``scores`` is empty or ``by`` has a column
    named ``score``.
    """
    scores = list(scores)
    if not scores:
        raise ValueError("bootstrap_mean_table needs at least one score column")
    if "score" in _as_list(by):
        raise ValueError("cannot group by a column named 'score' (the output's score column)")
    parts = []
    for score in scores:
        s = group_summary(df, score, by, n_boot=n_boot, seed=seed, min_n=min_n, ci=ci)
        s.insert(0, "score", score)
        parts.append(s)
    out = pd.concat(parts, ignore_index=True)
    out.attrs = {
        "scores": scores,
        "by": _as_list(by),
        "n_boot": n_boot,
        "seed": seed,
        "ci": ci,
        "min_n": min_n,
        "overlapping_groups": any(p.attrs["overlapping_groups"] for p in parts),
    }
    return out


def _cohens_d(mean_a, mean_b, var_a, var_b, n_a: int, n_b: int):
    """Cohen's d with the pooled SD; works elementwise on bootstrap arrays."""
    dof = n_a + n_b - 2
    if dof <= 0:
        return np.full(np.shape(mean_a), np.nan) if np.ndim(mean_a) else np.nan
    pooled = np.sqrt(((n_a - 1) * var_a + (n_b - 1) * var_b) / dof)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pooled > 0, (mean_a - mean_b) / pooled, np.nan)


def holm_adjust(pvalues: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1), in input order.

    NaN p-values stay NaN and do not count towards the number of tests.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    if len(ok) == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    m = len(order)
    adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out[order] = np.minimum(adj, 1.0)
    return out


def group_differences(
    df: pd.DataFrame,
    score: str,
    by: str | Sequence[str],
    reference: str | tuple | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    min_n: int = 20,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Difference in mean ``score`` between groups, pairwise or against ``reference``.

    One row per ordered pair ``(group_a, group_b)`` with ``diff = mean_a - mean_b``: all pairs in
    display order (left-center-right for ratings) or, with ``reference``, every other group
    against it (``reference`` is a group value, or a tuple of values when grouping by several
    columns, e.g. ``("center", "2018")``). Columns: ``group_a``, ``group_b``, ``n_a``, ``n_b``,
    ``mean_a``, ``mean_b``,
    ``diff``, ``diff_ci_low``, ``diff_ci_high`` (bootstrap percentile CI, groups resampled
    independently with the same streams as :func:`group_summary`), ``cohens_d`` (pooled SD) with
    ``d_ci_low``/``d_ci_high`` (bootstrap), ``mw_u`` and ``mw_p`` (two-sided Mann-Whitney U,
    scipy), ``mw_p_holm`` (Holm-adjusted over the rows of this table) and ``caution``
    (set when either group has fewer than ``min_n`` articles).

    Swapping the two groups negates ``diff``, ``cohens_d`` and mirrors their intervals; the
    p-value is unchanged.
    """
    by_cols = _as_list(by)
    data, overlapping = _prepare(df, score, by_cols)
    groups = _groups(data, by_cols)
    keys = list(groups)
    if reference is not None:
        ref_key = reference if isinstance(reference, tuple) else (str(reference),)
        if ref_key not in groups:
            raise KeyError(
                f"reference group {reference!r} not among {list(map(group_label, keys))}"
            )
        pairs = [(k, ref_key) for k in keys if k != ref_key]
    else:
        pairs = list(itertools.combinations(keys, 2))
    boots = _group_bootstraps(groups, n_boot, seed)
    rows = []
    for a, b in pairs:
        va, vb = groups[a], groups[b]
        na, nb = len(va), len(vb)
        (ma_boot, var_a_boot), (mb_boot, var_b_boot) = boots[a], boots[b]
        sa = va.var(ddof=1) if na > 1 else np.nan
        sb = vb.var(ddof=1) if nb > 1 else np.nan
        d = float(_cohens_d(va.mean(), vb.mean(), sa, sb, na, nb))
        d_boot = _cohens_d(ma_boot, mb_boot, var_a_boot, var_b_boot, na, nb)
        diff_lo, diff_hi = _percentile_ci(ma_boot - mb_boot, ci)
        d_lo, d_hi = _percentile_ci(np.asarray(d_boot, dtype=float), ci)
        try:
            mw = stats.mannwhitneyu(va, vb, alternative="two-sided")
            u, p = float(mw.statistic), float(mw.pvalue)
        except ValueError:
            u, p = np.nan, np.nan
        rows.append(
            {
                "group_a": group_label(a),
                "group_b": group_label(b),
                "n_a": na,
                "n_b": nb,
                "mean_a": float(va.mean()),
                "mean_b": float(vb.mean()),
                "diff": float(va.mean() - vb.mean()),
                "diff_ci_low": diff_lo,
                "diff_ci_high": diff_hi,
                "cohens_d": d,
                "d_ci_low": d_lo,
                "d_ci_high": d_hi,
                "mw_u": u,
                "mw_p": p,
                "caution": _caution(min(na, nb), min_n),
            }
        )
    cols = [
        "group_a", "group_b", "n_a", "n_b", "mean_a", "mean_b", "diff", "diff_ci_low",
        "diff_ci_high", "cohens_d", "d_ci_low", "d_ci_high", "mw_u", "mw_p", "mw_p_holm",
        "caution",
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=[c for c in cols if c != "mw_p_holm"])
    out.insert(cols.index("mw_p_holm"), "mw_p_holm", holm_adjust(out["mw_p"].to_numpy()))
    out.attrs.update(
        score=score,
        by=by_cols,
        reference=reference,
        n_boot=n_boot,
        seed=seed,
        ci=ci,
        min_n=min_n,
        overlapping_groups=overlapping,
    )
    return out


# --------------------------------------------------------------------------- charts
def _fmt(x: float) -> str:
    return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def _wrap(text: str, width: int = 90) -> str:
    import textwrap

    return textwrap.fill(text, width)


def summary_finding(summary: pd.DataFrame, score_label: str) -> str:
    """One-line finding from a :func:`group_summary` table (highest vs lowest group).

    States whether the two groups' intervals overlap, so the title never claims more than the
    data show.
    """
    if summary.empty:
        return f"{score_label}: no data"
    if len(summary) == 1:
        row = summary.iloc[0]
        return f"{score_label}: mean {_fmt(row['mean'])} ({row['group']}, {n_label(row['n'])})"
    solid = summary[~summary["caution"].astype(bool)] if "caution" in summary else summary
    note = ""
    if 1 < len(solid) < len(summary):
        note = f" (among groups with n >= {summary.attrs.get('min_n', 20)})"
    else:
        solid = summary if len(solid) < 2 else solid
    hi = solid.loc[solid["mean"].idxmax()]
    lo = solid.loc[solid["mean"].idxmin()]
    overlap = hi["ci_low"] <= lo["ci_high"]
    verdict = "intervals overlap" if overlap else "intervals do not overlap"
    return (
        f"{score_label}: highest in {hi['group']} ({_fmt(hi['mean'])}), lowest in "
        f"{lo['group']} ({_fmt(lo['mean'])}){note}; {verdict}"
    )


def _group_color(row: pd.Series, by: list[str]) -> str:
    """Rating colour when the grouping includes the rating, else the first house colour."""
    if "rating" in by and row.get("rating") in RATING_COLORS:
        return RATING_COLORS[row["rating"]]
    return OKABE_ITO[0]


def plot_group_summary(summary: pd.DataFrame, score_label: str, title: str | None = None):
    """Point + CI error bars per group (one row per group), ``n`` in the tick labels.

    Groups rated left/center/right are drawn in the rating colours; thin groups (``caution``)
    are drawn hollow and the legend says why. The default title states the finding
    (:func:`summary_finding`). Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    use_style()
    by = list(summary.attrs.get("by", []))
    n_groups = len(summary)
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.4 * n_groups + 1.5)))
    y = np.arange(n_groups)[::-1]
    thin_drawn = False
    for yy, (_, row) in zip(y, summary.iterrows(), strict=True):
        color = _group_color(row, by)
        thin = bool(row.get("caution", ""))
        thin_drawn |= thin
        interval_point(
            ax,
            row["mean"],
            yy,
            row["ci_low"],
            row["ci_high"],
            color=color,
            hollow=thin,
            capsize=3,
            lw=1.5,
        )
    ax.set_yticks(y)
    ax.set_yticklabels([f"{g} ({n_label(n)})" for g, n in zip(summary["group"], summary["n"])])
    ci = summary.attrs.get("ci", 0.95)
    ax.set_xlabel(f"{score_label} (mean per article, {ci:.0%} bootstrap CI)")
    ax.grid(axis="y", alpha=0)
    if thin_drawn:
        min_n = summary.attrs.get("min_n", 20)
        ax.plot([], [], "o", color="grey", markerfacecolor="white", label=f"n < {min_n}: caution")
        ax.legend(loc="best")
    finding_title(fig, _wrap(title or summary_finding(summary, score_label)))
    return fig


def plot_over_time(
    summary: pd.DataFrame,
    score_label: str,
    period: str = "year",
    group: str = "rating",
    title: str | None = None,
):
    """Lines with CI bands per ``group`` over ``period`` from ``group_summary(df, score,
    [group, period])``. ``"unknown"`` periods are left out (their count is given in the x label);
    thin cells (``caution``) are drawn as hollow markers. Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    use_style()
    known = summary[summary[period] != UNKNOWN_PERIOD]
    n_unknown = int(summary.loc[summary[period] == UNKNOWN_PERIOD, "n"].sum())
    periods = sorted(known[period].unique())
    x_of = {p: i for i, p in enumerate(periods)}
    fig, ax = plt.subplots(figsize=(9, 4.5))
    levels = [g for g in RATING_ORDER if g in set(known[group])] if group == "rating" else []
    levels += sorted(set(known[group]) - set(levels))
    leaders: dict[str, int] = {}
    for _, cell in known.groupby(period):
        if len(cell) > 1 and not cell["caution"].astype(bool).any():
            lead = cell.loc[cell["mean"].idxmax(), group]
            leaders[lead] = leaders.get(lead, 0) + 1
    for i, level in enumerate(levels):
        sub = known[known[group] == level].sort_values(period)
        color = RATING_COLORS.get(level, OKABE_ITO[i % len(OKABE_ITO)])
        x = sub[period].map(x_of).to_numpy()
        ax.plot(x, sub["mean"], "-", color=color, label=f"{level} ({n_label(int(sub['n'].sum()))})")
        ax.fill_between(x, sub["ci_low"], sub["ci_high"], color=color, alpha=0.18, lw=0)
        thin = sub["caution"].astype(bool).to_numpy()
        ax.plot(x[~thin], sub["mean"].to_numpy()[~thin], "o", color=color, ms=4)
        ax.plot(x[thin], sub["mean"].to_numpy()[thin], "o", color=color, ms=5, mfc="white")
    ax.set_xticks(range(len(periods)))
    ax.set_xticklabels(periods, rotation=0 if period == "year" else 90)
    ax.set_xlabel(
        f"{period} of publication"
        + (f" ({n_unknown:,} undated articles not shown)" if n_unknown else "")
    )
    ci = summary.attrs.get("ci", 0.95)
    ax.set_ylabel(f"{score_label}\n(mean per article, {ci:.0%} CI)")
    min_n = summary.attrs.get("min_n", 20)
    ax.plot([], [], "o", color="grey", mfc="white", label=f"n < {min_n}: caution")
    ax.legend(loc="best", fontsize=8)
    if title is None:
        if leaders:
            top, count = max(leaders.items(), key=lambda kv: (kv[1], kv[0]))
            title = (
                f"{score_label}: {top} has the highest mean in {count} of "
                f"{sum(leaders.values())} {period}s with n >= {min_n} in every group "
                f"(bands: {ci:.0%} CI)"
            )
        else:
            title = f"{score_label} by {period}"
    fig.suptitle(_wrap(title), x=0.01, ha="left", fontsize=10, fontweight="bold")
    fig.tight_layout()
    return fig


def plot_group_differences(diffs: pd.DataFrame, score_label: str, title: str | None = None):
    """Forest plot of a :func:`group_differences` table: each difference with its bootstrap CI,
    a zero line, and Cohen's d and both n in the labels. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    use_style()
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.45 * len(diffs) + 1.5)))
    y = np.arange(len(diffs))[::-1]
    for yy, (_, row) in zip(y, diffs.iterrows(), strict=True):
        excludes_zero = row["diff_ci_low"] > 0 or row["diff_ci_high"] < 0
        color = OKABE_ITO[3] if excludes_zero else "#7F7F7F"
        thin = bool(row.get("caution", ""))
        interval_point(
            ax,
            row["diff"],
            yy,
            row["diff_ci_low"],
            row["diff_ci_high"],
            color=color,
            hollow=thin,
            capsize=3,
        )
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{r.group_a} ({r.n_a:,}) - {r.group_b} ({r.n_b:,}); d = {r.cohens_d:.2f}"
            for r in diffs.itertuples()
        ],
        fontsize=8,
    )
    ci = diffs.attrs.get("ci", 0.95)
    ax.set_xlabel(f"difference in mean {score_label} ({ci:.0%} bootstrap CI)")
    ax.grid(axis="y", alpha=0)
    if title is None:
        clear = diffs[(diffs["diff_ci_low"] > 0) | (diffs["diff_ci_high"] < 0)]
        title = (
            f"{score_label}: {len(clear)} of {len(diffs)} differences have a {ci:.0%} CI "
            "that excludes zero (coloured; n per group in brackets)"
        )
    fig.suptitle(_wrap(title), x=0.01, ha="left", fontsize=10, fontweight="bold")
    fig.tight_layout()
    return fig
