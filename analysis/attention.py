"""Attention: what share of a group's total coverage is tech policy (and each subtopic).

The denominator is every article the source holds for the group and period (for the shipped
corpus: ``metadata_all.csv.gz``, all 37,554 AllSides articles, listed in the manifest under
``attention``). Ratios come with raw counts beside them and Wilson 95% intervals, because a share
of a small month is noisy. Articles with no usable date are counted in an ``unknown`` period
rather than dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dates import parse_dates


def wilson_interval(k: np.ndarray | int, n: np.ndarray | int, z: float = 1.96):
    """Wilson score interval for ``k`` successes in ``n`` trials (vectorised); NaN when n == 0."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    lo, hi = centre - half, centre + half
    return np.where(n > 0, lo, np.nan), np.where(n > 0, hi, np.nan)


def attention_denominator(corpus: str = "allsides_techpolicy") -> pd.DataFrame:
    """All coverage of the corpus's source (the manifest's ``attention.file``), with parsed dates.

    Columns: ``doc_id``, ``rating`` (from ``attention.rating_column``), ``outlet_raw``, ``date``,
    ``date_raw``, ``topic``.
    """
    from .corpus import resolve_target

    manifest_path, manifest, _ = resolve_target(corpus)
    manifest = manifest or {}
    att = manifest.get("attention") or {}
    if not att.get("file"):
        raise ValueError(f"corpus {corpus!r} has no 'attention.file' in its manifest")
    path = manifest_path.parent / att["file"]
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    dates, _ = parse_dates(raw["date"], manifest.get("date_formats"))
    return pd.DataFrame(
        {
            "doc_id": raw["ID"],
            "rating": raw[att.get("rating_column", "bias_text")],
            "outlet_raw": raw["source"],
            "date": dates.values,
            "date_raw": raw["date"],
            "topic": raw.get("topic", ""),
        }
    )


def period_labels(dates: pd.Series, freq: str = "year") -> pd.Series:
    """ "2019" / "2019-06" / "unknown" labels for grouping by period."""
    d = pd.to_datetime(dates)
    if freq == "year":
        lab = d.dt.year.astype("Int64").astype(str)
    elif freq == "month":
        lab = d.dt.strftime("%Y-%m")
    else:
        raise ValueError("freq must be 'year' or 'month'")
    return lab.where(d.notna(), "unknown").astype(str)


def attention_table(
    study: pd.DataFrame,
    denominator: pd.DataFrame,
    group: str = "rating",
    freq: str = "year",
    subtopics: bool = False,
) -> pd.DataFrame:
    """Share of each group's coverage per period that is in ``study``.

    Returns ``group, period, [subtopic], n_total, n_study, share, share_lo, share_hi``.
    ``study`` articles must be a subset of ``denominator`` (matched on ``doc_id``); rows of the
    study that are not in the denominator are ignored and counted in ``attrs["unmatched"]``.
    """
    den = denominator.assign(period=period_labels(denominator["date"], freq))
    totals = den.groupby([group, "period"], observed=True).size().rename("n_total")
    matched = study[study["doc_id"].isin(den["doc_id"])]
    st = matched[["doc_id"]].merge(den[["doc_id", group, "period"]], on="doc_id", how="left")
    if subtopics:
        sub_cols = [c for c in study.columns if c.startswith("sub_")]
        long = matched[["doc_id", *sub_cols]].melt("doc_id", var_name="subtopic", value_name="on")
        long = long[long["on"]].drop(columns="on")
        long["subtopic"] = long["subtopic"].str.removeprefix("sub_")
        st = long.merge(st, on="doc_id", how="left")
        counts = st.groupby([group, "period", "subtopic"], observed=True).size().rename("n_study")
        out = counts.reset_index().merge(totals.reset_index(), on=[group, "period"], how="left")
        # every (group, period, subtopic) combination, zeros included
        subs = sorted(long["subtopic"].unique())
        grid = totals.reset_index().merge(pd.DataFrame({"subtopic": subs}), how="cross")
        out = grid.merge(out.drop(columns="n_total"), on=[group, "period", "subtopic"], how="left")
    else:
        counts = st.groupby([group, "period"], observed=True).size().rename("n_study")
        out = totals.reset_index().merge(counts.reset_index(), on=[group, "period"], how="left")
    out["n_study"] = out["n_study"].fillna(0).astype(int)
    out["share"] = out["n_study"] / out["n_total"]
    lo, hi = wilson_interval(out["n_study"].to_numpy(), out["n_total"].to_numpy())
    out["share_lo"], out["share_hi"] = lo, hi
    out = out.sort_values([c for c in (group, "period", "subtopic") if c in out.columns])
    out = out.reset_index(drop=True)
    out.attrs["unmatched"] = int(len(study) - len(matched))
    return out
