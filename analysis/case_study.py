"""Case study: how the June 2020 facial-recognition exits were framed (notebook 06).

IBM said it would leave the facial-recognition business (8 June 2020), Amazon announced a one-year
moratorium on police use of Rekognition (10 June) and Microsoft said it would not sell the
technology to police (11 June). The seed article (``data/corpora/seed_article``) tells that story;
this module finds the corpus articles on the same subject and compares how the companies (and the
police) are framed there and in the seed, with the same scoring pipeline.

Which articles are "about facial recognition" (:func:`facial_recognition_articles`): a study
article is in the case set when

* its ``subtopics`` include ``facial_recognition`` (the versioned selection rules), or
* its title plus text match :data:`FR_PATTERN` (``facial recognition``, ``face recognition``,
  ``face-recognition``, ``Rekognition``, ``Clearview``) at least :data:`MIN_TERM_MATCHES` times,
  or once in the title.

A single passing mention in the body does not qualify: on the shipped corpus such articles are
about other things (net neutrality votes, Huawei, a Supreme Court case). The table from
:func:`case_article_table` keeps ``n_terms`` and ``rule`` so a reader sees why each article is in.

Groups (nested, so they overlap; no test between them): ``all dates`` (every case article),
``2019-2020``, ``June 2020`` (1-30 June) and ``seed article``. Articles without a date are only in
``all dates``.

Measures, per group and actor (IBM, Amazon, Microsoft, police/law enforcement):

* actor-targeted sentiment of each mention (``scores.mentions.score`` = P(positive) -
  P(negative) of the shipped target model, -1..1), also split by voice and outlet rating;
* cue rates: the share of sentences mentioning the actor that contain at least one evaluative cue
  of ``praise``, ``strategic_motive`` or ``controversy`` (lexicon hits joined to mentions by
  ``doc_id`` + ``sent_idx``).

Mentions and sentences are clustered in articles, so intervals are cluster bootstraps that
resample *articles* (percentile, seeded per group like :mod:`analysis.compare`). With fewer than
:data:`MIN_CI_ARTICLES` articles no interval is computed, and every summary row carries ``note``,
which says when n is too small for inference.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .compare import cluster_resampled_totals, group_rng
from .plots import OKABE_ITO, RATING_COLORS, RATING_ORDER, use_style

FR_SUBTOPIC = "facial_recognition"
FR_PATTERN = re.compile(
    r"\b(?:facial|face)[\s-]+recognition\b|\bRekognition\b|\bClearview\b", re.IGNORECASE
)
MIN_TERM_MATCHES = 2
CASE_COMPANIES = ("IBM", "Amazon", "Microsoft")
POLICE = "police/law enforcement"
CASE_ACTORS = (*CASE_COMPANIES, POLICE)
CUE_CATEGORIES = ("praise", "strategic_motive", "controversy")
CUE_LEXICON = "evaluative"
JUNE_2020 = ("2020-06-01", "2020-06-30")
YEARS_2019_2020 = ("2019-01-01", "2020-12-31")
ALL_DATES, YEARS_GROUP, JUNE_GROUP, SEED_GROUP = (
    "all dates",
    "2019-2020",
    "June 2020",
    "seed article",
)
GROUP_ORDER = [ALL_DATES, YEARS_GROUP, JUNE_GROUP, SEED_GROUP]
GROUP_COLORS = dict(zip(GROUP_ORDER, [OKABE_ITO[0], OKABE_ITO[2], OKABE_ITO[1], OKABE_ITO[7]]))
MIN_CI_ARTICLES = 5
MIN_INFERENCE_ARTICLES = 20


# --------------------------------------------------------------------------- the case set
def fr_term_counts(articles: pd.DataFrame) -> pd.DataFrame:
    """``doc_id, n_terms, n_title_terms``: matches of :data:`FR_PATTERN` in title + text."""
    title = articles.get("title", pd.Series("", index=articles.index)).fillna("").astype(str)
    text = articles.get("text", pd.Series("", index=articles.index)).fillna("").astype(str)
    n_title = title.str.count(FR_PATTERN)
    return pd.DataFrame(
        {
            "doc_id": articles["doc_id"].to_numpy(),
            "n_terms": (n_title + text.str.count(FR_PATTERN)).to_numpy(),
            "n_title_terms": n_title.to_numpy(),
        }
    )


def _has_subtopic(articles: pd.DataFrame, subtopic: str) -> pd.Series:
    if "subtopics" not in articles.columns:
        return pd.Series(False, index=articles.index)
    return (
        articles["subtopics"]
        .fillna("")
        .astype(str)
        .str.split(";")
        .apply(lambda xs: subtopic in [x.strip() for x in xs])
    )


def facial_recognition_articles(articles: pd.DataFrame) -> pd.DataFrame:
    """The case set: articles tagged ``facial_recognition`` or matching :data:`FR_PATTERN` at least
    :data:`MIN_TERM_MATCHES` times (or once in the title); see the module docstring.

    Returns those rows of ``articles`` plus ``n_terms`` and ``rule`` (``"subtopic"``,
    ``"terms"`` or ``"subtopic+terms"``), in the input order.
    """
    counts = fr_term_counts(articles)
    by_terms = (counts["n_terms"].to_numpy() >= MIN_TERM_MATCHES) | (
        counts["n_title_terms"].to_numpy() > 0
    )
    by_sub = _has_subtopic(articles, FR_SUBTOPIC).to_numpy()
    keep = by_terms | by_sub
    rule = np.where(by_sub & by_terms, "subtopic+terms", np.where(by_sub, "subtopic", "terms"))
    out = articles.loc[keep].copy()
    out["n_terms"] = counts["n_terms"].to_numpy()[keep]
    out["rule"] = rule[keep]
    return out.reset_index(drop=True)


def _in_window(dates: pd.Series, window: tuple[str, str]) -> pd.Series:
    d = pd.to_datetime(dates, errors="coerce")
    return (d >= pd.Timestamp(window[0])) & (d <= pd.Timestamp(window[1]))


def case_groups(case: pd.DataFrame, seed_ids=()) -> pd.DataFrame:
    """``doc_id, group``: every case article in ``all dates``, dated ones also in ``2019-2020`` and
    ``June 2020`` when they fall there, and the ``seed_ids`` in ``seed article`` only."""
    rows = [pd.DataFrame({"doc_id": case["doc_id"], "group": ALL_DATES})]
    if "date" in case.columns:
        for group, window in ((YEARS_GROUP, YEARS_2019_2020), (JUNE_GROUP, JUNE_2020)):
            inside = _in_window(case["date"], window)
            rows.append(pd.DataFrame({"doc_id": case.loc[inside, "doc_id"], "group": group}))
    rows.append(pd.DataFrame({"doc_id": list(seed_ids), "group": SEED_GROUP}))
    return pd.concat(rows, ignore_index=True)


def case_article_table(case: pd.DataFrame) -> pd.DataFrame:
    """One row per case article: ``date, outlet, rating, title, n_terms, rule, in_2019_2020,
    in_june_2020, doc_id``, sorted by date (undated last)."""
    out = pd.DataFrame({"doc_id": case["doc_id"]})
    for c in ("date", "outlet", "rating", "title"):
        out[c] = case[c].to_numpy() if c in case.columns else pd.NA
    out["n_terms"] = case["n_terms"].to_numpy()
    out["rule"] = case["rule"].to_numpy()
    has_date = "date" in case.columns
    out["in_2019_2020"] = (
        _in_window(case["date"], YEARS_2019_2020).to_numpy() if has_date else False
    )
    out["in_june_2020"] = _in_window(case["date"], JUNE_2020).to_numpy() if has_date else False
    if has_date:
        out["date"] = pd.to_datetime(out["date"], errors="coerce").dt.strftime("%Y-%m-%d")
    cols = ["date", "outlet", "rating", "title", "n_terms", "rule", "in_2019_2020"]
    out = out[[*cols, "in_june_2020", "doc_id"]]
    return out.sort_values(["date", "doc_id"], na_position="last", kind="stable").reset_index(
        drop=True
    )


# --------------------------------------------------------------------------- mentions + cues
def mention_cue_table(
    mentions: pd.DataFrame,
    hits: pd.DataFrame,
    docs: pd.DataFrame | None = None,
    actors=CASE_ACTORS,
    categories=CUE_CATEGORIES,
    lexicon: str = CUE_LEXICON,
) -> pd.DataFrame:
    """One row per mention of ``actors``: ``doc_id, sent_idx, actor, voice, score, label`` plus,
    for each cue category, ``cue_<category>`` (1 if the mention's sentence has at least one
    non-negated hit of ``lexicon``.``category``, else 0) and the article's ``rating`` (from
    ``docs``; ``"unknown"`` without it). Hits join mentions on ``doc_id`` + ``sent_idx``."""
    cols = ["doc_id", "sent_idx", "actor", "voice", "score", "label"]
    m = mentions[mentions["actor"].isin(list(actors))] if len(mentions) else mentions
    out = (
        m[cols].copy()
        if len(m)
        else pd.DataFrame(
            {c: pd.Series(dtype="float64" if c == "score" else "object") for c in cols}
        )
    )
    for cat in categories:
        if len(hits):
            h = hits[(hits["lexicon"] == lexicon) & (hits["category"] == cat) & ~hits["negated"]]
            keys = set(zip(h["doc_id"], h["sent_idx"]))
        else:
            keys = set()
        out[f"cue_{cat}"] = [int((d, s) in keys) for d, s in zip(out["doc_id"], out["sent_idx"])]
    rating = "unknown"
    if docs is not None and "rating" in docs.columns:
        rmap = docs.set_index("doc_id")["rating"].fillna("").astype(str)
        rating = out["doc_id"].map(rmap).replace("", "unknown").fillna("unknown")
    out["rating"] = rating
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- uncertainty
def n_note(n_articles: int) -> str:
    """What a group of ``n_articles`` articles allows: none, indicative, or ordinary inference."""
    if n_articles < MIN_CI_ARTICLES:
        return f"too few articles for any inference (n = {n_articles} < {MIN_CI_ARTICLES})"
    if n_articles < MIN_INFERENCE_ARTICLES:
        return f"small n ({n_articles} articles): interval only indicative"
    return ""


def cluster_bootstrap_ci(
    values: np.ndarray,
    clusters: np.ndarray,
    n_boot: int = 2000,
    rng: np.random.Generator | None = None,
    ci: float = 0.95,
) -> tuple[float, float]:
    """Percentile CI of the pooled mean of ``values`` when whole ``clusters`` (articles) are
    resampled with replacement; ``(nan, nan)`` with fewer than two clusters."""
    values = np.asarray(values, dtype=float)
    codes, uniq = pd.factorize(pd.Series(clusters))
    k = len(uniq)
    if k < 2:
        return np.nan, np.nan
    sums = np.bincount(codes, weights=values, minlength=k)
    counts = np.bincount(codes, minlength=k).astype(float)
    rng = rng or np.random.default_rng(0)
    boot_sums, boot_counts = cluster_resampled_totals([sums, counts], n_boot, rng)
    means = boot_sums / boot_counts
    lo, hi = np.quantile(means, [(1 - ci) / 2, 1 - (1 - ci) / 2])
    return float(lo), float(hi)


def _summarise(
    data: pd.DataFrame, value: str, by: list[str], n_boot: int, seed: int, unit: str
) -> pd.DataFrame:
    rows = []
    for key, g in data.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        n_art = int(g["doc_id"].nunique())
        lo, hi = (np.nan, np.nan)
        if n_art >= MIN_CI_ARTICLES:
            lo, hi = cluster_bootstrap_ci(
                g[value].to_numpy(), g["doc_id"].to_numpy(), n_boot, group_rng(seed, key)
            )
        rows.append(
            {
                **dict(zip(by, key, strict=True)),
                "n_articles": n_art,
                unit: len(g),
                "mean": float(g[value].mean()),
                "ci_low": lo,
                "ci_high": hi,
                "note": n_note(n_art),
            }
        )
    out = pd.DataFrame(rows, columns=[*by, "n_articles", unit, "mean", "ci_low", "ci_high", "note"])
    return _ordered(out, by)


def _value_orders() -> dict[str, list]:
    """Display order of the values of each grouping column (tables and charts share it)."""
    return {
        "group": GROUP_ORDER,
        "actor": list(CASE_ACTORS),
        "rating": [*RATING_ORDER, "unknown"],
        "voice": ["reporter", "quoted"],
        "category": list(CUE_CATEGORIES),
    }


def _ordered(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    orders = _value_orders()
    keys = []
    for c in by:
        order = orders.get(c)
        if order:
            keys.append(df[c].map(lambda v, o=order: o.index(v) if v in o else len(o)))
        else:
            keys.append(df[c].astype(str))
    if not len(df):
        return df
    tmp = pd.concat(keys, axis=1, keys=range(len(keys)))
    return df.loc[tmp.sort_values(list(range(len(keys))), kind="stable").index].reset_index(
        drop=True
    )


def _with_groups(table: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    return table.merge(groups, on="doc_id", how="inner")


def actor_sentiment_summary(
    table: pd.DataFrame,
    groups: pd.DataFrame,
    by=("group", "actor"),
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean actor-targeted sentiment (``score``) per ``by`` (from ``group``, ``actor``, ``voice``,
    ``rating``) with ``n_articles``, ``n_mentions``, a cluster-bootstrap CI (articles resampled;
    none below :data:`MIN_CI_ARTICLES` articles), ``share_negative``/``share_positive`` of the
    model labels and ``note``."""
    data = _with_groups(table, groups)
    by = list(by)
    out = _summarise(data, "score", by, n_boot, seed, "n_mentions")
    shares = (
        data.assign(
            neg=(data["label"] == "negative").astype(float),
            pos=(data["label"] == "positive").astype(float),
        )
        .groupby(by, sort=False)[["neg", "pos"]]
        .mean()
    )
    shares.columns = ["share_negative", "share_positive"]
    out = out.merge(shares.reset_index(), on=by, how="left")
    cols = [*by, "n_articles", "n_mentions", "mean", "ci_low", "ci_high"]
    return out[[*cols, "share_negative", "share_positive", "note"]]


def cue_rate_summary(
    table: pd.DataFrame,
    groups: pd.DataFrame,
    by=("group", "actor"),
    categories=CUE_CATEGORIES,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Share of sentences mentioning an actor that carry a cue of each category, per ``by`` and
    ``category``: ``n_articles``, ``n_sentences`` (distinct doc/sentence/actor), ``n_with_cue``,
    ``mean`` (the share), cluster-bootstrap ``ci_low``/``ci_high`` and ``note``."""
    by = list(by)
    sent_cols = ["doc_id", "sent_idx", "actor", *[c for c in by if c not in ("group", "actor")]]
    cue_cols = [f"cue_{c}" for c in categories]
    sents = table.drop_duplicates(["doc_id", "sent_idx", "actor"])[sent_cols + cue_cols]
    long = sents.melt(id_vars=sent_cols, value_vars=cue_cols, var_name="category", value_name="y")
    long["category"] = long["category"].str.removeprefix("cue_")
    data = _with_groups(long, groups)
    out = _summarise(data, "y", [*by, "category"], n_boot, seed, "n_sentences")
    with_cue = data.groupby([*by, "category"], sort=False)["y"].sum().rename("n_with_cue")
    out = out.merge(with_cue.reset_index(), on=[*by, "category"], how="left")
    cols = [*by, "category", "n_articles", "n_sentences", "n_with_cue", "mean", "ci_low"]
    return out[[*cols, "ci_high", "note"]]


def seed_comparison(summary: pd.DataFrame, keys=("actor",)) -> pd.DataFrame:
    """The seed article's value of each measure beside every corpus group's mean and CI.

    ``summary`` is an :func:`actor_sentiment_summary` or :func:`cue_rate_summary` table.
    Columns: ``keys``, ``group``, ``n_articles``, ``corpus_mean``, ``ci_low``, ``ci_high``,
    ``seed_value``, ``seed_minus_corpus`` and ``seed_vs_interval`` (``above``/``below``/
    ``inside`` the corpus interval, or ``no interval`` when n is too small for one).
    """
    keys = [k for k in keys if k in summary.columns]
    seed = summary[summary["group"] == SEED_GROUP][[*keys, "mean"]]
    seed = seed.rename(columns={"mean": "seed_value"})
    corpus = summary[summary["group"] != SEED_GROUP]
    out = corpus[[*keys, "group", "n_articles", "mean", "ci_low", "ci_high"]].rename(
        columns={"mean": "corpus_mean"}
    )
    out = out.merge(seed, on=keys, how="left")
    out["seed_minus_corpus"] = out["seed_value"] - out["corpus_mean"]
    verdict = np.where(
        out["ci_low"].isna() | out["seed_value"].isna(),
        np.where(out["seed_value"].isna(), "seed has no value", "no interval"),
        np.where(
            out["seed_value"] > out["ci_high"],
            "above",
            np.where(out["seed_value"] < out["ci_low"], "below", "inside"),
        ),
    )
    out["seed_vs_interval"] = verdict
    return out.reset_index(drop=True)


def n_summary(summary: pd.DataFrame, label: str, keys=("group", "actor")) -> str:
    """Plain-text lines stating what each row rests on (articles, mentions/sentences, CI, note)."""
    unit = "n_mentions" if "n_mentions" in summary.columns else "n_sentences"
    lines = [f"{label}:"]
    for _, r in summary.iterrows():
        key = " / ".join(str(r[k]) for k in keys if k in summary.columns)
        ci = (
            f"95% CI {r['ci_low']:+.2f} to {r['ci_high']:+.2f}"
            if pd.notna(r["ci_low"])
            else "no CI"
        )
        note = f" - {r['note']}" if r["note"] else ""
        lines.append(
            f"  {key}: mean {r['mean']:+.2f} ({r['n_articles']} articles, "
            f"{r[unit]} {unit.removeprefix('n_')}; {ci}){note}"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- charts
def plot_intervals(
    summary: pd.DataFrame,
    panel: str,
    row: str = "group",
    color: str = "group",
    xlabel: str = "",
    title: str = "",
    ref: float | None = None,
    row_order: list | None = None,
):
    """Point + CI per row, one panel per value of ``panel``; each point labelled with its n
    (``articles/mentions`` or ``articles/sentences``). Points with too few articles for a CI are
    hollow; the seed article (group ``seed article``) is a diamond. When ``color`` differs from
    ``row`` the colour groups are dodged vertically within each row and get a legend."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    use_style()
    unit = "n_mentions" if "n_mentions" in summary.columns else "n_sentences"
    panels = [p for p in _order_values(summary[panel], panel)] if len(summary) else []
    rows = row_order or (_order_values(summary[row], row) if len(summary) else [])
    hues = _order_values(summary[color], color) if len(summary) and color != row else []
    if hues and summary.groupby([panel, row])[color].nunique().max() < 2:
        hues = []  # one colour per row: nothing to dodge
    legend_hues = _order_values(summary[color], color) if len(summary) and color != row else []
    step = 0.6 / max(1, len(hues))
    n_p = max(1, len(panels))
    fig, axes = plt.subplots(
        1,
        n_p,
        figsize=(3.1 * n_p + 1.2, 0.5 * max(2, len(rows)) + 1.8),
        sharey=True,
        sharex=True,
        squeeze=False,
    )
    axes = axes[0]
    ypos = {r: i for i, r in enumerate(rows)}
    colors = _colors(color)
    for ax, p in zip(axes, panels):
        sub = summary[summary[panel] == p]
        for _, r in sub.iterrows():
            y = ypos[r[row]]
            if hues:
                y += (hues.index(r[color]) - (len(hues) - 1) / 2) * step
            c = colors.get(r[color], OKABE_ITO[0])
            seed = r.get("group") == SEED_GROUP
            if pd.notna(r["ci_low"]):
                ax.plot([r["ci_low"], r["ci_high"]], [y, y], color=c, lw=2)
            hollow = pd.isna(r["ci_low"]) and not seed
            ax.plot(
                r["mean"], y, marker="D" if seed else "o", ms=7,
                mfc="white" if hollow else c, mec=c, mew=1.5, ls="none",
            )  # fmt: skip
            ax.annotate(
                f"{r['n_articles']}/{r[unit]}",
                (r["ci_high"] if pd.notna(r["ci_high"]) else r["mean"], y),
                xytext=(6, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=7,
                color="#333333",
            )
        if ref is not None:
            ax.axvline(ref, color="#999999", lw=0.8)
        ax.set_title(str(p), fontsize=10)
        ax.set_xlabel(xlabel)
        ax.set_ylim(-0.7, len(rows) - 0.3)
    axes[0].margins(x=0.15)
    axes[0].set_yticks(range(len(rows)), [str(r) for r in rows])
    axes[0].invert_yaxis()
    handles = [
        Line2D([], [], marker="o", color="#555555", ls="-", label="mean, 95% cluster-bootstrap CI"),
        Line2D([], [], marker="o", mfc="white", mec="#555555", ls="none",
               label=f"< {MIN_CI_ARTICLES} articles: no CI, no inference"),
        Line2D([], [], marker="D", color="black", ls="none", label="seed article"),
    ]  # fmt: skip
    handles += [Line2D([], [], marker="s", color=colors.get(h, OKABE_ITO[0]), ls="none",
                       label=f"{color}: {h}") for h in legend_hues if h != SEED_GROUP]  # fmt: skip
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=3 if len(handles) <= 3 else 4,
        fontsize=8,
        bbox_to_anchor=(0.5, -0.02),
    )
    unit_word = unit.removeprefix("n_")
    fig.suptitle(title + f"\nlabels: articles/{unit_word}", fontsize=11, fontweight="bold")
    legend_inches = 0.45 if len(handles) <= 4 else 0.7
    fig.tight_layout(rect=(0, legend_inches / fig.get_figheight(), 1, 1))
    return fig


def _order_values(values: pd.Series, col: str) -> list:
    present = list(pd.unique(values))
    order = _value_orders().get(col, [])
    return [v for v in order if v in present] + sorted(v for v in present if v not in order)


def _colors(col: str) -> dict:
    if col == "rating":
        return {**RATING_COLORS, "unknown": "#999999"}
    if col == "voice":
        return {"reporter": "#000000", "quoted": "#E69F00"}
    return GROUP_COLORS


def sentiment_finding(summary: pd.DataFrame, group: str) -> str:
    """A data-driven title for the actor-sentiment chart: among actors with at least
    :data:`MIN_CI_ARTICLES` articles in ``group``, the most negative and the least negative, and
    whether their intervals overlap; says so when too few actors reach that n."""
    sub = summary[summary["group"] == group]
    if sub.empty:
        return f"No mentions of the case actors in {group} articles"
    solid = sub[sub["n_articles"] >= MIN_CI_ARTICLES]
    if len(solid) < 2:
        return (
            f"{group}: fewer than two actors appear in {MIN_CI_ARTICLES}+ articles - "
            "too few articles to compare actors"
        )
    lo = solid.loc[solid["mean"].idxmin()]
    hi = solid.loc[solid["mean"].idxmax()]
    overlap = lo["ci_high"] >= hi["ci_low"]
    return (
        f"{group}: {lo['actor']} framed most negatively ({lo['mean']:+.2f}), {hi['actor']} "
        f"least ({hi['mean']:+.2f}) among actors in {MIN_CI_ARTICLES}+ articles; "
        f"intervals {'overlap' if overlap else 'do not overlap'}"
        + ("" if solid["n_articles"].min() >= MIN_INFERENCE_ARTICLES else " (small n)")
    )


def monthly_case_counts(case: pd.DataFrame) -> pd.DataFrame:
    """``month, rating, n``: case articles per month and rating (dated articles only)."""
    if "date" not in case.columns:
        return pd.DataFrame(columns=["month", "rating", "n"])
    d = pd.to_datetime(case["date"], errors="coerce")
    rating = (
        case["rating"].fillna("").astype(str).replace("", "unknown")
        if "rating" in case.columns
        else "unknown"
    )
    df = pd.DataFrame({"month": d.dt.strftime("%Y-%m"), "rating": rating}).dropna()
    return df.groupby(["month", "rating"]).size().rename("n").reset_index()


def plot_case_timeline(counts: pd.DataFrame, title: str = ""):
    """Stacked bars of case articles per month by rating, June 2020 marked."""
    import matplotlib.pyplot as plt

    use_style()
    fig, ax = plt.subplots(figsize=(9, 3.6))
    if counts.empty:
        ax.text(0.5, 0.5, "no dated articles", ha="center", transform=ax.transAxes)
        return fig
    wide = counts.pivot_table(index="month", columns="rating", values="n", fill_value=0)
    months = pd.period_range(wide.index.min(), wide.index.max(), freq="M").strftime("%Y-%m")
    wide = wide.reindex(months, fill_value=0)
    order = _order_values(pd.Series(wide.columns), "rating")
    x = np.arange(len(wide))
    bottom = np.zeros(len(wide))
    colors = _colors("rating")
    for r in order:
        ax.bar(x, wide[r], bottom=bottom, color=colors.get(r, "#999999"), label=r, width=0.9)
        bottom += wide[r].to_numpy()
    if "2020-06" in list(wide.index):
        i = list(wide.index).index("2020-06")
        ax.axvspan(i - 0.5, i + 0.5, color=OKABE_ITO[1], alpha=0.25, lw=0, zorder=0)
        ax.annotate("June 2020", (i, bottom[i] + 0.1), ha="right", fontsize=8, color="#8a5a00")
    ax.set_ylim(0, bottom.max() + 0.8)
    step = max(1, len(wide) // 12)
    ax.set_xticks(x[::step], list(wide.index)[::step], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("articles per month")
    ax.set_xlabel("month")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(title="outlet rating", fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def main_group(summary: pd.DataFrame) -> str | None:
    """The corpus group a chart title speaks about: 2019-2020 if present, else all dates, else
    June 2020 (``None`` when only the seed is left)."""
    present = set(summary["group"]) if "group" in summary.columns else set()
    return next((g for g in (YEARS_GROUP, ALL_DATES, JUNE_GROUP) if g in present), None)


def with_actor_group_rows(summary: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """``summary`` with a ``row`` label "actor · group" and the rows' display order (actors in
    :data:`CASE_ACTORS` order, groups in :data:`GROUP_ORDER` within each)."""
    ordered = _ordered(summary, ["actor", "group"])
    ordered = ordered.assign(row=ordered["actor"].astype(str) + " · " + ordered["group"])
    return ordered, list(pd.unique(ordered["row"]))


def cue_finding(summary: pd.DataFrame) -> str:
    """Title for the cue-rate chart: the (actor, category) with the highest share in the main
    group among actors with at least :data:`MIN_CI_ARTICLES` articles, with its n."""
    g = main_group(summary)
    sub = summary[summary["group"] == g] if g else summary.iloc[0:0]
    if sub.empty or sub["mean"].max() == 0:
        return "No praise, strategic-motive or controversy cues near the case actors" + (
            f" ({g})" if g else ""
        )
    solid = sub[sub["n_articles"] >= MIN_CI_ARTICLES]
    if solid.empty or solid["mean"].max() == 0:
        return f"{g}: no actor with {MIN_CI_ARTICLES}+ articles has cues - nothing to compare"
    top = solid.loc[solid["mean"].idxmax()]
    note = n_note(int(top["n_articles"]))
    return (
        f"{g}: highest cue rate is {top['category']} near {top['actor']} "
        f"({top['n_with_cue']}/{top['n_sentences']} sentences, {top['n_articles']} articles)"
        + (f"\n{note}" if note else "")
    )
